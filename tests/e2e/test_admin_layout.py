"""Issue 15, item 11: the admin's aircraft list fits a 1366 px screen, and a field's
error never runs into the next field's label. Checked in Chromium, box by box."""

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft

from .test_staff import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}

# An error "runs into" a label when its text, as drawn, shares a line with another
# field's label and comes within 16 px of it. Text is measured with a Range, which
# covers the glyphs even where they overflow their box.
OVERLAPS = """
() => {
  const GAP = 16;
  const found = [];
  for (const item of document.querySelectorAll("ul.errorlist li")) {
    const range = document.createRange();
    range.selectNodeContents(item);
    const text = range.getBoundingClientRect();
    const field = item.closest(".form-row > div, .form-multiline > div");
    for (const label of document.querySelectorAll("form label")) {
      if (!label.offsetParent || (field && field.contains(label))) continue;
      const box = label.getBoundingClientRect();
      const sameLine = text.top < box.bottom && box.top < text.bottom;
      const apart = Math.max(box.left - text.right, text.left - box.right);
      if (sameLine && apart < GAP) found.push(`"${item.innerText.trim()}" runs into "${label.innerText.trim()}"`);
    }
  }
  return found;
}
"""


@pytest.fixture
def editor_page(page, catalogue, editors_group, make_user):
    make_user("editor", staff=True, groups=[editors_group])
    page.set_viewport_size(LAPTOP)
    page.goto("/admin/login/")
    sign_in(page, "editor", "e2e-Correct-Horse-7")
    return page


def test_admin_aircraft_list_fits_1366_px(editor_page, screenshot):
    page = editor_page
    page.goto("/admin/aircraft/aircraft/")
    headers = page.locator("#result_list thead th")
    expect(headers.last).to_be_visible()
    screenshot("admin-aircraft-list-1366")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth"), "the results table scrolls sideways"
    for index in range(headers.count()):
        right = headers.nth(index).evaluate("el => el.getBoundingClientRect().right")
        assert right <= LAPTOP["width"], f"column {headers.nth(index).inner_text()!r} is cut off"
    expect(headers.filter(has_text="Updated")).to_be_visible()


def test_field_errors_never_run_into_the_next_label(editor_page, screenshot):
    page = editor_page
    plane = Aircraft.objects.get(slug="f-22a-raptor")
    page.goto(f"/admin/aircraft/aircraft/{plane.pk}/change/")
    # Errors on fields that share a row with others: years and dates side by side.
    page.locator("#id_first_flight_year").fill("2000")
    page.locator("#id_entered_service_year").fill("1990")  # before the first flight
    page.locator("#id_first_flight_date").fill("1997-09-07")  # year differs from 2000
    page.locator("#id_retired_year").fill("2020")  # an active aircraft cannot retire
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("ul.errorlist").first).to_be_visible()
    assert page.locator("ul.errorlist").count() >= 3
    screenshot("admin-aircraft-errors-1366")
    assert page.evaluate(OVERLAPS) == []
