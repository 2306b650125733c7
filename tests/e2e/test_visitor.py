"""What visitors do, in Chromium, at a desktop and at a phone viewport."""

import re

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True),
]


def spec_value(page, label: str):
    """The figure shown first (in the visitor's units) in one row of the specification table."""
    return (
        page.locator(".spec-table tr")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
        .locator(".value")
    )


def test_home_then_a_manufacturer_then_an_aircraft(page, catalogue):
    page.goto("/")
    expect(page).to_have_title("Aircraft specifications with their sources · HangarStack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Specifications you can check")
    expect(page.locator(".stat--lead dd")).to_have_text("122")

    page.get_by_role("region", name="Manufacturers").get_by_role("link", name=re.compile(r"^Lockheed Martin")).click()
    expect(page).to_have_url(re.compile(r"/manufacturers/lockheed-martin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lockheed Martin")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Manufacturers")).to_have_attribute(
        "aria-current", "true"
    )
    table = page.get_by_role("region", name="Table of Lockheed Martin aircraft")
    expect(table.locator("tbody tr")).to_have_count(12)

    table.get_by_role("link", name="F-22A Raptor").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lockheed Martin F-22A Raptor")
    expect(page).to_have_title("Lockheed Martin F-22A Raptor · HangarStack")
    expect(spec_value(page, "Length")).to_have_text("18.92 m")
    expect(page.locator(".source-box")).to_contain_text("Last verified")

    # and back up through the breadcrumb
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Lockheed Martin").click()
    expect(page).to_have_url(re.compile(r"/manufacturers/lockheed-martin/$"))


def test_catalogue_filters_and_paging(page, catalogue):
    results = page.locator(".results__title")
    cards = page.locator(".aircraft-card")
    page.goto("/aircraft/")
    expect(results).to_contain_text("122 aircraft")
    expect(results).to_contain_text("showing 1–24")
    expect(cards).to_have_count(24)

    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_label("Sort by", exact=True).select_option("oldest")
    page.get_by_role("button", name="Show aircraft").click()
    expect(page).to_have_url(re.compile(r"status=active"))
    expect(results).to_contain_text("105 aircraft")
    first_page_years = years_on_page(page)

    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(results).to_contain_text("showing 25–48")
    expect(page).to_have_title("All aircraft (page 2) · HangarStack")
    # the filters survive paging, in the address and in the form
    expect(page).to_have_url(re.compile(r"status=active.*sort=oldest|sort=oldest.*status=active"))
    expect(page.get_by_label("Status", exact=True)).to_have_value("active")
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("oldest")
    second_page_years = years_on_page(page)
    assert first_page_years == sorted(first_page_years)
    assert second_page_years == sorted(second_page_years)
    assert max(first_page_years) <= min(second_page_years)

    # narrowing the filter starts again at page 1
    page.get_by_label("Manufacturer", exact=True).select_option(label="Boeing")
    page.get_by_role("button", name="Show aircraft").click()
    expect(page).not_to_have_url(re.compile(r"page="))
    boeing_active = Aircraft.objects.filter(manufacturer__slug="boeing", status="active").count()
    expect(results).to_contain_text(f"{boeing_active} aircraft")
    expect(cards.locator(".card__kicker")).to_have_text(["Boeing"] * boeing_active)
    expect(cards.locator(".badge--status")).to_have_text(["Active"] * boeing_active)

    page.get_by_role("link", name="Clear filters").click()
    expect(results).to_contain_text("122 aircraft")


def years_on_page(page) -> list[int]:
    return [int(re.sub(r"\D", "", text)) for text in page.locator(".aircraft-card .badge--year").all_text_contents()]


def test_search_with_a_typo_finds_the_aircraft(page, catalogue):
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search aircraft", exact=True)
    box.fill("raptr")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=raptr$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “raptr”")
    expect(page.locator(".notice--info")).to_have_text("No exact matches for “raptr”. Showing results for “raptor”.")
    expect(page.locator(".results__title")).to_have_text("1 result")
    # the header box keeps what was typed
    expect(page.get_by_role("searchbox", name="Search aircraft", exact=True)).to_have_value("raptr")

    page.locator(".aircraft-card").get_by_role("link", name=re.compile(r"F-22A")).click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))


def test_compare_two_aircraft(page, catalogue):
    page.goto("/aircraft/f-22a-raptor/")
    page.get_by_role("link", name="Compare with other aircraft").click()
    expect(page).to_have_url(re.compile(r"/compare/\?a=f-22a-raptor$"))
    expect(page.get_by_label("Aircraft 1", exact=True)).to_have_value("f-22a-raptor")
    expect(page.locator(".empty")).to_contain_text("Choose at least one more aircraft")

    page.get_by_label("Aircraft 2", exact=True).select_option("f-35a-lightning-ii")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"a=f-22a-raptor&a=f-35a-lightning-ii"))
    expect(page).to_have_title("Compare F-22A Raptor vs F-35A Lightning II · HangarStack")
    table = page.get_by_role("region", name="Comparison table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Specification", re.compile(r"F-22A Raptor"), re.compile(r"F-35A Lightning II")]
    )

    def row(label):
        return table.locator("tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))

    expect(row("Length").locator(".value")).to_have_text(["18.92 m", "15.67 m"])
    expect(row("Length").locator(".best-mark")).to_have_count(0)  # size is neither better nor worse
    expect(row("Range").locator(".value")).to_have_text(["2,977 km", "2,173 km"])
    expect(row("Range").locator("td").first).to_have_class(re.compile(r"\bbest\b"))
    expect(row("Range").locator("td").first.locator(".best-mark")).to_be_visible()
    expect(row("Range").locator("td").last.locator(".best-mark")).to_have_count(0)

    table.get_by_role("link", name="F-35A Lightning II").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-35a-lightning-ii/$"))


def test_metric_and_imperial_preference(page, catalogue):
    page.goto("/aircraft/f-22a-raptor/")
    expect(page.locator(".units-switch__current")).to_have_text("Units: Metric")
    expect(spec_value(page, "Length")).to_have_text("18.92 m")
    expect(spec_value(page, "Service ceiling")).to_have_text("15,240 m")

    page.get_by_role("button", name="Show imperial units").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))  # back on the same page
    expect(page.locator(".units-switch__current")).to_have_text("Units: Imperial")
    expect(spec_value(page, "Length")).to_have_text("62 ft 1 in")
    expect(spec_value(page, "Service ceiling")).to_have_text("50,000 ft")

    # the choice is remembered on other pages
    page.goto("/compare/?a=f-22a-raptor&a=f-16c-fighting-falcon")
    expect(page.locator(".table-note")).to_contain_text("Imperial first, metric below")
    expect(page.locator(".compare-table .value").first).to_contain_text("ft")

    page.get_by_role("button", name="Show metric units").click()
    expect(page).to_have_url(re.compile(r"/compare/\?a=f-22a-raptor&a=f-16c-fighting-falcon$"))
    expect(page.locator(".table-note")).to_contain_text("Metric first, imperial below")
    page.goto("/aircraft/f-22a-raptor/")
    expect(spec_value(page, "Length")).to_have_text("18.92 m")


PROTOTYPE_ADDRESSES = [
    ("/home", "/"),
    ("/manufacturer/Lockheed Martin", "/manufacturers/lockheed-martin/"),
    ("/aircraft/Lockheed Martin/F-22A", "/aircraft/f-22a-raptor/"),
]


def test_prototype_addresses_redirect_permanently(page, catalogue, live_server):
    for old, new in PROTOTYPE_ADDRESSES:
        response = page.goto(old)
        assert response.ok, old
        assert page.url == live_server.url + new, old
        hop = response.request.redirected_from
        assert hop is not None, f"{old} was not redirected"
        assert hop.response().status == 301, f"{old} answered {hop.response().status}, not a permanent redirect"
        expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_404_page_helps_the_visitor_on(page, catalogue):
    response = page.goto("/aircraft/no-such-aircraft/")
    assert response.status == 404
    expect(page).to_have_title("Page not found · HangarStack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # site chrome is there, and no stack trace
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Traceback")

    box = page.get_by_role("searchbox", name="Search for an aircraft instead")
    box.fill("chinook")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=chinook$"))
    expect(page.locator(".aircraft-card").first).to_contain_text("Chinook")

    page.goto("/nowhere-at-all")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Browse all aircraft").click()
    expect(page).to_have_url(re.compile(r"/aircraft/$"))
