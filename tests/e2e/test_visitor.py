"""What visitors do, in Chromium, at a desktop and at a phone viewport."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from aircraft.models import Aircraft, Figure
from aircraft.services import catalogue_refresh_digests
from tests.factories import AircraftFactory, ManufacturerFactory, figures_with

from .support import aircraft_with_kinds_and_two_sources, without_figures

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True),
]


def spec_row(page, label: str):
    """One row of the data sheet, by the label a visitor reads ("Range (ferry)")."""
    return page.locator(".spec-table tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def spec_value(page, label: str):
    """The figure shown first (in the visitor's units) in one row of the data sheet."""
    return spec_row(page, label).locator(".value")


def spec_other_value(page, label: str):
    """The same figure in the other unit system, shown below it."""
    return spec_row(page, label).locator(".value-alt")


def test_home_then_a_manufacturer_then_an_aircraft(page, catalogue):
    without_figures("f-22a-raptor", "service_ceiling")  # the gap this journey shows
    page.goto("/")
    expect(page).to_have_title("Aircraft specifications with their sources · HangarStack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Specifications you can check")
    expect(page.locator(".stat--lead dd")).to_have_text(str(Aircraft.objects.count()))

    page.get_by_role("region", name="Manufacturers").get_by_role("link", name=re.compile(r"^Lockheed Martin")).click()
    expect(page).to_have_url(re.compile(r"/manufacturers/lockheed-martin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lockheed Martin")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Manufacturers")).to_have_attribute(
        "aria-current", "true"
    )
    table = page.get_by_role("region", name="Table of Lockheed Martin aircraft")
    expect(table.locator("tbody tr")).to_have_count(
        Aircraft.objects.filter(manufacturer__slug="lockheed-martin").count()
    )

    table.get_by_role("link", name="F-22A Raptor").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lockheed Martin F-22A Raptor")
    expect(page).to_have_title("Lockheed Martin F-22A Raptor · HangarStack")
    expect(spec_value(page, "Length")).to_have_text("18.92 m")
    expect(spec_other_value(page, "Length")).to_have_text("62 ft 1 in")
    # A figure the catalogue lacks is said out loud, not left out.
    expect(spec_row(page, "Service ceiling")).to_contain_text("Not in the catalogue yet")
    expect(spec_row(page, "Service ceiling").locator(".source-marker")).to_have_count(0)

    # The figure's marker leads to the numbered source it was read in.
    plane = Aircraft.objects.get(slug="f-22a-raptor")
    read_in = plane.figures.get(quantity="length").source
    sources = page.get_by_role("region", name="Sources")
    expect(sources.get_by_role("listitem")).to_have_count(plane.sources.count())
    spec_row(page, "Length").get_by_role("link", name="source 1").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/#source-1$"))
    source = page.locator("#source-1")
    expect(source).to_be_in_viewport()
    expect(source).to_contain_text(read_in.title)
    expect(source).to_contain_text(f"{read_in.get_kind_display()}; checked 29 Nov 2026")
    expect(source.get_by_role("link", name=read_in.title)).to_have_attribute("href", read_in.url)

    # and back up through the breadcrumb
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Lockheed Martin").click()
    expect(page).to_have_url(re.compile(r"/manufacturers/lockheed-martin/$"))


def test_a_figure_says_what_it_is_and_where_it_came_from(page):
    plane = aircraft_with_kinds_and_two_sources()
    page.goto(plane.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Aircraft Company TX-9 Longreach")

    # Two ranges of different kinds, each under its own label and never merged into one.
    expect(spec_value(page, "Range (typical)")).to_have_text("3,000 km")
    expect(spec_value(page, "Range (ferry)")).to_have_text("5,000 km")
    expect(spec_other_value(page, "Range (ferry)")).to_have_text("2,700 nmi")  # as the manual printed it
    expect(spec_row(page, "Range (ferry)").locator(".value-condition")).to_have_text(
        "with two external wing fuel tanks"
    )
    expect(spec_row(page, "Range (typical)").locator(".value-condition")).to_have_count(0)
    expect(spec_value(page, "Maximum speed (at altitude)")).to_have_text("1,960 km/h")
    expect(spec_row(page, "Maximum speed (at altitude)").locator(".value-condition")).to_have_text("at 36,000 ft")

    # Each figure is marked with the number of its own source.
    expect(spec_row(page, "Range (typical)").locator(".source-marker")).to_have_text("[1]")
    expect(spec_row(page, "Range (ferry)").locator(".source-marker")).to_have_text("[2]")
    expect(spec_row(page, "Maximum speed (at altitude)").locator(".source-marker")).to_have_text("[2]")
    sources = page.get_by_role("region", name="Sources").get_by_role("listitem")
    expect(sources).to_have_count(2)
    expect(sources.first).to_contain_text("Test fact sheet, Test Air Force")

    # Following [2] lands on the manual, the second source in the list.
    spec_row(page, "Range (ferry)").get_by_role("link", name="source 2").click()
    expect(page).to_have_url(re.compile(r"#source-2$"))
    manual = page.locator("#source-2")
    expect(manual).to_be_in_viewport()
    expect(manual).to_have_text(
        re.compile(
            r"TX-9 flight manual, section 5: performance, Test Aircraft Company\s+"
            r"\(Manufacturer data; checked 15 Oct 2026\)"
        )
    )
    expect(sources.nth(1)).to_have_attribute("id", "source-2")
    expect(manual.get_by_role("link")).to_have_attribute("href", "https://example.com/tx-9/flight-manual.pdf")


def test_catalogue_filters_and_paging(page, catalogue):
    results = page.locator(".results__title")
    cards = page.locator(".aircraft-card")
    total, active = Aircraft.objects.count(), Aircraft.objects.filter(status="active").count()
    page.goto("/aircraft/")
    expect(results).to_contain_text(f"{total} aircraft")
    expect(results).to_contain_text("showing 1–24")
    expect(cards).to_have_count(24)

    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_label("Sort by", exact=True).select_option("heaviest")
    page.get_by_role("button", name="Show aircraft").click()
    expect(page).to_have_url(re.compile(r"status=active"))
    expect(results).to_contain_text(f"{active} aircraft")
    # The sort says what it compares, and how many aircraft lack that figure.
    lacking = Aircraft.objects.filter(status="active", rank_mtow_kg=None).count()
    assert 0 < lacking < active - 48  # so the first two pages are all aircraft with the figure
    expect(page.locator(".results__note")).to_have_text(
        f"Sorted by a maximum take-off weight. {lacking} aircraft without one "
        f"{'is' if lacking == 1 else 'are'} listed last."
    )
    first_page_weights = weights_on_page(page)

    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(results).to_contain_text("showing 25–48")
    expect(page).to_have_title(f"Aircraft: Active ({active} found) (page 2) · HangarStack")
    # the filters survive paging, in the address and in the form
    expect(page).to_have_url(re.compile(r"status=active.*sort=heaviest|sort=heaviest.*status=active"))
    expect(page.get_by_label("Status", exact=True)).to_have_value("active")
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("heaviest")
    second_page_weights = weights_on_page(page)
    assert len(first_page_weights) == len(second_page_weights) == 24
    assert first_page_weights == sorted(first_page_weights, reverse=True)
    assert second_page_weights == sorted(second_page_weights, reverse=True)
    assert min(first_page_weights) >= max(second_page_weights)
    assert first_page_weights[0] > second_page_weights[-1]

    # narrowing the filter starts again at page 1
    page.get_by_label("Manufacturer", exact=True).select_option(label="Boeing")
    page.get_by_role("button", name="Show aircraft").click()
    expect(page).not_to_have_url(re.compile(r"page="))
    boeing_active = Aircraft.objects.filter(manufacturer__slug="boeing", status="active").count()
    expect(results).to_contain_text(f"{boeing_active} aircraft")
    shown = min(boeing_active, settings.CATALOGUE_PAGE_SIZE)  # the first page of them
    expect(cards.locator(".card__kicker")).to_have_text(["Boeing"] * shown)
    expect(cards.locator(".badge--status")).to_have_text(["Active"] * shown)

    page.get_by_role("link", name="Clear filters").click()
    expect(results).to_contain_text(f"{total} aircraft")


def weights_on_page(page) -> list[float]:
    """The maximum take-off weights on the cards, in kilograms (the metric visitor's unit)."""
    weights = (
        page.locator(".aircraft-card .card__figure")
        .filter(has=page.locator("dt", has_text=re.compile(r"^Max take-off weight$")))
        .locator("dd")
        .all_text_contents()
    )
    assert all(text.endswith(" kg") for text in weights), weights
    # A weight may keep the decimals its source printed (a dataset's "886257.24 lb" is 401,999.52 kg).
    return [float(re.sub(r"[^\d.]", "", text)) for text in weights]


def test_oldest_first_goes_by_the_year_on_each_card(page):
    """A card's year is the entry into service, or the first flight where the aircraft never entered service."""
    maker = ManufacturerFactory(name="Era Works")
    AircraftFactory(manufacturer=maker, designation="E-3", name="Jet", entered_service_year=2005)
    AircraftFactory(
        manufacturer=maker,
        designation="E-1",
        name="Demonstrator",
        status=Aircraft.Status.RESEARCH,
        entered_service_year=None,
        first_flight_year=1975,
    )
    AircraftFactory(manufacturer=maker, designation="E-2", name="Trainer", entered_service_year=1990)
    AircraftFactory(manufacturer=maker, designation="E-5", name="Mock-up", entered_service_year=None)
    AircraftFactory(manufacturer=maker, designation="E-4", name="Paper Plane", entered_service_year=None)

    page.goto("/aircraft/?manufacturer=era-works&sort=oldest")
    titles = page.locator(".aircraft-card .card__title")
    expect(titles).to_have_text(["E-1 Demonstrator", "E-2 Trainer", "E-3 Jet", "E-4 Paper Plane", "E-5 Mock-up"])
    assert years_on_page(page) == [1975, 1990, 2005]  # the last two cards have no year, so no badge
    expect(page.locator(".results__note")).to_have_text(
        "Sorted by a first flight or entry-into-service year. 2 aircraft without one are listed last."
    )

    page.get_by_label("Sort by", exact=True).select_option("newest")
    page.get_by_role("button", name="Show aircraft").click()
    expect(titles).to_have_text(["E-3 Jet", "E-2 Trainer", "E-1 Demonstrator", "E-4 Paper Plane", "E-5 Mock-up"])
    assert years_on_page(page) == [2005, 1990, 1975]


def years_on_page(page) -> list[int]:
    return [int(re.sub(r"\D", "", text)) for text in page.locator(".aircraft-card .badge--year").all_text_contents()]


def test_search_with_a_typo_finds_the_aircraft(page, catalogue):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search aircraft", exact=True)
    box.fill("raptr")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=raptr$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “raptr”")
    expect(page.locator(".notice--info")).to_have_text(
        "Nothing in the catalogue matches “raptr”. Did you mean “raptor”? The results below are for “raptor”."
    )
    expect(page.locator(".results__title")).to_have_text("1 result for “raptor”")
    # the header box keeps what was typed
    expect(page.get_by_role("combobox", name="Search aircraft", exact=True)).to_have_value("raptr")

    page.locator(".aircraft-card").get_by_role("link", name=re.compile(r"F-22A")).click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))


def compare_row(page, label: str):
    table = page.get_by_role("region", name="Comparison table")
    return table.locator("tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def test_compare_two_aircraft(page, catalogue):
    without_figures("f-22a-raptor", "service_ceiling")  # one side of the comparison lacks a figure
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
        return compare_row(page, label)

    expect(row("Length").locator(".value")).to_have_text(["18.92 m", "15.4 m"])
    expect(row("Length").locator(".best-mark")).to_have_count(0)  # size is neither better nor worse
    # Both weights were published in pounds; the heavier is the best.
    expect(row("Max take-off weight").locator(".value")).to_have_text(["37,900 kg", "31,800 kg"])
    expect(row("Max take-off weight").locator(".value-alt")).to_have_text(["83,500 lb", "70,000 lb"])
    expect(row("Max take-off weight").locator("td").first).to_have_class(re.compile(r"\bbest\b"))
    expect(row("Max take-off weight").locator("td").first.locator(".best-mark")).to_be_visible()
    expect(row("Max take-off weight").locator("td").last.locator(".best-mark")).to_have_count(0)
    # Only one of them has a ceiling in the catalogue: shown, said missing for the other, never "best".
    expect(row("Service ceiling").locator("td").first).to_have_text("Not in the catalogue yet")
    expect(row("Service ceiling").locator(".value-alt")).to_have_text(["50,000 ft"])
    expect(row("Service ceiling").locator(".best-mark")).to_have_count(0)
    expect(row("Mach (maximum)").locator(".value")).to_have_text(["Mach 2", "Mach 1.6"])
    expect(row("Mach (maximum)").locator("td").first.locator(".best-mark")).to_be_visible()
    # The F-22A's ferry range and the F-35A's typical range are different quantities: two rows, no "best".
    expect(row("Range (ferry)").locator(".best-mark")).to_have_count(0)
    expect(row("Range (typical)").locator(".best-mark")).to_have_count(0)
    expect(table.locator(".best-mark")).to_have_count(2)

    table.get_by_role("link", name="F-35A Lightning II").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-35a-lightning-ii/$"))


def test_compare_marks_best_only_between_figures_of_the_same_kind(page):
    """A ferry range is longer than any typical range; it must not win the typical range's row."""
    tanker = AircraftFactory(
        designation="LR-1",
        name="Tanker",
        figures=figures_with(range=("3000", "km"), mach=("1.2", "mach")),
    )
    source = tanker.sources.get()
    Figure.objects.create(
        aircraft=tanker,
        quantity="range",
        kind="ferry",
        value="9000",
        unit="km",
        condition="with four external tanks",
        source=source,
    )
    catalogue_refresh_digests(aircraft=Aircraft.objects.filter(pk=tanker.pk))
    AircraftFactory(designation="LR-2", name="Airliner", figures=figures_with(range=("2,500", "nmi"), mach=None))

    page.goto("/compare/?a=lr-1-tanker&a=lr-2-airliner")
    expect(page.get_by_role("region", name="Comparison table").get_by_role("columnheader")).to_have_text(
        ["Specification", re.compile(r"LR-1 Tanker"), re.compile(r"LR-2 Airliner")]
    )
    typical = compare_row(page, "Range (typical)")
    expect(typical.locator(".value")).to_have_text(["3,000 km", "4,630 km"])
    expect(typical.locator(".value-alt")).to_have_text(["1,620 nmi", "2,500 nmi"])
    expect(typical.locator("td").last.locator(".best-mark")).to_be_visible()
    expect(typical.locator("td").last).to_have_class(re.compile(r"\bbest\b"))
    expect(typical.locator("td").first.locator(".best-mark")).to_have_count(0)

    ferry = compare_row(page, "Range (ferry)")
    expect(ferry.locator("td")).to_have_text(
        [re.compile(r"9,000 km\s+4,860 nmi\s+with four external tanks"), "Not in the catalogue yet"]
    )
    expect(ferry.locator(".best-mark")).to_have_count(0)  # nothing of its kind to beat
    expect(compare_row(page, "Mach (maximum)").locator(".best-mark")).to_have_count(0)  # only LR-1 has one
    expect(page.locator(".table-note")).to_contain_text("a ferry range is never compared with a typical range")


def test_metric_and_imperial_preference(page, catalogue):
    page.goto("/aircraft/f-22a-raptor/")
    expect(page.locator(".units-switch__current")).to_have_text("Units: Metric")
    expect(page.locator(".spec-table__hint")).to_have_text(
        "Metric first, imperial below; numbers in brackets point to the sources"
    )
    expect(spec_value(page, "Length")).to_have_text("18.92 m")
    # Published in feet and pounds: the metric figure is derived, to the precision the source printed.
    expect(spec_value(page, "Height")).to_have_text("5.081 m")
    expect(spec_other_value(page, "Height")).to_have_text("16.67 ft")
    expect(spec_value(page, "Max take-off weight")).to_have_text("37,900 kg")

    page.get_by_role("button", name="Show imperial units").click()
    expect(page).to_have_url(re.compile(r"/aircraft/f-22a-raptor/$"))  # back on the same page
    expect(page.locator(".units-switch__current")).to_have_text("Units: Imperial")
    expect(page.locator(".spec-table__hint")).to_contain_text("Imperial first, metric below")
    expect(spec_value(page, "Length")).to_have_text("62 ft 1 in")
    expect(spec_other_value(page, "Length")).to_have_text("18.92 m")
    # Shown as published: 16.67 ft and 83,500 lb, never a round trip through metres and kilograms.
    expect(spec_value(page, "Height")).to_have_text("16.67 ft")
    expect(spec_value(page, "Max take-off weight")).to_have_text("83,500 lb")
    expect(spec_other_value(page, "Max take-off weight")).to_have_text("37,900 kg")

    # the choice is remembered on other pages
    page.goto("/compare/?a=f-22a-raptor&a=f-16c-fighting-falcon")
    expect(page.locator(".table-note")).to_contain_text("Imperial first, metric below")
    expect(compare_row(page, "Length").locator(".value")).to_have_text(["62 ft 1 in", "49 ft 5 in"])
    expect(compare_row(page, "Max take-off weight").locator(".value")).to_have_text(["83,500 lb", "37,500 lb"])

    page.get_by_role("button", name="Show metric units").click()
    expect(page).to_have_url(re.compile(r"/compare/\?a=f-22a-raptor&a=f-16c-fighting-falcon$"))
    expect(page.locator(".table-note")).to_contain_text("Metric first, imperial below")
    expect(compare_row(page, "Max take-off weight").locator(".value")).to_have_text(["37,900 kg", "17,000 kg"])
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
    # One clear match: straight to it, with the way back to the results.
    expect(page).to_have_url(re.compile(r"/aircraft/ch-47f-chinook/\?q=chinook$"))
    page.get_by_role("link", name="All results for “chinook”").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=chinook&all=1$"))
    expect(page.locator(".aircraft-card").first).to_contain_text("Chinook")

    page.goto("/nowhere-at-all")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Browse all aircraft").click()
    expect(page).to_have_url(re.compile(r"/aircraft/$"))
