"""Pages come from the shared cache in one Redis round trip, are never stale, and still emit their events."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from aircraft import signals
from aircraft import stamps as catalogue_stamps
from aircraft.models import Aircraft
from core import stamps
from hangarstack.pagecache import Lookup, PageCache
from tests.factories import AircraftFactory
from tests.hangarstack.conftest import redis_commands

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit invalidation runs for real


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
    catalogue_stamps.popularity_changed({plane.pk: 77})  # what the consumer does after each batch
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
    assert second.context is None  # no template rendered: served by hangarstack.pagecache
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
    catalogue_stamps.popularity_changed({plane.pk: 1234})  # what the consumer does after a commit
    html_again = client.get(plane.get_absolute_url())
    assert "aircraft/aircraft_detail.html" not in [t.name for t in html_again.templates]  # still cached ...
    assert "<strong>1234</strong> views" in html_again.content.decode()  # ... with today's count
    assert html_again["ETag"] != html["ETag"]
    assert int(html_again["Content-Length"]) == len(html_again.content)
    assert client.get(f"/api/aircraft/{plane.slug}/").json()["views"] == 1234
    assert client.get(plane.get_absolute_url(), HTTP_IF_NONE_MATCH=html_again["ETag"]).status_code == 304


# --- One round trip, stamps, plain signals --------------------------------------


def test_a_cached_page_costs_one_round_trip_to_redis_rate_limit_included(client, published):
    plane = AircraftFactory()
    client.get(plane.get_absolute_url())  # made and stored
    catalogue_stamps.popularity_changed({plane.pk: 5})  # a live count to read, too
    with redis_commands() as commands:
        response = client.get(plane.get_absolute_url())
    assert response.status_code == 200
    assert "aircraft/aircraft_detail.html" not in [t.name for t in response.templates]  # a hit
    assert "<strong>5</strong> views" in response.content.decode()
    assert len(commands) == 1 and commands[0].startswith("EVALSHA"), commands
    assert len([e for e in published if e.topic == "hangarstack.aircraft.views"]) == 2  # still a view


def _lookup_of(url: str) -> Lookup:
    return PageCache().lookup(RequestFactory().get(url))


def test_a_worker_brings_a_page_from_redis_once_and_serves_only_the_version_redis_holds(client):
    plane = AircraftFactory()
    url = plane.get_absolute_url()
    made = client.get(url)  # made and stored
    assert client.get(url).content == made.content  # a hit: the page comes from Redis and is held
    lookup = _lookup_of(url)
    assert lookup.fresh and len(lookup.found) == 3  # Redis answered without the page: this process has it
    # Another worker stores a new version of the page meanwhile.
    other = made.content.replace(b"</body>", b"<!-- stored by another worker --></body>")
    cache.client.get_client(write=True).hset(cache.make_key(lookup.key), mapping={"body": other, "version": "new"})
    again = client.get(url)
    assert "aircraft/aircraft_detail.html" not in [t.name for t in again.templates]  # still a hit ...
    assert again.content == other and int(again["Content-Length"]) == len(other)  # ... of Redis's version
    assert len(_lookup_of(url).found) == 3  # which is now the one held


def test_with_no_room_for_held_pages_every_hit_brings_the_page(client, settings):
    settings.PAGE_CACHE_LOCAL_MB = 0
    plane = AircraftFactory()
    url = plane.get_absolute_url()
    made = client.get(url)
    hits = [client.get(url) for _ in range(2)]
    assert [hit.content for hit in hits] == [made.content] * 2
    assert all(hit.context is None for hit in hits)
    lookup = _lookup_of(url)
    assert lookup.fresh and len(lookup.found) == 5 and lookup.found[4] == made.content


def test_hits_and_rendered_pages_count_against_the_same_limit(client, settings):
    settings.RATELIMIT_PUBLIC = "5/m"
    plane = AircraftFactory()
    statuses = [client.get(plane.get_absolute_url()).status_code for _ in range(3)]  # a miss, then hits
    statuses += [client.get("/manufacturers/").status_code for _ in range(2)]  # a miss, then a hit
    statuses.append(client.post("/preferences/units/", {"units": "metric"}).status_code)  # no cache: the view's path
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    refused = client.get(plane.get_absolute_url())
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0 and refused["X-Request-ID"]
    assert client.get(f"/api/aircraft/{plane.slug}/").json()["error"]["status"] == 429  # JSON under /api/


def test_a_stamp_change_makes_only_the_pages_that_depend_on_it_stale(client):
    plane = AircraftFactory()
    client.get(plane.get_absolute_url())
    client.get("/")
    stamps.bump(catalogue_stamps.POPULARITY)
    assert client.get(plane.get_absolute_url()).context is None  # the detail page shows no popularity
    assert client.get("/").context is not None  # the home page's most viewed does
    assert client.get("/").context is None  # and is stored again
    stamps.bump(catalogue_stamps.CATALOGUE)
    assert client.get(plane.get_absolute_url()).context is not None
    assert client.get("/").context is not None


def test_a_lost_stamp_makes_its_pages_stale(client):
    plane = AircraftFactory()
    client.get(plane.get_absolute_url())
    cache.delete(stamps.key(catalogue_stamps.CATALOGUE))  # Redis restarted empty, say
    assert client.get(plane.get_absolute_url()).context is not None


def test_after_a_cache_outage_every_stamp_starts_anew(client):
    from core.cache import cache_recovered

    before = stamps.current(stamps.known())
    cache_recovered.send(sender=None)
    after = stamps.current(stamps.known())
    assert {catalogue_stamps.CATALOGUE, catalogue_stamps.POPULARITY} <= set(before)
    assert all(after[name] != before[name] for name in before)


def test_cached_pages_send_plain_values_only(client):
    plane = AircraftFactory()
    other = AircraftFactory()
    seen = []

    def record(sender, signal, request, **values):
        seen.append(values)

    signals.aircraft_viewed.connect(record)
    signals.aircraft_compared.connect(record)
    try:
        for _ in range(2):  # made, then served from the cache
            client.get(plane.get_absolute_url())
            client.get(f"/compare/?a={plane.slug}&a={other.slug}")
    finally:
        signals.aircraft_viewed.disconnect(record)
        signals.aircraft_compared.disconnect(record)
    viewed = {
        "aircraft_id": plane.pk,
        "slug": plane.slug,
        "designation": plane.designation,
        "manufacturer": plane.manufacturer.slug,
        "via": "page",
    }
    compared = {"slugs": [plane.slug, other.slug]}
    assert seen == [viewed, compared, viewed, compared]


def test_a_page_the_cache_never_keeps_still_costs_one_round_trip_for_its_limit(client):
    plane = AircraftFactory()
    client.get(f"/aircraft/{plane.slug}/corrections/")  # stamps started, connection open
    with redis_commands() as commands:
        response = client.get(f"/aircraft/{plane.slug}/corrections/")  # a form: never stored
    assert response.status_code == 200
    assert len(commands) == 1 and commands[0].startswith("EVALSHA"), commands
