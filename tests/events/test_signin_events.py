"""A failed sign-in becomes an event without the username typed (often a password typed into the wrong box)."""

import pytest
from django.contrib.auth.models import User

from events import topics

pytestmark = pytest.mark.django_db


def test_failed_sign_in_event_carries_no_username(client, published):
    User.objects.create_user("staffer", password="pw-staff-123", is_staff=True)
    client.post("/admin/login/", {"username": "my-Secret-pw", "password": "wrong", "next": "/admin/"})
    failed = [e for e in published if e.topic == topics.USER_ACTIVITY.name]
    assert [e.envelope["data"]["action"] for e in failed] == ["sign-in-failed"]
    body = failed[0].value.decode().casefold()
    assert "my-secret-pw" not in body
    assert failed[0].envelope["subject"] == "sign-in" and failed[0].envelope["data"]["actor"] == "anonymous"
