"""Issue 15, items 2, 3, 4, 6, 8 and 9, as a visitor meets them in Chromium: filters said
in words, paging past the end, HEAD, no "0 views" and a phone-width manufacturer table,
link previews with a picture and structured data, the sitemap and robots.txt, downloads."""

import csv
import io
import json
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from aircraft.models import Aircraft, Manufacturer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# --- 2. Filters say what they filter ---------------------------------------------------


def test_filters_show_as_removable_chips_with_a_count_and_in_the_title(page, catalogue):
    page.goto("/aircraft/")
    expect(page).to_have_title("All aircraft · HangarStack")
    expect(page.locator(".active-filters")).to_have_count(0)

    page.get_by_label("Manufacturer", exact=True).select_option(label="Boeing")
    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_role("button", name="Show aircraft").click()
    both = Aircraft.objects.filter(manufacturer__slug="boeing", status="active").count()
    boeing = Aircraft.objects.filter(manufacturer__slug="boeing").count()
    assert both < boeing

    expect(page).to_have_title(f"Aircraft: Boeing, Active ({both} found) · HangarStack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aircraft: Boeing, Active")
    chips = page.locator(".active-filters .chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_have_accessible_name("Manufacturer: Boeing (remove this filter)")
    expect(chips.nth(1)).to_contain_text("Status: Active")
    expect(page.locator(".active-filters__summary")).to_have_text(f"{both} aircraft match these filters:")

    # Removing the status chip keeps the manufacturer.
    chips.nth(1).click()
    expect(page).to_have_url(re.compile(r"/aircraft/\?manufacturer=boeing(&sort=manufacturer)?$"))
    expect(page).to_have_title(f"Aircraft: Boeing ({boeing} found) · HangarStack")
    expect(page.locator(".active-filters .chip")).to_have_text([re.compile(r"Manufacturer:\s+Boeing")])
    expect(page.locator(".results__title")).to_contain_text(f"{boeing} aircraft")

    page.locator(".active-filters .chip").click()
    expect(page).to_have_title("All aircraft · HangarStack")
    expect(page.locator(".active-filters")).to_have_count(0)


# --- 3. Paging past the end --------------------------------------------------------------------


def test_paging_past_the_end_lands_on_the_last_page_with_the_filters(page, catalogue):
    active = Aircraft.objects.filter(status="active").count()
    last = -(-active // 24)
    assert last > 1
    response = page.goto("/aircraft/?status=active&sort=oldest&page=99")
    assert response.status == 200 and response.request.redirected_from is not None
    expect(page).to_have_url(re.compile(rf"/aircraft/\?status=active&sort=oldest&page={last}$"))
    expect(page.locator(".aircraft-card")).to_have_count(active - 24 * (last - 1))
    expect(page.locator(".results__title")).to_contain_text(f"showing {24 * (last - 1) + 1}–{active}")
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("oldest")

    # A search goes to its last page too; the API says where the last page is.
    page.goto("/search/?q=boeing&page=40")
    expect(page).to_have_url(re.compile(r"/search/\?q=boeing(&page=\d+)?$"))
    expect(page.locator(".aircraft-card").first).to_be_visible()
    api = page.request.get("/api/aircraft/?status=active&page=99")
    assert api.status == 404
    error = api.json()["error"]
    assert error["pages"] == -(-active // 50) and error["last"].endswith(f"status=active&page={error['pages']}")
    assert page.request.get(error["last"]).ok


# --- 4. HEAD ---------------------------------------------------------------------------------------


def test_every_public_page_answers_head(page, catalogue):
    """Every page the sitemap lists, and the pages it does not (lists with filters, search,
    the API, downloads, the card picture), answer HEAD as they answer GET, without a body."""
    index = page.request.get("/sitemap.xml").text()
    listed = []
    for section in re.findall(r"<loc>(.*?)</loc>", index):
        listed += re.findall(r"<loc>(.*?)</loc>", page.request.get(section).text())
    assert len(listed) > Aircraft.objects.count() + Manufacturer.objects.count()
    others = [
        "/sitemap.xml",
        "/robots.txt",
        "/aircraft/?role=fighter&sort=fastest",
        "/aircraft/catalogue.csv?role=fighter",
        "/aircraft/catalogue.json?role=fighter",
        "/aircraft/f-22a-raptor/card.png",
        "/aircraft/f-22a-raptor/drawing.svg",
        "/search/suggest?q=rap",
        "/aircraft/f-22a-raptor/corrections/",
        "/search/?q=boeing",
        "/compare/?a=f-22a-raptor&a=sr-71a-blackbird",
        "/api/",
        "/api/openapi.json",
        "/api/aircraft/",
        "/api/aircraft/f-22a-raptor/",
        "/api/manufacturers/boeing/",
        "/health",
    ]
    failures = []
    for address in [*listed, *others]:
        head = page.request.head(address)
        if head.status != 200 or head.body() != b"":
            failures.append(f"HEAD {address}: {head.status}, {len(head.body())} bytes")
    assert failures == []
    get = page.request.get("/aircraft/f-22a-raptor/")
    head = page.request.head("/aircraft/f-22a-raptor/")
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]


# --- 6. No "0 views"; the manufacturer table on a phone -----------------------------------------------


def test_a_fresh_page_says_nothing_about_views(page, catalogue):
    page.goto("/aircraft/f-22a-raptor/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("F-22A")
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b0 views\b"))
    expect(page.locator(".view-count")).to_have_count(0)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_phone_manufacturer_table_shows_status_without_scrolling(page, viewport, catalogue, screenshot):
    page.goto("/manufacturers/boeing/")
    table = page.get_by_role("region", name="Table of Boeing aircraft")
    screenshot("manufacturer-table-phone")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    width = page.viewport_size["width"]
    header = table.get_by_role("columnheader", name="Status").bounding_box()
    assert header["x"] + header["width"] <= width, "the Status column is off-screen"
    statuses = table.locator("tbody .badge--status")
    assert statuses.count() == Aircraft.objects.filter(manufacturer__slug="boeing").count()
    for index in range(statuses.count()):
        box = statuses.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, index
    # No manufacturer's table scrolls sideways, whatever its names.
    too_wide = []
    for maker in Manufacturer.objects.filter(aircraft__isnull=False).distinct().order_by("slug"):
        page.goto(maker.get_absolute_url())
        scroller = page.locator(".table-scroll")
        if not scroller.evaluate("el => el.scrollWidth <= el.clientWidth"):
            too_wide.append(maker.slug)
    assert too_wide == []
    page.goto("/manufacturers/boeing/")
    # The role is still there, under the aircraft's name.
    expect(table.get_by_role("rowheader", name=re.compile(r"^B-52H Stratofortress\s*Bomber$"))).to_be_visible()


# --- 8. Permalinks and sharing ---------------------------------------------------------------------------


def meta(page, attribute: str, name: str) -> str:
    return page.locator(f'head meta[{attribute}="{name}"]').get_attribute("content")


def test_aircraft_page_has_a_canonical_url_link_previews_and_structured_data(browser, live_server, catalogue):
    # A context that enforces the Content-Security-Policy (the shared one bypasses it for axe-core).
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        violations = []
        page.on(
            "console", lambda message: violations.append(message.text) if "Content Security" in message.text else None
        )
        response = page.goto("/aircraft/f-22a-raptor/?utm_source=newsletter")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        url = f"{live_server.url}/aircraft/f-22a-raptor/"
        expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", url)
        assert meta(page, "property", "og:url") == url
        assert meta(page, "property", "og:title") == "Lockheed Martin F-22A Raptor"
        assert "F-22A Raptor" in meta(page, "property", "og:description")
        assert meta(page, "name", "twitter:card") == "summary_large_image"
        image = meta(page, "property", "og:image")
        assert image == meta(page, "name", "twitter:image") == f"{url}card.png"
        assert meta(page, "property", "og:image:alt")

        picture = page.request.get(image)
        assert picture.headers["content-type"] == "image/png"
        body = picture.body()
        assert body[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", body[16:24]) == (1200, 630)
        assert (int(meta(page, "property", "og:image:width")), int(meta(page, "property", "og:image:height"))) == (
            1200,
            630,
        )

        blocks = page.locator('script[type="application/ld+json"]')
        expect(blocks).to_have_count(1)
        data = json.loads(blocks.text_content())
        assert data["@context"] == "https://schema.org" and data["@type"] == "Vehicle"
        assert data["name"] == "Lockheed Martin F-22A Raptor" and data["url"] == url
        assert data["manufacturer"] == {
            "@type": "Organization",
            "name": "Lockheed Martin",
            "url": f"{live_server.url}/manufacturers/lockheed-martin/",
        }
        wingspan = Aircraft.objects.get(slug="f-22a-raptor").figures.get(quantity="wingspan")
        shown = next(p for p in data["additionalProperty"] if p["name"] == "Wingspan")
        assert (shown["value"], shown["unitText"]) == (str(wingspan.value), wingspan.unit)  # as published
        page.wait_for_load_state("load")
        assert violations == []  # the data block breaks no Content-Security-Policy rule
    finally:
        context.close()


def test_sitemap_and_robots_txt(page, catalogue, live_server):
    robots = page.request.get("/robots.txt")
    assert robots.ok and f"Sitemap: {live_server.url}/sitemap.xml" in robots.text()
    index = page.request.get("/sitemap.xml")
    assert index.headers["content-type"].startswith("application/xml")
    listed = set()
    for section in re.findall(r"<loc>(.*?)</loc>", index.text()):
        listed |= set(re.findall(r"<loc>(.*?)</loc>", page.request.get(section).text()))
    assert f"{live_server.url}/aircraft/f-22a-raptor/" in listed
    assert f"{live_server.url}/manufacturers/lockheed-martin/" in listed
    assert {
        f"{live_server.url}{path}" for path in ("/", "/aircraft/", "/manufacturers/", "/compare/", "/api/docs/")
    } <= listed
    assert len([u for u in listed if "/aircraft/" in u and u.count("/") == 5]) == Aircraft.objects.count()
    assert len([u for u in listed if "/manufacturers/" in u and u.count("/") == 5]) == Manufacturer.objects.count()


# --- 9. Downloads -------------------------------------------------------------------------------------------


def test_download_the_filtered_list_as_csv_and_json_with_its_terms(page, catalogue):
    page.goto("/aircraft/?role=helicopter&sort=newest&page=1")
    helicopters = set(Aircraft.objects.filter(role="helicopter").values_list("slug", flat=True))
    downloads = page.get_by_role("region", name="Download this list")
    expect(downloads).to_contain_text("CC BY 4.0")
    expect(downloads).to_contain_text("each cited to the published source")

    with page.expect_download() as csv_download:
        downloads.get_by_role("link", name="CSV").click()
    assert csv_download.value.suggested_filename == "hangarstack-aircraft.csv"
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    assert {row["slug"] for row in rows} == helicopters
    row = next(r for r in rows if r["quantity"])  # a figure, as the API gives it
    api = page.request.get(f"/api/aircraft/{row['slug']}/").json()
    same = next(f for f in api["figures"] if (f["quantity"], f["kind"]) == (row["quantity"], row["kind"]))
    assert (row["value"], row["unit"], row["metric_unit"]) == (same["value"], same["unit"], same["metric_unit"])
    assert float(row["metric_value"]) == same["metric_value"] and row["source_url"] == same["source"]["url"]
    assert sum(1 for r in rows if r["slug"] == row["slug"]) == len(api["figures"])

    with page.expect_download() as json_download:
        downloads.get_by_role("link", name="JSON").click()
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert {a["slug"] for a in data["aircraft"]} == helicopters and data["count"] == len(helicopters)
    assert data["licence"] == "CC BY 4.0" and "cited to the published source" in data["terms"]
    assert next(a for a in data["aircraft"] if a["slug"] == row["slug"])["figures"] == api["figures"]

    page.goto("/aircraft/")
    expect(page.get_by_role("region", name="Download the catalogue").get_by_role("link", name="CSV")).to_have_attribute(
        "href", "/aircraft/catalogue.csv"
    )
