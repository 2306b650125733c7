"""Issue 15, item 13: a visitor suggests a correction (no account, no JavaScript needed);
an editor accepts it in the admin and the page shows the new figure with its source."""

import re

import pytest
from playwright.sync_api import expect

from aircraft.models import Correction

from .support import PASSWORD, describe, serious, without_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOURCE = "https://www.example.org/sr-71/range"


def spec_cell(page, label: str):
    return (
        page.locator(".spec-table tr").filter(has=page.get_by_role("rowheader", name=label, exact=True)).locator("td")
    )


def test_a_visitor_without_javascript_suggests_a_correction(browser, live_server, catalogue, axe, page):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto("/aircraft/sr-71a-blackbird/")
        plain.get_by_text("Suggest a correction", exact=True).click()  # <details>: no script needed
        form = plain.locator("#suggest-correction form")
        form.get_by_label("Figure").select_option(label="Range (typical)")
        form.get_by_label("Correct value").fill("2,900")
        form.get_by_label("Unit").select_option("nmi")
        form.get_by_role("button", name="Send the correction").click()

        # No source: the form comes back, explained, with what was typed.
        expect(plain).to_have_title(re.compile(r"^Check the correction"))
        expect(plain.get_by_role("alert")).to_contain_text("Source (web address): This field is required.")
        expect(plain.get_by_label("Correct value")).to_have_value("2,900")

        plain.get_by_label("Source (web address)").fill(SOURCE)
        plain.get_by_label("Note (optional)").fill("Unrefuelled range from the museum's fact sheet.")
        plain.get_by_role("button", name="Send the correction").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Thank you: your correction is waiting for review")
    finally:
        context.close()

    correction = Correction.objects.get()
    assert (correction.quantity, correction.kind, correction.value, correction.unit) == (
        "range",
        "typical",
        "2,900",
        "nmi",
    )
    assert correction.source_url == SOURCE and correction.status == Correction.Status.PENDING

    page.goto("/aircraft/sr-71a-blackbird/corrections/")
    assert not serious(axe()), describe(serious(axe()))


def test_an_editor_accepts_a_correction_and_visitors_see_it_with_its_source(
    page, catalogue, make_user, editors_group, axe
):
    without_figures("sr-71a-blackbird", "range")
    page.goto("/aircraft/sr-71a-blackbird/")
    expect(spec_cell(page, "Range")).to_contain_text("Not in the catalogue yet")
    page.get_by_text("Suggest a correction", exact=True).click()
    expect(page.get_by_label("Source (web address)")).to_be_visible()
    assert not serious(axe()), describe(serious(axe()))  # the open form, on the aircraft page
    page.get_by_label("Figure").select_option(label="Range (typical)")
    page.get_by_label("Correct value").fill("2,900")
    page.get_by_label("Unit").select_option("nmi")
    page.get_by_label("Source (web address)").fill(SOURCE)
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("waiting for review")

    make_user("editor", staff=True, groups=[editors_group])
    page.goto("/admin/aircraft/correction/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("2,900 nmi")
    expect(page.locator("#result_list")).to_contain_text("not in the catalogue")

    # A new source: the editor says what kind it is first.
    page.locator("#result_list tbody tr th a, #result_list tbody tr td a").first.click()
    page.get_by_label("Source kind").select_option("museum")
    page.get_by_label("Source title").fill("SR-71 Blackbird")
    page.get_by_role("button", name="Save", exact=True).click()

    page.locator("#result_list tbody input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("accept")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 correction accepted.")

    page.context.clear_cookies()  # a visitor again
    page.goto("/aircraft/sr-71a-blackbird/")
    expect(spec_cell(page, "Range (typical)").locator(".value")).to_have_text("5,370 km")
    marker = spec_cell(page, "Range (typical)").locator(".source-marker")
    number = marker.inner_text().strip("[]")
    expect(page.locator(f"#source-{number}")).to_contain_text("SR-71 Blackbird")
    expect(page.locator(f"#source-{number}").get_by_role("link")).to_have_attribute("href", SOURCE)
