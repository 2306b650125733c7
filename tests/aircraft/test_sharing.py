"""HEAD on every page, the filter chips, downloads, link previews, structured data, sitemap and robots.txt."""

import csv
import io
import json
import re
import struct
import zlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aircraft import signals
from aircraft.card import HEIGHT, WIDTH, card_png
from aircraft.downloads import CSV_FIELDS, TERMS
from aircraft.models import Manufacturer
from tests.factories import AircraftFactory, ManufacturerFactory, figures_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def planes():
    lockheed = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    boeing = ManufacturerFactory(name="Boeing", slug="boeing")
    raptor = AircraftFactory(
        manufacturer=lockheed, designation="F-22A", name="Raptor", slug="f-22a-raptor", role="fighter"
    )
    AircraftFactory(manufacturer=boeing, designation="B-17G", slug="b-17g", role="bomber", status="retired")
    AircraftFactory(
        manufacturer=boeing,
        designation="AH-64E",
        slug="ah-64e",
        role="helicopter",
        figures=figures_with(rotor_diameter=("14.63", "m")),
    )
    return raptor


def views_sent(client, method: str, url: str) -> list:
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    signals.aircraft_viewed.connect(receiver)
    try:
        response = getattr(client, method)(url)
    finally:
        signals.aircraft_viewed.disconnect(receiver)
    return [response, seen]


# --- HEAD ----------------------------------------------------------------------------

PAGES = [
    "/",
    "/manufacturers/",
    "/manufacturers/boeing/",
    "/aircraft/",
    "/aircraft/?role=fighter",
    "/aircraft/f-22a-raptor/",
    "/aircraft/f-22a-raptor/corrections/",
    "/aircraft/f-22a-raptor/card.png",
    "/aircraft/f-22a-raptor/drawing.svg",
    "/explore/",
    "/credits/",
    "/search/suggest?q=rap",
    "/aircraft/catalogue.csv",
    "/aircraft/catalogue.json",
    "/compare/?a=f-22a-raptor&a=b-17g",
    "/search/?q=boeing",
    "/sitemap.xml",
    "/sitemap-aircraft.xml",
    "/robots.txt",
    "/api/",
    "/api/docs/",
    "/api/openapi.json",
    "/api/aircraft/",
    "/api/aircraft/f-22a-raptor/",
    "/api/manufacturers/",
    "/api/manufacturers/boeing/",
    "/health",
    "/metrics",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_that_answers_get_answers_head_with_its_headers_and_no_body(client, planes, url):
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == 200, url
    assert head.status_code == 200, url
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("cached_first", [False, True])
def test_head_is_not_a_view(client, planes, cached_first):
    url = planes.get_absolute_url()
    if cached_first:
        client.get(url)  # now the page cache holds it, signals and all
    response, seen = views_sent(client, "head", url)
    assert response.status_code == 200 and seen == []
    response, seen = views_sent(client, "get", url)  # a GET after a HEAD is still counted
    assert response.status_code == 200 and len(seen) == 1


def test_head_of_a_cached_page_gives_its_length_and_etag(client, planes):
    get = client.get("/aircraft/")
    head = client.head("/aircraft/")
    assert head["ETag"] == get["ETag"]
    assert int(head["Content-Length"]) == len(get.content)


# --- Filters said in words ------------------------------------------------------------


def test_active_filters_are_chips_with_a_count_and_in_the_title(client, planes):
    response = client.get("/aircraft/?manufacturer=boeing&role=bomber&sort=newest")
    body = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title.startswith("Aircraft: Boeing, Bomber (1 found)")
    chips = response.context["active_filters"]
    assert [(c["name"], c["value"]) for c in chips] == [("Manufacturer", "Boeing"), ("Role", "Bomber")]
    # Removing one keeps the others and the order, and goes back to the first page.
    assert chips[0]["remove_url"] == "/aircraft/?role=bomber&sort=newest"
    assert chips[1]["remove_url"] == "/aircraft/?manufacturer=boeing&sort=newest"
    assert "1 aircraft match these filters" in body


def test_unfiltered_catalogue_has_no_chips(client, planes):
    response = client.get("/aircraft/?sort=newest")
    assert response.context["active_filters"] == [] and "<title>All aircraft" in response.content.decode()


# --- Downloads ----------------------------------------------------------------------------


def test_json_download_is_the_filtered_list_in_the_apis_shape_with_terms(client, planes):
    response = client.get("/aircraft/catalogue.json?manufacturer=boeing&page=3")
    data = response.json()
    assert response["Content-Disposition"] == 'attachment; filename="hangarstack-aircraft.json"'
    assert data["count"] == 2 and {a["slug"] for a in data["aircraft"]} == {"b-17g", "ah-64e"}
    assert data["terms"] == TERMS and data["licence"] == "CC BY 4.0"
    assert 'rel="license"' in response["Link"]
    api = client.get("/api/aircraft/ah-64e/").json()
    mine = next(a for a in data["aircraft"] if a["slug"] == "ah-64e")
    assert mine["figures"] == api["figures"]  # same fields, same units


def test_csv_download_has_one_row_per_figure_with_units_and_source(client, planes):
    response = client.get("/aircraft/catalogue.csv?role=helicopter")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_FIELDS
    api = client.get("/api/aircraft/ah-64e/").json()["figures"]
    assert len(rows) == len(api) and {r["slug"] for r in rows} == {"ah-64e"}
    rotor = next(r for r in rows if r["quantity"] == "rotor_diameter")
    assert (rotor["value"], rotor["unit"], rotor["metric_unit"]) == ("14.63", "m", "m")
    assert rotor["source_url"].startswith("http")


@pytest.mark.parametrize("url", ["/aircraft/catalogue.json", "/aircraft/catalogue.csv"])
def test_a_download_takes_as_many_queries_for_many_aircraft_as_for_few(client, planes, url):
    def queries() -> int:
        cache.clear()  # a fresh download, not the stored one
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    boeing = Manufacturer.objects.get(slug="boeing")
    base = AircraftFactory(manufacturer=boeing, figures=figures_with(length=("70.66", "m")))
    for _ in range(5):
        AircraftFactory(manufacturer=boeing, variant_of=base, figures=figures_with(wingspan=("64.4", "m")))
    assert queries() == few


def test_download_with_a_bad_filter_is_a_400(client, planes):
    assert client.get("/aircraft/catalogue.csv?decade=1965").status_code == 400


def test_download_larger_than_the_limit_asks_for_narrower_filters(client, planes, settings):
    settings.DOWNLOAD_MAX_AIRCRAFT = 2
    response = client.get("/aircraft/catalogue.json")
    assert response.status_code == 400 and "narrow the filters" in response.json()["error"]["message"]


def test_catalogue_page_offers_no_download_larger_than_the_limit(client, planes, settings):
    settings.DOWNLOAD_MAX_AIRCRAFT = 2
    body = client.get("/aircraft/").content.decode()
    assert "catalogue.csv" not in body and "One download holds at most 2 aircraft" in body
    assert "catalogue.csv" in client.get("/aircraft/?manufacturer=boeing").content.decode()


def test_catalogue_page_links_the_downloads_for_the_current_filters(client, planes):
    body = client.get("/aircraft/?role=bomber&page=1").content.decode()
    assert 'href="/aircraft/catalogue.csv?role=bomber"' in body
    assert 'href="/aircraft/catalogue.json?role=bomber"' in body
    assert "CC BY 4.0" in body


# --- Link previews and structured data -----------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_card_is_a_png_of_the_open_graph_size(client, planes):
    response = client.get("/aircraft/ah-64e/card.png")
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (WIDTH, HEIGHT) == (1200, 630)
    assert client.get("/aircraft/no-such/card.png").status_code == 404


def test_card_is_drawn_to_the_aircrafts_proportions():
    def shape_pixels(png: bytes) -> int:
        raw = zlib.decompress(png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8])
        return raw.count(bytes((236, 242, 248)))

    narrow = card_png(length_m=20, span_m=8, rotorcraft=False)
    wide = card_png(length_m=20, span_m=40, rotorcraft=False)
    assert narrow != wide and shape_pixels(narrow) > 0 and shape_pixels(wide) > 0


def test_aircraft_page_has_canonical_open_graph_twitter_and_json_ld(client, planes):
    body = client.get("/aircraft/f-22a-raptor/?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/aircraft/f-22a-raptor/">' in body
    assert '<meta property="og:url" content="http://testserver/aircraft/f-22a-raptor/">' in body
    assert '<meta property="og:image" content="http://testserver/aircraft/f-22a-raptor/card.png">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    assert '<meta property="og:title" content="Lockheed Martin F-22A Raptor">' in body
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Vehicle" and data["name"] == "Lockheed Martin F-22A Raptor"
    assert data["manufacturer"]["name"] == "Lockheed Martin"
    assert data["image"] == "http://testserver/aircraft/f-22a-raptor/card.png"


def test_json_ld_cannot_close_its_script_element(client):
    plane = AircraftFactory(description="Says </script><script>alert(1)</script> in its text")
    body = client.get(plane.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    assert "alert(1)" in json.loads(block)["description"] and "<" not in block


def test_filtered_list_is_its_own_canonical_page(client, planes):
    body = client.get("/aircraft/?role=bomber").content.decode()
    assert '<link rel="canonical" href="http://testserver/aircraft/?role=bomber">' in body


# --- Sitemap and robots.txt -------------------------------------------------------------------


def test_sitemap_lists_every_public_page(client, planes):
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>(.*?)</loc>", index)
    assert sections == [f"http://testserver/sitemap-{name}.xml" for name in ("pages", "manufacturers", "aircraft")]
    listed = set()
    for section in sections:
        listed |= set(re.findall(r"<loc>(.*?)</loc>", client.get(section).content.decode()))
    expected = {
        "http://testserver" + reverse(name)
        for name in (
            "aircraft:home",
            "aircraft:aircraft-list",
            "aircraft:manufacturer-list",
            "aircraft:compare",
            "aircraft:explore",
            "aircraft:credits",
        )
    }
    expected |= {"http://testserver/api/docs/"}
    expected |= {f"http://testserver/aircraft/{slug}/" for slug in ("f-22a-raptor", "b-17g", "ah-64e")}
    expected |= {f"http://testserver/manufacturers/{slug}/" for slug in ("lockheed-martin", "boeing")}
    assert listed == expected
    for url in listed:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_unknown_sitemap_section_is_404(client, planes):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "User-agent: *" in text and "Sitemap: http://testserver/sitemap.xml" in text
    assert "admin" not in text  # a moved admin is not announced
