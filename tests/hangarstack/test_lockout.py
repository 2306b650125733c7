"""The sign-in lock-out page (hangarstack.lockout): how long, until when, and the way back to sign-in."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import RequestFactory

from hangarstack.lockout import signin_paused
from hangarstack.templatetags.durations import in_words


def lock_out(client, settings, path="/admin/login/"):
    settings.SIGNIN_MAX_FAILURES = 2
    User.objects.create_user("editor", password="right-password-1", is_staff=True)
    for _ in range(2):
        assert client.post(path, {"username": "editor", "password": "wrong"}).status_code == 200
    return client.post(path, {"username": "editor", "password": "right-password-1"})


def test_the_lock_out_page_says_how_long_and_links_back_to_sign_in(client, db, settings):
    locked = lock_out(client, settings, "/admin/login/?next=/admin/aircraft/")
    page = locked.content.decode()
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= settings.SIGNIN_LOCKOUT_SECONDS
    assert 'sign-in is paused for <strong class="signin-pause">15 minutes</strong>' in page
    assert " UTC</time>" in page
    assert 'href="/admin/login/?next=%2Fadmin%2Faircraft%2F"' in page
    assert locked["Cache-Control"] == "no-store"


def test_the_way_back_never_leads_off_the_site(client, db, settings):
    locked = lock_out(client, settings, "/admin/login/?next=https://evil.example/")
    assert locked.status_code == 429
    assert 'href="/admin/login/"' in locked.content.decode()
    assert "?next=https" not in locked.content.decode().split("Back to sign-in")[0].rsplit("<a", 1)[1]


@pytest.mark.parametrize("call", ["axes 8.0", "axes 8.1+"])
def test_django_axes_can_call_it_either_way(db, settings, call):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    request = RequestFactory().post("/admin/login/", {"username": "editor"})
    credentials = {"username": "editor"}
    arguments = (credentials,) if call == "axes 8.0" else (None, credentials)
    response = signin_paused(request, *arguments)
    assert response.status_code == 429
    assert response["Retry-After"] == "1800"
    assert "30 minutes" in response.content.decode()


def test_django_axes_can_render_the_template_with_its_own_context(db):
    request = RequestFactory().post("/admin/login/")
    context = {"failure_limit": 5, "username": "editor", "cooloff_timedelta": datetime.timedelta(hours=1)}
    page = render_to_string("errors/signin_paused.html", context, request=request)
    assert '<strong class="signin-pause">1 hour</strong>' in page
    assert 'href="/admin/login/"' in page


@pytest.mark.parametrize(
    "value, words",
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (899, "15 minutes"),
        (900, "15 minutes"),
        (3900, "1 hour 5 minutes"),
        (datetime.timedelta(hours=2), "2 hours"),
        ("not a number", ""),
    ],
)
def test_durations_in_words(value, words):
    assert in_words(value) == words
