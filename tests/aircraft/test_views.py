import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aircraft.models import (
    Aircraft,
    AircraftDailyViews,
    AircraftViewTotal,
    CatalogueRelease,
    SearchTotal,
)
from tests.factories import AircraftFactory, ManufacturerFactory, figures_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def raptor():
    maker = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    return AircraftFactory(
        manufacturer=maker,
        designation="F-22A",
        name="Raptor",
        slug="f-22a-raptor",
        entered_service_year=2005,
        role="fighter",
    )


@pytest.fixture
def fleet(raptor):
    boeing = ManufacturerFactory(name="Boeing", slug="boeing")
    AircraftFactory(
        manufacturer=boeing,
        designation="B-17G",
        name="Flying Fortress",
        slug="b-17g",
        entered_service_year=1938,
        status="retired",
        role="bomber",
        figures=figures_with(mach=None, max_speed=("250", "kn"), range=("3,750", "km", ("range", "ferry"))),
    )
    AircraftFactory(
        manufacturer=raptor.manufacturer,
        designation="SR-71A",
        name="Blackbird",
        slug="sr-71a",
        entered_service_year=1966,
        status="retired",
        role="reconnaissance",
        # Mach 3.2, though its knots figure (sea level) is below the F-22A's at altitude.
        figures=figures_with(mach=("3.2", "mach"), max_speed=("900", "kn", ("max_speed", "sea-level"))),
    )
    CatalogueRelease.objects.create(version="2026.11.0", date="2026-11-27")
    return raptor


def grow_catalogue(count=30):
    makers = [ManufacturerFactory() for _ in range(3)]
    for i in range(count):
        AircraftFactory(manufacturer=makers[i % 3], entered_service_year=1950 + i)


def queries_for(client, url):
    cache.clear()  # both measurements start cold, as after any catalogue change
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    "/",
    "/manufacturers/",
    "/manufacturers/lockheed-martin/",
    "/aircraft/",
    "/aircraft/?role=fighter&status=active&decade=2000&sort=newest",
    "/aircraft/f-22a-raptor/",
    "/compare/?a=f-22a-raptor&a=sr-71a",
    "/search/?q=raptor&all=1",
    "/search/?q=raptr",
    "/search/?q=lockheed+reconnaissance+bomber",
    "/search/suggest?q=rap",
    "/api/manufacturers/",
    "/api/manufacturers/lockheed-martin/",
    "/api/aircraft/",
    "/api/aircraft/?q=f22&role=fighter",
    "/api/aircraft/f-22a-raptor/",
]


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_the_catalogue(client, fleet, url):
    small = queries_for(client, url)
    grow_catalogue()
    for i in range(10):
        AircraftFactory(manufacturer=fleet.manufacturer, designation=f"F-22X{i}", name=f"Raptor {i}")
    assert queries_for(client, url) == small
    assert small <= 10


def test_home_shows_counts_release_and_manufacturers(client, fleet):
    response = client.get("/")
    body = response.content.decode()
    assert response.context["counts"]["aircraft"] == 3
    assert response.context["counts"]["retired"] == 2
    assert "2026.11.0" in body
    assert "Lockheed Martin" in body and "Boeing" in body
    assert 'name="q"' in body


def test_home_shows_what_the_consumer_learned(client, fleet):
    sr71 = Aircraft.objects.get(slug="sr-71a")
    AircraftViewTotal.objects.create(aircraft=fleet, views=42)
    AircraftDailyViews.objects.create(aircraft=fleet, day=timezone.localdate(), views=7)
    AircraftDailyViews.objects.create(aircraft=sr71, day=timezone.localdate(), views=3)
    SearchTotal.objects.create(query="blackbird", searches=5, last_result_count=1, top_aircraft=sr71)
    response = client.get("/")
    body = response.content.decode()
    assert [row.aircraft for row in response.context["most_viewed"]] == [fleet]
    # Rising, and not a repeat of the most viewed panel.
    assert [(plane, plane.recent_views) for plane in response.context["trending"]] == [(sr71, 3)]
    # Popular searches are published as the aircraft they found.
    assert response.context["popular_searches"] == [sr71]
    assert "found by 5 searches" in body


def test_trending_means_rising_against_the_weeks_before(client, fleet):
    today = timezone.localdate()
    steady = Aircraft.objects.get(slug="b-17g")
    rising = Aircraft.objects.get(slug="sr-71a")
    for weeks_ago in (1, 2, 3):  # an average week before: 30 views for the steady one, 1 for the rising one
        day = today - timezone.timedelta(days=7 * weeks_ago)
        AircraftDailyViews.objects.create(aircraft=steady, day=day, views=30)
        AircraftDailyViews.objects.create(aircraft=rising, day=day, views=1)
    AircraftDailyViews.objects.create(aircraft=steady, day=today, views=25)  # more views, but falling
    AircraftDailyViews.objects.create(aircraft=rising, day=today, views=12)
    AircraftDailyViews.objects.create(aircraft=fleet, day=today - timezone.timedelta(days=30), views=99)  # too old
    response = client.get("/")
    assert [plane.slug for plane in response.context["trending"]] == ["sr-71a"]


def test_popular_searches_publish_aircraft_never_typed_text(client, fleet):
    sr71 = Aircraft.objects.get(slug="sr-71a")
    SearchTotal.objects.create(query="or 1 1", searches=50, last_result_count=3, top_aircraft=fleet, hidden=True)
    SearchTotal.objects.create(query="raptr", searches=9, last_result_count=1, top_aircraft=fleet)
    SearchTotal.objects.create(query="sr71", searches=4, last_result_count=1, top_aircraft=sr71)
    SearchTotal.objects.create(query="blackbrd", searches=3, last_result_count=1, top_aircraft=sr71)
    SearchTotal.objects.create(query="zeppelin", searches=99, last_result_count=0)
    for url in ("/", "/search/?q=boeing&all=1"):
        response = client.get(url)
        body = response.content.decode()
        assert [(p.slug, p.searches) for p in response.context["popular_searches"]] == [
            ("f-22a-raptor", 9),  # the hidden query does not count
            ("sr-71a", 7),
        ]
        for typed in ("raptr", "blackbrd", "zeppelin", "or 1 1"):
            assert typed not in body


def test_manufacturer_page_lists_aircraft_by_year_with_status_counts(client, fleet):
    response = client.get("/manufacturers/lockheed-martin/")
    assert [a.designation for a in response.context["aircraft_list"]] == ["SR-71A", "F-22A"]
    assert response.context["status_counts"] == {
        "active": 1,
        "retired": 1,
        "in-development": 0,
        "cancelled": 0,
        "research": 0,
    }


def test_catalogue_filters_combine(client, fleet):
    response = client.get("/aircraft/?status=retired&sort=fastest")
    assert [a.designation for a in response.context["page"]] == ["SR-71A", "B-17G"]
    response = client.get("/aircraft/?manufacturer=boeing&decade=1930")
    assert [a.designation for a in response.context["page"]] == ["B-17G"]


@pytest.mark.parametrize(
    "query", ["role=spaceship", "decade=1945", "decade=abc", "sort=;drop", "page=0", "manufacturer=../../etc", "page=x"]
)
def test_invalid_filters_are_a_400_not_a_500(client, fleet, query):
    assert client.get(f"/aircraft/?{query}").status_code == 400


def test_page_past_the_end_redirects_to_the_last_page_keeping_the_filters(client, fleet, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    grow_catalogue(5)
    response = client.get("/aircraft/?sort=newest&page=99")
    pages = client.get("/aircraft/?sort=newest").context["page"].paginator.num_pages
    assert pages > 1
    assert response.status_code == 302
    assert response["Location"] == f"/aircraft/?sort=newest&page={pages}"
    assert client.get(response["Location"]).context["page"].number == pages


def test_page_past_the_end_of_a_one_page_list_goes_to_the_list(client, fleet):
    response = client.get("/aircraft/?role=fighter&page=99")
    assert response.status_code == 302 and response["Location"] == "/aircraft/?role=fighter"


def test_search_past_the_end_redirects_to_its_last_page(client, fleet):
    response = client.get("/search/?q=raptor&page=50")
    assert response.status_code == 302 and response["Location"] == "/search/?q=raptor"


def test_search_page_zero_is_a_400(client, fleet):
    assert client.get("/search/?q=raptor&page=0").status_code == 400


def test_api_past_the_end_is_a_404_naming_the_last_page(client, fleet):
    response = client.get("/api/aircraft/?role=fighter&page=99")
    error = response.json()["error"]
    assert response.status_code == 404 and error["pages"] == 1
    assert error["last"] == "http://testserver/api/aircraft/?role=fighter&page=1"
    assert client.get("/api/aircraft/?page=0").status_code == 400


def test_catalogue_is_paginated(client, fleet, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    grow_catalogue(5)
    first = client.get("/aircraft/")
    assert len(first.context["page"].object_list) == 2
    assert first.context["page"].paginator.num_pages == 4
    assert client.get("/aircraft/?page=4").status_code == 200


def test_aircraft_page_shows_both_unit_systems_and_the_source(client, fleet):
    body = client.get("/aircraft/f-22a-raptor/").content.decode()
    assert "15.00 m" in body and "49 ft 3 in" in body
    assert "https://example.com/fact-sheet" in body
    assert "Test fact sheet" in body
    assert 'href="#source-1"' in body and 'id="source-1"' in body  # the marker points at the source list
    assert "SR-71A" in body  # another aircraft from the same manufacturer


def test_aircraft_page_names_the_layout_and_where_it_was_read(client, fleet):
    plane = Aircraft.objects.get(slug="f-22a-raptor")
    plane.wing_planform, plane.engine_placement, plane.tail_layout, plane.rotor_layout = (
        "swept",
        "fuselage",
        "twin-fin",
        "none",
    )
    plane.configuration_source = plane.sources.first()
    plane.save()
    response = client.get(plane.get_absolute_url())
    layout = response.context["sheet"].facts["configuration"]
    body = response.content.decode()
    assert "Swept wing; engines in the fuselage; twin fins" in body
    assert f'href="#source-{layout.marker}"' in body and layout.marker is not None


def test_aircraft_page_says_what_each_figure_is(client, fleet):
    response = client.get("/aircraft/b-17g/")
    body = response.content.decode()
    assert "Range (ferry)" in body
    assert "Maximum speed (at altitude)" in body
    sheet = response.context["sheet"]
    assert sheet.row("range:ferry").display["metric"] == "3,750 km"


def test_a_variant_shows_its_family_and_inherited_figures(client, fleet):
    base = Aircraft.objects.get(slug="sr-71a")
    variant = AircraftFactory(
        manufacturer=base.manufacturer,
        designation="SR-71B",
        name="Blackbird",
        slug="sr-71b",
        variant_of=base,
        figures={("crew", "overall"): ("2", "count")},
    )
    response = client.get(variant.get_absolute_url())
    body = response.content.decode()
    assert "Mach 3.2" in body and "from the SR-71A Blackbird" in body
    assert 'href="/aircraft/sr-71a/"' in body
    assert "Variants" in client.get("/aircraft/sr-71a/").content.decode()
    assert response.context["sheet"].row("crew:overall").via is None


def test_unknown_aircraft_is_the_custom_404(client, fleet):
    response = client.get("/aircraft/no-such-plane/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_compare_marks_the_best_value_in_each_row(client, fleet):
    response = client.get("/compare/?a=f-22a-raptor&a=sr-71a&a=b-17g")
    rows = {row["key"]: row for row in response.context["rows"]}
    mach = [cell["is_best"] for cell in rows["mach:maximum"]["cells"]]
    assert mach == [False, False, False] and rows["mach:maximum"]["complete"] is False  # the B-17G has none
    assert [cell["is_best"] for cell in rows["max_takeoff_weight:overall"]["cells"]] == [False, False, False]
    # Only the F-22A and B-17G give a speed at altitude; the SR-71A's is at sea level.
    assert not any(cell["is_best"] for cell in rows["max_speed:at-altitude"]["cells"])
    # A ferry range is never set against a typical one.
    assert not any(cell["is_best"] for cell in rows["range:ferry"]["cells"])
    assert not any(cell["is_best"] for cell in rows["range:typical"]["cells"])
    assert [a.slug for a in response.context["aircraft_list"]] == ["f-22a-raptor", "sr-71a", "b-17g"]


def test_compare_marks_best_when_every_aircraft_has_that_figure(client, fleet):
    response = client.get("/compare/?a=f-22a-raptor&a=sr-71a")
    rows = {row["key"]: row for row in response.context["rows"]}
    assert [cell["is_best"] for cell in rows["mach:maximum"]["cells"]] == [False, True]


def test_compare_refuses_more_than_four(client, fleet):
    response = client.get("/compare/?" + "&".join(f"a=x{i}" for i in range(6)))
    assert response.status_code == 400
    assert "at most 4" in response.context["error"]


def test_compare_with_one_unknown_aircraft_says_so(client, fleet):
    response = client.get("/compare/?a=f-22a-raptor&a=nope")
    assert response.status_code == 400
    assert "not in the catalogue" in response.context["error"]


def test_empty_compare_page_offers_the_picker(client, fleet):
    response = client.get("/compare/")
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_corrected_search_says_what_it_searched_for_instead(client, fleet):
    response = client.get("/search/?q=raptr")
    assert response.status_code == 200  # a corrected query never jumps straight to an aircraft
    assert response.context["result"].corrected == "raptor"
    assert [a.slug for a in response.context["page"]] == ["f-22a-raptor"]
    body = response.content.decode()
    assert "Search results for “raptr”" in body  # what the visitor typed stays the heading
    assert "Did you mean" in body and "1 result for “raptor”" in body


def test_no_did_you_mean_without_results(client, fleet):
    response = client.get("/search/?q=zeppelin+qqq")
    assert response.context["page"].paginator.count == 0
    assert response.context["result"].corrected == ""
    body = response.content.decode()
    assert "Did you mean" not in body and "Sukhoi" not in body


def test_one_clear_match_goes_straight_to_it_with_a_way_back(client, fleet):
    response = client.get("/search/?q=F-22A")
    assert response.status_code == 302
    assert response["Location"] == "/aircraft/f-22a-raptor/?q=F-22A"
    page = client.get(response["Location"]).content.decode()
    assert 'href="/search/?q=F-22A&amp;all=1"' in page and "All results for “F-22A”" in page
    listed = client.get("/search/?q=F-22A&all=1")
    assert listed.status_code == 200
    assert [a.slug for a in listed.context["page"]] == ["f-22a-raptor"]


def test_several_matches_show_the_list(client, fleet):
    response = client.get("/search/?q=lockheed")
    assert response.status_code == 200
    assert {a.slug for a in response.context["page"]} == {"f-22a-raptor", "sr-71a"}


def test_suggestions_endpoint(client, fleet):
    response = client.get("/search/suggest?q=rapt")
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "rapt"
    assert [r["url"] for r in data["results"]] == ["/aircraft/f-22a-raptor/"]
    assert data["results"][0]["label"] == "Lockheed Martin F-22A Raptor"
    assert data["search_url"] == "/search/?q=rapt&all=1"
    assert client.get("/search/suggest?q=").json()["results"] == []
    assert client.get("/search/suggest?q=" + "x" * 500).status_code == 400


def test_suggestions_are_not_counted_as_searches(client, fleet):
    from aircraft.signals import search_performed

    seen = []

    def record(**kwargs):
        seen.append(kwargs["query"])

    search_performed.connect(record)
    try:
        client.get("/search/suggest?q=rapt")
        client.get("/search/?q=lockheed")
    finally:
        search_performed.disconnect(record)
    assert seen == ["lockheed"]


def test_pages_load_the_suggestion_script_without_inline_script(client, fleet):
    body = client.get("/").content.decode()
    assert 'src="/static/js/suggest.js"' in body
    assert "<script>" not in body
    assert 'data-suggest="/search/suggest"' in body


@pytest.mark.parametrize("query", ["", "%00", "%ff%fe", "<script>", "x" * 3000, "' OR 1=1; --"])
def test_search_page_survives_odd_input(client, fleet, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_units_preference_sticks(client, fleet):
    response = client.post("/preferences/units/", {"units": "imperial", "next": "/aircraft/f-22a-raptor/"})
    assert response.status_code == 302
    assert response["Location"] == "/aircraft/f-22a-raptor/"
    assert client.get("/aircraft/f-22a-raptor/").context["units"] == "imperial"


def test_units_preference_ignores_foreign_redirects(client):
    response = client.post("/preferences/units/", {"units": "metric", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "old, new",
    [
        ("/home", "/"),
        ("/manufacturer/Lockheed%20Martin", "/manufacturers/lockheed-martin/"),
        ("/manufacturer/lockheed martin", "/manufacturers/lockheed-martin/"),
        ("/aircraft/Lockheed%20Martin/F-22A", "/aircraft/f-22a-raptor/"),
    ],
)
def test_prototype_urls_redirect_permanently(client, fleet, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_prototype_url_with_slash_in_designation(client):
    maker = ManufacturerFactory(name="Boeing", slug="boeing")
    AircraftFactory(manufacturer=maker, designation="F/A-18E", slug="fa-18e-super-hornet")
    response = client.get("/aircraft/Boeing/F/A-18E")
    assert (response.status_code, response["Location"]) == (301, "/aircraft/fa-18e-super-hornet/")


def test_unknown_prototype_url_is_404(client, fleet):
    assert client.get("/aircraft/Nobody/X-1").status_code == 404


def test_wrong_method_is_405(client, fleet):
    assert client.post("/aircraft/f-22a-raptor/").status_code == 405


def test_aircraft_view_total_is_shown(client, fleet):
    AircraftViewTotal.objects.create(aircraft=fleet, views=1234)
    response = client.get("/aircraft/f-22a-raptor/")
    assert response.context["views"] == 1234


def test_an_aircraft_of_unknown_specs_renders(client):
    plane = AircraftFactory(
        figures={}, entered_service_year=None, engine_model="", status=Aircraft.Status.IN_DEVELOPMENT
    )
    response = client.get(plane.get_absolute_url())
    assert response.status_code == 200
    assert all(row.display is None for row in response.context["sheet"].rows())
    body = response.content.decode()
    assert "Not in the catalogue yet" in body and "Not published" not in body


def test_fastest_sorts_on_mach_and_says_who_lacks_a_speed(client, fleet):
    AircraftFactory(designation="G-1", figures={})
    response = client.get("/aircraft/?sort=fastest")
    assert [a.designation for a in response.context["page"]][:3] == ["SR-71A", "F-22A", "B-17G"]
    assert response.context["page"][-1].designation == "G-1"
    assert "1 aircraft without one is listed last" in response.content.decode()


def test_range_sort_compares_typical_ranges_only(client, fleet):
    response = client.get("/aircraft/?sort=range")
    # The B-17G has only a ferry range: it comes after every aircraft with a typical range.
    assert [a.designation for a in response.context["page"]][-1] == "B-17G"


@pytest.fixture
def names_with_accents_and_lower_case():
    """Names that the database's own (C) order would put after Z."""
    makers = {
        name: ManufacturerFactory(name=name, slug=slug)
        for name, slug in [
            ("Zlin", "zlin"),
            ("de Havilland", "de-havilland"),
            ("Boeing", "boeing"),
            ("Aérospatiale", "aerospatiale"),
        ]
    }
    for designation, name, maker in [
        ("AS350", "Écureuil", "Aérospatiale"),
        ("DHC-1", "Chipmunk", "de Havilland"),
        ("Z-37", "Zlin Bumblebee", "Zlin"),
        ("F-4", "Eagle", "Boeing"),
    ]:
        AircraftFactory(designation=designation, name=name, slug=designation.lower(), manufacturer=makers[maker])
    return ["Aérospatiale", "Boeing", "de Havilland", "Zlin"]


def test_manufacturers_are_listed_alphabetically_whatever_their_case_and_accents(
    client, names_with_accents_and_lower_case
):
    in_order = names_with_accents_and_lower_case
    assert [m.name for m in client.get("/manufacturers/").context["manufacturers"]] == in_order
    assert [m.name for m in client.get("/").context["manufacturers"]] == in_order
    choices = client.get("/aircraft/").context["form"].fields["manufacturer"].choices
    assert [label for value, label in choices if value] == in_order


def test_aircraft_sort_by_name_and_by_maker_alphabetically_whatever_the_case_and_accents(
    client, names_with_accents_and_lower_case
):
    by_name = client.get("/aircraft/?sort=name").context["page"]
    assert [a.name for a in by_name] == ["Chipmunk", "Eagle", "Écureuil", "Zlin Bumblebee"]
    by_maker = client.get("/aircraft/").context["page"]
    assert [a.manufacturer.name for a in by_maker] == names_with_accents_and_lower_case


def test_every_sort_has_a_label_and_the_default_matches_the_listing():
    from aircraft.forms import SORT_LABELS, CatalogueFilterForm
    from aircraft.selectors import SORTS, CatalogueFilters

    assert set(SORT_LABELS) == set(SORTS)
    assert CatalogueFilterForm().fields["sort"].initial == CatalogueFilters().sort


def test_compare_picker_stays_bounded_but_keeps_the_chosen(client, fleet, settings, monkeypatch):
    from aircraft import selectors

    monkeypatch.setattr(selectors, "COMPARE_CHOICES_LIMIT", 2)
    response = client.get("/compare/?a=f-22a-raptor&a=sr-71a")
    choices = [plane.slug for plane in response.context["all_aircraft"]]
    assert "f-22a-raptor" in choices and "sr-71a" in choices
    assert len(choices) <= 4


def test_compare_pickers_carry_no_blank_lines_between_options(client, fleet):
    """Four pickers of every aircraft are most of the largest page; template whitespace was a quarter of it."""
    import re

    html = client.get("/compare/?a=f-22a-raptor&a=sr-71a").content.decode()
    pickers = re.findall(r"<select name=\"a\".*?</select>", html, re.S)
    assert len(pickers) == 4
    for picker in pickers:
        assert picker.count("<option") > 2
        between_options = r"</option>\s+<option|</optgroup>\s+<optgroup|<optgroup label=\"[^\"]*\">\s+<option"
        assert not re.search(between_options, picker)
    assert 'value="sr-71a" selected' in pickers[1]
