"""Pages come from the shared cache, are never stale, and still emit their events."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aircraft import caching
from aircraft.models import Aircraft
from events import receivers
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit invalidation runs for real


@pytest.fixture
def published(monkeypatch):
    events = []
    monkeypatch.setattr(receivers.producer, "publish", events.append)
    return events


def test_second_load_is_served_from_cache_without_queries(client):
    plane = AircraftFactory()
    first = client.get(plane.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(plane.get_absolute_url())
    assert len(queries) == 0
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_a_cached_page_still_emits_its_view_event(client, published):
    plane = AircraftFactory()
    for _ in range(3):
        client.get(plane.get_absolute_url())
    views = [e for e in published if e.topic == "hangarstack.aircraft.views"]
    assert len(views) == 3
    assert {e.envelope["data"]["aircraft"]["id"] for e in views} == {plane.pk}


def test_a_cached_search_still_emits_its_search_event(client, published):
    AircraftFactory(name="Cachebird")
    client.get("/search/?q=cachebird")
    client.get("/search/?q=cachebird")
    searches = [e.envelope["data"] for e in published if e.topic == "hangarstack.search.queries"]
    assert searches == [{**searches[0], "result_count": 1}] * 2


def test_a_catalogue_change_shows_on_the_next_load(client):
    plane = AircraftFactory(name="Before")
    assert "Before" in client.get(plane.get_absolute_url()).content.decode()
    plane = Aircraft.objects.get(pk=plane.pk)
    plane.name = "After"
    plane.save()
    assert "After" in client.get(plane.get_absolute_url()).content.decode()
    assert "After" in client.get("/aircraft/").content.decode()


def test_most_viewed_on_home_updates_after_the_consumer_applies_a_batch(client):
    from aircraft.models import AircraftViewTotal

    plane = AircraftFactory()
    assert list(client.get("/").context["most_viewed"]) == []
    AircraftViewTotal.objects.create(aircraft=plane, views=77)
    assert client.get("/").context is None  # cached, and nothing said the counts changed
    caching.popularity_changed({plane.pk: 77})  # what the consumer does after each batch
    assert [row.views for row in client.get("/").context["most_viewed"]] == [77]


def test_conditional_get_answers_304(client):
    plane = AircraftFactory()
    etag = client.get(plane.get_absolute_url())["ETag"]
    response = client.get(plane.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_headers_make_browsers_revalidate(client):
    plane = AircraftFactory()
    response = client.get(plane.get_absolute_url())
    assert "max-age=0" in response["Cache-Control"] and "must-revalidate" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_unit_preference_gets_its_own_cached_copy(client):
    plane = AircraftFactory()
    metric = client.get(plane.get_absolute_url()).content
    client.cookies["units"] = "imperial"
    imperial = client.get(plane.get_absolute_url())
    assert imperial.content != metric
    assert imperial.context["units"] == "imperial"


def test_staff_pages_are_not_cached(admin_client):
    plane = AircraftFactory()
    admin_client.get(plane.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(plane.get_absolute_url())
    assert len(queries) > 0


def test_each_host_gets_its_own_links(client, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    plane = AircraftFactory()
    first = client.get(f"/api/aircraft/{plane.slug}/", HTTP_HOST="a.example").json()
    second = client.get(f"/api/aircraft/{plane.slug}/", HTTP_HOST="b.example").json()
    assert first["url"].startswith("http://a.example/")
    assert second["url"].startswith("http://b.example/")


def test_a_cache_hit_skips_the_stack_but_keeps_headers_and_limits(client, settings):
    plane = AircraftFactory()
    first = client.get(plane.get_absolute_url(), HTTP_X_REQUEST_ID="one")
    second = client.get(plane.get_absolute_url(), HTTP_X_REQUEST_ID="two")
    assert second.context is None  # no template rendered: served by PageCacheMiddleware
    assert second.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Cache-Control"):
        assert second[header] == first[header]
    assert (first["X-Request-ID"], second["X-Request-ID"]) == ("one", "two")
    settings.RATELIMIT_PUBLIC = "2/m"
    assert client.get(plane.get_absolute_url()).status_code == 200
    assert client.get(plane.get_absolute_url()).status_code == 200
    assert client.get(plane.get_absolute_url()).status_code == 429  # cached pages are counted too


def test_cached_detail_pages_show_the_live_view_count(client):
    plane = AircraftFactory()
    html = client.get(plane.get_absolute_url())
    api = client.get(f"/api/aircraft/{plane.slug}/")
    body = html.content.decode()
    assert re.search(r"<!--live:views-->\s*<!--/live:views-->", body) and api.json()["views"] == 0  # nothing said yet
    assert "0 views" not in body and "view-count" not in body
    caching.popularity_changed({plane.pk: 1234})  # what the consumer does after a commit
    html_again = client.get(plane.get_absolute_url())
    assert "aircraft/aircraft_detail.html" not in [t.name for t in html_again.templates]  # still cached ...
    assert "<strong>1234</strong> views" in html_again.content.decode()  # ... with today's count
    assert html_again["ETag"] != html["ETag"]
    assert int(html_again["Content-Length"]) == len(html_again.content)
    assert client.get(f"/api/aircraft/{plane.slug}/").json()["views"] == 1234
    assert client.get(plane.get_absolute_url(), HTTP_IF_NONE_MATCH=html_again["ETag"]).status_code == 304
