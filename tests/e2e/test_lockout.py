"""Issue 15, item 10: the lock-out page says how long the pause lasts and leads back to sign-in."""

import re

import pytest
from playwright.sync_api import expect

from .support import describe, serious

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_locked_out_editor_is_told_how_long_and_finds_the_way_back(page, settings, make_user, axe):
    settings.SIGNIN_MAX_FAILURES = 2
    make_user("editor", staff=True)
    page.goto("/admin/login/?next=/admin/aircraft/")
    for attempt in range(3):
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many sign-in attempts")
    expect(page.locator(".lede")).to_contain_text(re.compile(r"sign-in is paused for 15 minutes, until \d\d:\d\d UTC"))
    assert not serious(axe()), describe(serious(axe()))

    page.get_by_role("link", name="Back to sign-in").click()
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=%2Fadmin%2Faircraft%2F$"))
    expect(page.get_by_label("Password")).to_be_visible()
