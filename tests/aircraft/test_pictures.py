"""The pictures on the pages, drawn from factory-made aircraft: manufacturer timelines
and an explore plot with nothing to plot (the shipped catalogue's pictures are in
test_pictures_of_the_catalogue.py)."""

import pytest
from django.utils import timezone

from tests.factories import AircraftFactory, ManufacturerFactory

from .svg import NS, svgs

pytestmark = pytest.mark.django_db


def test_a_manufacturer_page_shows_its_aircraft_on_a_timeline(client):
    maker = ManufacturerFactory(name="Lockheed", slug="lockheed")
    AircraftFactory(
        manufacturer=maker,
        designation="P-38L",
        first_flight_year=1939,
        entered_service_year=1941,
        retired_year=1949,
        status="retired",
    )
    AircraftFactory(manufacturer=maker, designation="F-22A", first_flight_year=1997, entered_service_year=2005)
    AircraftFactory(manufacturer=maker, designation="X-99", first_flight_year=None, entered_service_year=None)
    html = client.get("/manufacturers/lockheed/").content.decode()
    (timeline,) = [s for s in svgs(html) if "chart--timeline" in (s.get("class") or "")]
    bars = {e.get("data-start"): e.get("data-end") for e in timeline.iter(f"{NS}rect") if e.get("data-start")}
    assert bars == {"1939": "1949", "1997": str(timezone.localdate().year)}
    label = timeline.get("aria-label")
    assert "P-38L" in label and "retired 1949" in label and "X-99" in label
    assert "first flight not in the catalogue yet" in label


def test_a_manufacturer_without_dates_says_there_is_no_timeline_yet(client):
    plane = AircraftFactory(first_flight_year=None, entered_service_year=None)
    html = client.get(plane.manufacturer.get_absolute_url()).content.decode()
    assert "chart--timeline" not in html
    assert "No first flight or service dates in the catalogue yet" in html


def test_explore_with_nothing_to_plot_says_so_instead_of_an_empty_chart(client):
    AircraftFactory(role="airliner", figures={("length", "overall"): ("40", "m")})
    html = client.get("/explore/?x=length&y=max_takeoff_weight&role=airliner").content.decode()
    assert "chart--scatter" not in html
    assert "0 of 1 aircraft plotted; 1 without both figures in the catalogue are left out" in html
    assert "No aircraft matches these filters with both figures in the catalogue." in html
