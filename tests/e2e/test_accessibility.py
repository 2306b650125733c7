"""Every public page: a screenshot for a person, axe-core for serious problems, the keyboard for the rest."""

import re

import pytest
from playwright.sync_api import expect

from aircraft.models import Figure
from tests.factories import AircraftFactory

from .support import add_manufacturer_source, aircraft_with_kinds_and_two_sources, describe, serious, write_json

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (screenshot name, address, expected status). Every public template, in each state a visitor meets.
PUBLIC_PAGES = [
    ("home", "/", 200),
    ("manufacturers", "/manufacturers/", 200),
    ("manufacturer", "/manufacturers/lockheed-martin/", 200),
    ("aircraft-list", "/aircraft/", 200),
    ("aircraft-list-filtered-page-2", "/aircraft/?status=active&sort=oldest&page=2", 200),
    ("aircraft-list-no-match", "/aircraft/?manufacturer=atr&role=bomber", 200),
    ("aircraft-list-two-chips", "/aircraft/?manufacturer=boeing&role=airliner&decade=1990", 200),
    ("aircraft-list-bad-filter", "/aircraft/?decade=1965", 400),
    ("aircraft", "/aircraft/f-22a-raptor/", 200),
    ("aircraft-no-figures-published", "/aircraft/f-35b-lightning-ii/", 200),
    ("compare", "/compare/", 200),
    ("compare-one-chosen", "/compare/?a=f-22a-raptor", 200),
    ("compare-two", "/compare/?a=f-22a-raptor&a=f-35a-lightning-ii", 200),
    ("compare-four", "/compare/?a=f-22a-raptor&a=f-35a-lightning-ii&a=f-16c-fighting-falcon&a=sr-71a-blackbird", 200),
    ("search", "/search/", 200),
    ("search-results", "/search/?q=boeing", 200),
    ("search-partial", "/search/?q=supersonic+stealth+fighter", 200),
    ("search-typo", "/search/?q=raptr", 200),
    ("search-no-results", "/search/?q=qqqqqqqq", 200),
    ("not-found", "/no-such-page/", 404),
    ("bad-request", "/search/?q=boeing&page=abc", 400),
    ("api-docs", "/api/docs/", 200),
    ("suggest-correction", "/aircraft/f-22a-raptor/corrections/", 200),
    ("suggest-correction-sent", "/aircraft/f-22a-raptor/corrections/?sent=1", 200),
]


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_public_pages_have_no_serious_accessibility_violation(page, viewport, catalogue, screenshot, axe, artifacts):
    """Screenshots of every public page land in artifacts/e2e/<viewport>/; axe-core's full
    findings in artifacts/e2e/<viewport>/axe.json. Fails on any serious or critical violation,
    on a wrong status and, on a phone, on a page that scrolls sideways."""
    findings, failures = {}, []
    pages = [*PUBLIC_PAGES, ("aircraft-imperial", "/aircraft/f-22a-raptor/", 200)]
    for name, address, status in pages:
        if name == "aircraft-imperial":
            page.get_by_role("button", name="Show imperial units").click()
            expect(page.locator(".units-switch__current")).to_have_text("Units: Imperial")
        else:
            response = page.goto(address)
            if response.status != status:
                failures.append(f"{name} ({address}): HTTP {response.status}, expected {status}")
        screenshot(name)
        violations = axe()
        findings[name] = violations
        if serious(violations):
            failures.append(f"{name} ({address}):\n{describe(serious(violations))}")
        if viewport == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                failures.append(f"{name} ({address}) scrolls sideways by {overflow}px on a phone")
    write_json(artifacts / viewport / "axe.json", findings)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_data_sheet_with_source_markers_has_no_violation_at_all(page, viewport, screenshot, axe, artifacts):
    """A data sheet with kinds, conditions, source markers, the numbered source list and a
    variant's inherited figures: axe-core finds nothing at any impact, before and after a
    marker is followed by keyboard."""
    base = aircraft_with_kinds_and_two_sources()
    variant = AircraftFactory(
        manufacturer=base.manufacturer,
        designation="TX-9B",
        name="Longreach",
        variant_of=base,
        figures={("max_takeoff_weight", "overall"): ("52,000", "lb")},
    )
    brochure = add_manufacturer_source(variant, "brochure", "TX-9B brochure", "https://example.com/tx-9b/brochure.pdf")
    Figure.objects.create(
        aircraft=variant, quantity="passengers", kind="typical", value="8", unit="count", source=brochure
    )

    findings = {}
    for name, plane in (("aircraft-with-sources", base), ("aircraft-variant", variant)):
        page.goto(plane.get_absolute_url())
        expect(page.locator(".source-marker").first).to_be_visible()
        findings[name] = axe()
        screenshot(name)
    # The variant marks what it inherits and credits the base type's sources to it.
    expect(page.locator(".sources__list li")).to_have_count(4)
    expect(page.locator(".sources__list")).to_contain_text("for the TX-9 Longreach")
    expect(page.locator(".spec-table").get_by_text("from the TX-9 Longreach").first).to_be_visible()

    # Tab to a figure's marker, follow it with Enter, and check the page as it is then.
    page.goto(base.get_absolute_url())
    marker = page.locator(".spec-table tr", has_text="Range (ferry)").get_by_role("link", name="source 2")
    for _ in range(200):
        page.keyboard.press("Tab")
        if marker.evaluate("el => el === document.activeElement"):
            break
    expect(marker).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#source-2$"))
    expect(page.locator("#source-2")).to_be_in_viewport()
    findings["aircraft-source-followed"] = axe()
    screenshot("aircraft-source-followed")

    write_json(artifacts / viewport / "axe-datasheet.json", findings)
    problems = {name: found for name, found in findings.items() if found}
    assert not problems, "\n".join(f"{name}:\n{describe(found)}" for name, found in problems.items())


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_keyboard_alone_reaches_the_search_and_the_main_links(page, catalogue):
    page.goto("/")

    # The first Tab shows the skip link, and it takes focus past the header.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # From the top, Tab walks the header in reading order, each stop visibly focused.
    page.goto("/")
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return {
                        name: (el.getAttribute('aria-label') || el.labels?.[0]?.textContent
                               || el.textContent || '').trim().replace(/\\s+/g, ' '),
                        tag: el.tagName.toLowerCase(),
                        ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    };
                }"""
            )
        )
    names = [stop["name"] for stop in stops]
    expected = [
        "Skip to main content",
        "Show imperial units",
        "HangarStack",
        "Aircraft",
        "Manufacturers",
        "Compare",
        "Explore",
        "API",
        "Search aircraft",
        "Search",
    ]
    assert names[: len(expected)] == expected, names
    unringed = [stop["name"] for stop in stops[: len(expected)] if not stop["ring"]]
    assert not unringed, f"no visible focus ring on {unringed}"

    # Typing into the search box and pressing Enter searches.
    page.goto("/")
    for _ in range(expected.index("Search aircraft") + 1):
        page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Search aircraft", exact=True)).to_be_focused()
    page.keyboard.type("lockheed transport")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=lockheed\+transport$"))
    expect(page.locator(".aircraft-card").first).to_contain_text("Hercules")

    # Suggestions as you type, chosen with the keyboard alone.
    page.goto("/")
    box = page.get_by_role("combobox", name="Search aircraft", exact=True)
    box.focus()
    page.keyboard.type("globemas")
    listbox = page.get_by_role("listbox", name="Suggested aircraft")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_contain_text("C-17A Globemaster III")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"-suggestions-0$"))
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens the list again
    expect(listbox).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/aircraft/c-17a-globemaster-iii/$"))

    # A main link followed with Enter alone.
    page.goto("/")
    for _ in range(expected.index("Manufacturers") + 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/manufacturers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manufacturers")
