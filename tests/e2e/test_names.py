"""Issue 15, item 1: a name that repeats the designation, or the manufacturer, is said once, everywhere."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPEATS = re.compile(r"H160 H160|AW169 AW169|A380-800 A380|777-300ER 777|340B Saab 340|Bell Bell|ATR ATR")


def test_a_name_is_never_said_twice(page, catalogue):
    page.goto("/aircraft/atr-72-600/")
    expect(page).to_have_title("ATR 72-600 · HangarStack")
    expect(page.get_by_role("heading", level=1)).to_have_text("ATR 72-600")
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")).to_have_text(
        ["Home", "Aircraft", "ATR", "ATR 72-600"]
    )

    page.goto("/aircraft/h160/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Airbus Helicopters H160")
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").last).to_have_text("H160")

    page.goto("/aircraft/340b/")
    expect(page).to_have_title("Saab 340B · HangarStack")
    expect(page.locator("body")).not_to_contain_text(REPEATS)

    page.goto("/manufacturers/bell/")
    table = page.get_by_role("region", name="Table of Bell aircraft")
    expect(table.get_by_role("link", name="X-1", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="407GXi", exact=True)).to_be_visible()

    page.goto("/search/?q=bell")  # cards
    expect(page.locator(".aircraft-card .card__title").filter(has_text=re.compile(r"^\s*X-1\s*$"))).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(REPEATS)

    page.goto("/compare/?a=777-300er&a=a380-800&a=aw169")
    expect(page).to_have_title("Compare 777-300ER vs A380-800 vs AW169 · HangarStack")
    table = page.get_by_role("region", name="Comparison table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Specification", re.compile(r"\s777-300ER\s*$"), re.compile(r"\sA380-800\s*$"), re.compile(r"\sAW169\s*$")]
    )
    expect(page.locator("main")).not_to_contain_text(REPEATS)

    for slug, shown, full in (("340b", "340B", "Saab 340B"), ("x-1", "X-1", "Bell X-1")):
        data = page.request.get(f"/api/aircraft/{slug}/").json()
        assert (data["display_name"], data["full_name"]) == (shown, full)
