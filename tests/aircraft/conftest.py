"""Fixtures the catalogue's tests share."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def shipped_catalogue(django_db_setup, django_db_blocker):
    """The shipped catalogue (fixtures/aircraft.json), loaded once for the module that
    asks, in a transaction rolled back after the module; each test runs in a savepoint
    inside it. A load takes about 30 s here (26 to 32 s in one suite run): once per
    test, it was minutes of the suite. Its later tests see the catalogue too, whether
    they ask or not."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_aircraft", str(settings.CATALOGUE_FIXTURE), stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def editor(client):
    """A signed-in member of the Catalogue editors group."""
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(user)
    return user
