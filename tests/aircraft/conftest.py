"""Fixtures the catalogue's tests share."""

import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def editor(client):
    """A signed-in member of the Catalogue editors group."""
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(user)
    return user
