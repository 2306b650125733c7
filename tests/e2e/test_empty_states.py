"""Issue 15, item 7: honest empty states, and the staff's way in from a gap."""

import re

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft

from .support import PASSWORD, describe, serious, without_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def spec_cell(page, label: str):
    return (
        page.locator(".spec-table tr").filter(has=page.get_by_role("rowheader", name=label, exact=True)).locator("td")
    )


def test_not_published_only_where_a_source_says_so(page, catalogue, axe):
    # A source that says the ceiling is not published (test data: the shipped catalogue records none yet).
    Aircraft.objects.filter(slug="f-35b-lightning-ii").update(unpublished=["service_ceiling"])
    without_figures("f-35b-lightning-ii", "service_ceiling")
    without_figures("f-35b-lightning-ii", "range")  # a gap no source speaks of
    page.goto("/aircraft/f-35b-lightning-ii/")
    expect(spec_cell(page, "Service ceiling")).to_contain_text("Not published")
    expect(spec_cell(page, "Range")).to_contain_text("Not in the catalogue yet")
    expect(page.get_by_role("link", name=re.compile("in the admin"))).to_have_count(0)  # visitors: no way in
    assert not serious(axe()), describe(serious(axe()))


def test_staff_who_may_edit_go_from_a_gap_to_the_admin_and_visitors_never_see_the_link(
    browser, live_server, page, catalogue, make_user, editors_group
):
    make_user("editor", staff=True, groups=[editors_group])
    without_figures("sr-71a-blackbird", "range")
    page.goto("/aircraft/sr-71a-blackbird/")  # a visitor first: this copy is cached
    expect(spec_cell(page, "Range")).to_contain_text("Not in the catalogue yet")

    page.goto("/admin/login/?next=/aircraft/sr-71a-blackbird/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/aircraft/sr-71a-blackbird/$"))
    add = spec_cell(page, "Range").get_by_role("link", name="Add it (range) in the admin")
    expect(add).to_be_visible()
    add.click()
    expect(page).to_have_url(re.compile(r"/admin/aircraft/aircraft/\d+/change/#figures-group$"))
    expect(page.locator("#figures-group")).to_be_visible()  # the figures inline, where the gap is filled

    stranger = browser.new_context(base_url=live_server.url)  # another visitor, after the editor
    try:
        other = stranger.new_page()
        other.goto("/aircraft/sr-71a-blackbird/")
        expect(spec_cell(other, "Range")).to_contain_text("Not in the catalogue yet")
        expect(other.get_by_role("link", name=re.compile("in the admin"))).to_have_count(0)
    finally:
        stranger.close()
