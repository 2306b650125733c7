"""Every kind of event validates against its topic's committed JSON Schema."""

import dataclasses
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from jsonschema import Draft202012Validator

from aircraft.models import Aircraft
from aircraft.signals import aircraft_compared, search_performed, send_viewed
from events import topics
from events.models import OutboxEvent
from tests.factories import AircraftFactory

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"
pytestmark = pytest.mark.django_db


def validator(topic):
    schema = json.loads((SCHEMAS / f"{topic.name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture
def request_from():
    def build(address="203.0.113.7", **headers):
        request = RequestFactory().get("/", REMOTE_ADDR=address, **headers)
        request.user = User(username="visitor")
        return request

    return build


def test_every_topic_has_a_schema():
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(f"{t.name}.json" for t in topics.ALL)


def test_high_volume_events_validate(published, request_from):
    plane, other = AircraftFactory.create_batch(2)
    request = request_from(HTTP_USER_AGENT="pytest", HTTP_REFERER="https://example.org/page?x=1")
    send_viewed(request, plane, via="page")
    search_performed.send(sender=Aircraft, query="raptor", result_count=2, top_result=plane.pk, request=request)
    aircraft_compared.send(sender=None, slugs=[plane.slug, other.slug], request=request)
    by_topic = {event.topic: event for event in published}
    assert set(by_topic) == {topics.VIEWS.name, topics.SEARCHES.name, topics.USER_ACTIVITY.name}
    for topic in (topics.VIEWS, topics.SEARCHES, topics.USER_ACTIVITY):
        validator(topic).validate(by_topic[topic.name].envelope)
    view = by_topic[topics.VIEWS.name]
    assert view.key == str(plane.pk)  # all views of one aircraft land in one partition, in order
    assert view.envelope["data"]["client"]["referrer_host"] == "example.org"


def test_a_view_carries_its_aircraft_as_it_is_now_though_its_data_is_made_once(published, request_from):
    plane = AircraftFactory(designation="YF-16")
    request = request_from()
    send_viewed(request, plane, via="page")
    send_viewed(request, plane, via="page")
    plane.designation = "F-16A"
    plane.save()
    send_viewed(request, plane, via="api")
    search_performed.send(sender=Aircraft, query="falcon", result_count=1, top_result=plane.pk, request=request)
    search_performed.send(sender=Aircraft, query="falcon", result_count=0, request=request)
    views = [e.envelope["data"] for e in published if e.topic == topics.VIEWS.name]
    assert [(v["aircraft"]["designation"], v["via"]) for v in views] == [
        ("YF-16", "page"), ("YF-16", "page"), ("F-16A", "api"),
    ]  # fmt: skip
    searches = [e.envelope["data"] for e in published if e.topic == topics.SEARCHES.name]
    assert [{k: v for k, v in s.items() if k != "client"} for s in searches] == [
        {"query": "falcon", "result_count": 1, "top_result": plane.pk},
        {"query": "falcon", "result_count": 0},
    ]
    assert len({e.id for e in published}) == len(published) == 5  # one envelope each, never a shared one


def test_staff_sign_in_and_out_validate(client, published):
    User.objects.create_user("staffer", password="pw-staff-123", is_staff=True)
    client.post("/admin/login/", {"username": "staffer", "password": "pw-staff-123", "next": "/admin/"})
    client.post("/admin/logout/")
    client.post("/admin/login/", {"username": "staffer", "password": "wrong", "next": "/admin/"})
    actions = [e.envelope["data"]["action"] for e in published if e.topic == topics.USER_ACTIVITY.name]
    assert actions == ["signed-in", "signed-out", "sign-in-failed"]
    for event in published:
        validator(topics.USER_ACTIVITY).validate(event.envelope)


def test_no_raw_ip_address_in_any_event(published, request_from, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    plane = AircraftFactory()
    request = request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23, 10.1.1.1")
    send_viewed(request, plane, via="page")
    search_performed.send(sender=Aircraft, query="x", result_count=0, request=request)
    for event in published:
        body = event.value.decode()
        for address in ("198.51.100.23", "10.1.1.1", "10.0.0.1"):
            assert address not in body
    visitors = {event.envelope["data"]["client"]["visitor"] for event in published}
    assert len(visitors) == 1  # the same visitor, pseudonymous


def test_consumer_survives_a_query_postgres_cannot_store():
    from aircraft.models import SearchTotal
    from events.consumer import _apply_searches

    _apply_searches([{"data": {"query": "bad\x00query", "result_count": 0}, "time": "2026-11-27T10:00:00Z"}])
    assert SearchTotal.objects.get().query == "bad query"  # NUL separates words, like any non-letter


def test_consumer_counts_searches_under_their_canonical_form_with_what_they_found():
    from aircraft.models import SearchTotal
    from events.consumer import _apply_searches

    plane = AircraftFactory()
    _apply_searches(
        [
            {
                "data": {"query": "F-22 Raptor!", "result_count": 1, "top_result": plane.pk},
                "time": "2026-11-27T10:00:00Z",
            },
            {
                "data": {"query": "f 22  raptor", "result_count": 1, "top_result": plane.pk},
                "time": "2026-11-27T10:01:00Z",
            },
            {"data": {"query": "' OR 1=1 --", "result_count": 2, "top_result": 999999}, "time": "2026-11-27T10:02:00Z"},
            {"data": {"query": "zeppelin", "result_count": "many", "top_result": "x"}, "time": "2026-11-27T10:03:00Z"},
        ]
    )
    rows = {row.query: (row.searches, row.last_result_count, row.top_aircraft_id) for row in SearchTotal.objects.all()}
    assert rows == {
        "f 22 raptor": (2, 1, plane.pk),
        "or 1 1": (1, 2, None),  # an aircraft that no longer exists is not kept
        "zeppelin": (1, 0, None),  # malformed numbers poison nothing
    }


def test_search_event_names_the_first_aircraft_found(published, request_from):
    request = request_from("10.0.0.1")
    search_performed.send(sender=Aircraft, query="raptor", result_count=2, top_result=7, request=request)
    search_performed.send(sender=Aircraft, query="zeppelin", result_count=0, top_result=None, request=request)
    found, nothing = (event.envelope for event in published)
    for envelope in (found, nothing):
        validator(topics.SEARCHES).validate(envelope)
    found, nothing = found["data"], nothing["data"]
    assert found["top_result"] == 7
    assert "top_result" not in nothing


def test_catalogue_changes_validate_and_carry_the_changes(published):
    plane = AircraftFactory()
    plane = Aircraft.objects.get(pk=plane.pk)
    plane.number_built = 1234
    plane.save()
    figure = plane.figures.get(quantity="range")
    figure.value = "1,300"
    figure.save()
    plane_pk, slug = plane.pk, plane.slug
    plane.delete()
    rows = list(OutboxEvent.objects.filter(topic=topics.DATA_UPDATES.name))
    envelopes = [json.loads(row.value) for row in rows]
    schema = validator(topics.DATA_UPDATES)
    for envelope in envelopes:
        schema.validate(envelope)
    actions = {(e["data"]["entity"], e["data"]["action"]) for e in envelopes}
    assert {("aircraft", "created"), ("aircraft", "deleted"), ("figure", "created")} <= actions
    assert {("aircraftsource", "created"), ("figure", "deleted")} <= actions
    update = next(e for e in envelopes if e["data"]["action"] == "updated" and e["data"]["entity"] == "aircraft")
    assert update["data"]["changes"] == {"number_built": {"old": None, "new": 1234}}
    figure_update = next(e for e in envelopes if e["data"]["entity"] == "figure" and e["data"]["action"] == "updated")
    assert figure_update["data"]["changes"]["value"] == {"old": "3000", "new": "1,300"}
    assert figure_update["subject"] == f"{slug}:range:typical"
    assert {row.key for row in rows if '"entity":"aircraft"' in row.value} == {f"aircraft:{plane_pk}"}


def test_system_events_validate(tmp_path, published):
    from io import StringIO

    from django.core.management import call_command

    from tests.factories import catalogue_document

    path = tmp_path / "c.json"
    path.write_text(json.dumps(catalogue_document()))
    call_command("load_aircraft", str(path), stdout=StringIO())
    row = OutboxEvent.objects.get(topic=topics.SYSTEM.name, value__contains="catalogue.loaded")
    envelope = json.loads(row.value)
    validator(topics.SYSTEM).validate(envelope)
    assert envelope["data"]["created"] == 3
    assert envelope["data"]["actor"] == "command:load_aircraft"
    updates = [json.loads(row.value) for row in OutboxEvent.objects.filter(topic=topics.DATA_UPDATES.name)]
    entities = sorted(e["data"]["entity"] for e in updates)
    # 2 manufacturers, 3 aircraft, each with its source and its 7 figures.
    assert entities.count("manufacturer") == 2 and entities.count("aircraft") >= 3
    assert (entities.count("aircraftsource"), entities.count("figure")) == (3, 21)
    assert all(e["data"]["actor"] == "command:load_aircraft" for e in updates)


def test_a_visit_is_noted_by_the_request_and_made_with_its_own_time_and_request_id(request_from):
    from core import context
    from events.envelope import Deferred, timestamp
    from events.privacy import visitor_id

    request = request_from("198.51.100.9", HTTP_USER_AGENT="pytest")
    token = context.request_id.set("req-of-the-view")
    try:
        noted = Deferred.now(
            topics.VIEWS, "aircraft.viewed", subject="b-1", key="1", data={"via": "page"}, request=request
        )
    finally:
        context.request_id.reset(token)
    # A view of yesterday, made now outside its request: it keeps its time, request and day.
    yesterday = dataclasses.replace(noted, at=noted.at - 86_400)
    made = yesterday.make()
    assert made.envelope["requestid"] == "req-of-the-view"
    assert made.envelope["time"] == timestamp(yesterday.at) != timestamp(noted.at)
    visitor = made.envelope["data"]["client"]["visitor"]
    assert visitor == visitor_id("198.51.100.9", timestamp(yesterday.at)[:10])
    assert visitor != visitor_id("198.51.100.9", timestamp(noted.at)[:10])  # a new day, a new pseudonym
    assert "198.51.100.9" not in made.value.decode()


def test_timestamps_are_utc_to_the_millisecond():
    from events.envelope import timestamp

    assert timestamp(0.0) == "1970-01-01T00:00:00.000Z"
    assert timestamp(1_764_480_000.9994) == "2025-11-30T05:20:00.999Z"
    assert timestamp(1_764_480_001.5) == "2025-11-30T05:20:01.500Z"  # the next second's text, not the cached one
    assert timestamp(1_764_480_002 - 1e-6) == "2025-11-30T05:20:01.999Z"  # never ".1000Z" at a second's end
    assert timestamp(1_764_480_002.0) == "2025-11-30T05:20:02.000Z"


def test_a_comparison_is_keyed_by_its_visitor(published, request_from):
    plane, other = AircraftFactory.create_batch(2)
    aircraft_compared.send(sender=None, slugs=[plane.slug, other.slug], request=request_from("203.0.113.8"))
    aircraft_compared.send(sender=None, slugs=[other.slug], request=request_from("203.0.113.9"))
    first, second = published
    assert first.key == first.envelope["data"]["client"]["visitor"]
    assert second.key == second.envelope["data"]["client"]["visitor"] != first.key


def test_an_envelope_is_compact_ascii_json_of_its_attributes_and_data():
    from events.envelope import make_event

    event = make_event(
        topics.VIEWS, "aircraft.viewed", subject='Су-27 "Flanker"', key="k", data={"name": "Су-27", "n": [1, 2.5]}
    )
    envelope = json.loads(event.value)
    assert list(envelope) == [
        "specversion", "id", "source", "type", "time", "subject", "datacontenttype", "requestid", "data",
    ]  # fmt: skip
    assert (envelope["id"], envelope["type"], envelope["subject"]) == (
        event.id, "com.hangarstack.aircraft.viewed", 'Су-27 "Flanker"',
    )  # fmt: skip
    assert envelope["data"] == {"name": "Су-27", "n": [1, 2.5]}
    assert event.value == json.dumps(envelope, separators=(",", ":")).encode()  # what json itself writes
    assert event.value.isascii()


def test_the_visitor_hash_follows_a_new_key(settings):
    from events.privacy import visitor_id

    settings.EVENTS_IP_HASH_KEY = "k" * 40
    first = visitor_id("198.51.100.9", "2026-11-30")
    assert visitor_id("198.51.100.9", "2026-11-30") == first
    settings.EVENTS_IP_HASH_KEY = "m" * 40  # a rotated key: yesterday's pseudonyms cannot be linked to today's
    assert visitor_id("198.51.100.9", "2026-11-30") != first


VISIT_DATA = [{"via": "page", "name": "Су-27"}, {}, {"query": "100% %s"}]


# A receiver's JSON text (json_text) never carries a client of its own; a dict may.
@pytest.mark.parametrize(
    ("data", "as_text"),
    [(data, False) for data in [*VISIT_DATA, {"via": "api", "client": {"visitor": "x"}}]]
    + [(data, True) for data in VISIT_DATA],
)
def test_a_made_visit_carries_its_client_as_json_itself_would_write_it(request_from, data, as_text):
    from events.envelope import Deferred, json_text, timestamp
    from events.privacy import Client

    request = request_from("198.51.100.9", HTTP_USER_AGENT='Mozilla "5.0" ✈ 100%', HTTP_REFERER="https://example.org/x")
    noted = Deferred.now(
        topics.VIEWS,
        "aircraft.viewed",
        subject="b-1 %s 50%",
        key=None,
        data=json_text(data) if as_text else data,
        request=request,
    )
    made = noted.make()
    envelope = json.loads(made.value)
    client = Client(*noted.client).context(day=timestamp(noted.at)[:10])
    assert envelope["data"] == {**data, "client": client}  # the request's client, never one it brought along
    assert envelope["subject"] == "b-1 %s 50%"
    assert made.key == client["visitor"]
    assert made.value == json.dumps(envelope, separators=(",", ":")).encode()
    assert made.value.isascii()


def test_a_made_visit_follows_a_new_hash_key(settings, request_from):
    from events.envelope import Deferred

    request = request_from("198.51.100.9")
    settings.EVENTS_IP_HASH_KEY = "k" * 40
    noted = Deferred.now(topics.VIEWS, "aircraft.viewed", subject="b-1", key="1", data={"via": "page"}, request=request)
    first = json.loads(noted.make().value)["data"]["client"]["visitor"]
    assert json.loads(noted.make().value)["data"]["client"]["visitor"] == first
    settings.EVENTS_IP_HASH_KEY = "m" * 40
    assert json.loads(noted.make().value)["data"]["client"]["visitor"] != first
