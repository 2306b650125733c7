import pytest

from aircraft.models import AircraftViewTotal
from tests.factories import AircraftFactory, ManufacturerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def raptor():
    maker = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    AircraftFactory(manufacturer=maker, designation="SR-71A", name="Blackbird", slug="sr-71a", status="retired")
    return AircraftFactory(manufacturer=maker, designation="F-22A", name="Raptor", slug="f-22a-raptor")


def test_aircraft_detail_has_specs_in_both_systems_source_and_views(client, raptor):
    AircraftViewTotal.objects.create(aircraft=raptor, views=9)
    data = client.get("/api/aircraft/f-22a-raptor/").json()
    assert data["designation"] == "F-22A"
    assert data["manufacturer"] == {"slug": "lockheed-martin", "name": "Lockheed Martin"}
    figures = {(f["quantity"], f["kind"]): f for f in data["figures"]}
    length = figures[("length", "overall")]
    assert (length["value"], length["unit"], length["metric_value"]) == ("15.00", "m", 15)
    assert length["display"] == {"metric": "15.00 m", "imperial": "49 ft 3 in"}
    speed = figures[("max_speed", "at-altitude")]
    assert (speed["value"], speed["unit"], speed["display"]["metric"]) == ("1000", "kn", "1,850 km/h")
    assert speed["source"]["url"] == "https://example.com/fact-sheet"
    assert data["sources"] == [speed["source"]]
    assert data["dates"]["entered_service"]["year"] == 1990
    assert data["display_name"] == "F-22A Raptor"
    assert data["views"] == 9


def test_aircraft_list_paginates_and_filters(client, raptor, settings):
    settings.API_PAGE_SIZE = 1
    data = client.get("/api/aircraft/?manufacturer=lockheed-martin&sort=designation").json()
    assert (data["count"], data["pages"], data["previous"]) == (2, 2, None)
    assert data["results"][0]["slug"] == "f-22a-raptor"
    assert data["next"].endswith("page=2")
    assert client.get("/api/aircraft/?status=retired").json()["results"][0]["slug"] == "sr-71a"


def test_aircraft_list_searches(client, raptor):
    data = client.get("/api/aircraft/?q=raptr").json()
    assert [item["slug"] for item in data["results"]] == ["f-22a-raptor"]


@pytest.mark.parametrize("query", ["role=nope", "page=abc", "decade=1955", "page=-1"])
def test_bad_query_is_a_json_400(client, raptor, query):
    response = client.get(f"/api/aircraft/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_unknown_things_are_json_404s(client, raptor):
    for url in ("/api/aircraft/nope/", "/api/manufacturers/nope/", "/api/nothing-here/", "/api/aircraft/?page=50"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json()["error"]["status"] == 404


def test_wrong_method_is_a_json_405(client, raptor):
    response = client.delete("/api/aircraft/f-22a-raptor/")
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


def test_manufacturers(client, raptor):
    data = client.get("/api/manufacturers/").json()
    assert data["results"][0]["aircraft_count"] == 2
    detail = client.get("/api/manufacturers/lockheed-martin/").json()
    assert {a["slug"] for a in detail["aircraft"]} == {"sr-71a", "f-22a-raptor"}
    assert detail["retired_count"] == 1


def test_prototype_endpoint_keeps_its_shape(client, raptor):
    data = client.get("/api/aircraft/Lockheed%20Martin").json()
    assert data["manufacturer"] == "Lockheed Martin"
    assert {plane["designation"] for plane in data["aircraft"]} == {"F-22A", "SR-71A"}


def test_prototype_endpoint_unknown_manufacturer(client, raptor):
    assert client.get("/api/aircraft/Nobody").status_code == 404


def test_view_beacon_accepts_post_only(client, raptor):
    assert client.post("/api/aircraft/f-22a-raptor/view").status_code == 202
    assert client.get("/api/aircraft/f-22a-raptor/view").status_code == 405
    assert client.post("/api/aircraft/nope/view").status_code == 404


def test_a_variant_reports_what_it_inherits(client, raptor):
    variant = AircraftFactory(
        manufacturer=raptor.manufacturer,
        designation="F-22B",
        slug="f-22b",
        variant_of=raptor,
        figures={("crew", "overall"): ("2", "count")},
    )
    data = client.get(f"/api/aircraft/{variant.slug}/").json()
    figures = {(f["quantity"], f["kind"]): f for f in data["figures"]}
    assert figures[("crew", "overall")]["inherited_from"] is None
    assert figures[("length", "overall")]["inherited_from"] == "f-22a-raptor"
    assert data["variant_of"]["slug"] == "f-22a-raptor"
    assert client.get("/api/aircraft/f-22a-raptor/").json()["variants"][0]["slug"] == "f-22b"
