"""The pictures in a real browser: drawings, compare charts, explore and timelines,
at desktop and phone sizes, with screenshots and axe-core; explore without JavaScript."""

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft
from aircraft.stamps import catalogue_stamp_refresh

from .support import VIEWPORTS, describe, write_json

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("pictures-aircraft-c-5m", "/aircraft/c-5m-super-galaxy/"),
    ("pictures-aircraft-helicopter", "/aircraft/uh-60m-black-hawk/"),
    ("pictures-compare", "/compare/?a=c-5m-super-galaxy&a=f-22a-raptor&a=uh-60m-black-hawk"),
    ("pictures-explore", "/explore/"),
    ("pictures-explore-airliners", "/explore/?x=wingspan&y=max_takeoff_weight&role=airliner&status=active"),
    ("pictures-explore-nothing-to-plot", "/explore/?x=range&y=max_takeoff_weight&role=airliner"),
    ("pictures-manufacturer", "/manufacturers/lockheed-martin/"),
    ("pictures-credits", "/credits/"),
]

# The catalogue has no dates yet (catalogue model v2 left the ambiguous 'introduced'
# out); these published years stand in so that the timeline has something to show.
YEARS = {
    "p-38l-lightning": (1939, 1941, 1949),
    "sr-71a-blackbird": (1964, 1966, 1998),
    "u-2s-dragon-lady": (1955, 1957, None),
    "f-22a-raptor": (1997, 2005, None),
    "f-35a-lightning-ii": (2006, 2016, None),
    "f-117a-nighthawk": (1981, 1983, 2008),
    "c-130j-super-hercules": (1996, 1999, None),
    "f-16c-fighting-falcon": (1974, 1978, None),
}


@pytest.fixture
def dated(catalogue):
    for slug, (first, service, retired) in YEARS.items():
        Aircraft.objects.filter(slug=slug).update(
            first_flight_year=first, entered_service_year=service, retired_year=retired
        )
    catalogue_stamp_refresh()


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_picture_pages_are_axe_clean_and_fit_the_screen(page, viewport, dated, screenshot, axe, artifacts):
    findings, failures = {}, []
    for name, address in PAGES:
        response = page.goto(address)
        if response.status != 200:
            failures.append(f"{name}: HTTP {response.status}")
        screenshot(name)
        violations = axe()
        findings[name] = violations
        if violations:  # every impact, not only serious ones: these pages are new
            failures.append(f"{name} ({address}):\n{describe(violations)}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            failures.append(f"{name} ({address}) scrolls sideways by {overflow}px")
    write_json(artifacts / viewport / "axe-pictures.json", findings)
    assert not failures, "\n".join(failures)


def test_the_drawing_is_visible_and_named_on_the_aircraft_page(page, catalogue):
    page.goto("/aircraft/c-5m-super-galaxy/")
    drawing = page.get_by_role("img", name="C-5M Super Galaxy, drawn to scale")
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    page.get_by_role("link", name="Open the drawing on its own").click()
    assert page.url.endswith("/aircraft/c-5m-super-galaxy/drawing.svg")


def test_explore_works_without_javascript_and_keeps_its_state_in_the_address(browser, live_server, catalogue):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **VIEWPORTS["desktop"])
    refused = []
    page = context.new_page()
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    try:
        page.goto("/explore/")
        page.get_by_label("Across (x)", exact=True).select_option("wingspan")
        page.get_by_label("Up (y)", exact=True).select_option("max_takeoff_weight")
        page.get_by_label("Role", exact=True).select_option("airliner")
        page.get_by_role("button", name="Plot").click()
        assert "x=wingspan" in page.url and "y=max_takeoff_weight" in page.url and "role=airliner" in page.url
        heading = page.get_by_role("heading", name="Maximum take-off weight (kg) against wingspan (m)")
        expect(heading).to_be_visible()
        first = page.locator("svg.chart--scatter a").last  # drawn last, so on top of any it overlaps
        target = first.get_attribute("href")
        first.click()
        assert page.url.endswith(target)
        assert not refused, refused  # the SVG needs no inline style the policy would refuse
    finally:
        context.close()
