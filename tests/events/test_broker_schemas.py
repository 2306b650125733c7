"""The real embedded broker validates every event against its topic's schema.

`make test` starts Tansu with `--schema-registry`; the session fixture in
tests/conftest.py adds this run's (prefixed) topics to it. A schema-breaking
event is refused there with INVALID_RECORD and must end up as a dead letter:
logged, counted, stored, never retried forever and never silently dropped.
"""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from prometheus_client import REGISTRY

from aircraft.models import Aircraft, Manufacturer
from events import outbox, producer, schema_store, topics
from events.envelope import make_event
from events.models import DeadLetterEvent, OutboxEvent
from events.relay import Relay, backlog_event
from tests.events.conftest import read_topic
from tests.factories import AircraftFactory, catalogue_document

pytestmark = pytest.mark.django_db(transaction=True)


def view_event(*, via: str = "page", aircraft_id: int = 1):
    return make_event(
        topics.VIEWS,
        "aircraft.viewed",
        subject="schema-test",
        key=str(aircraft_id),
        data={
            "aircraft": {"id": aircraft_id, "slug": "schema-test", "designation": "ST-1", "manufacturer": "Test"},
            "via": via,
            "client": {"visitor": "0123456789abcdef"},
        },
    )


def rejected(event_type: str) -> float:
    value = REGISTRY.get_sample_value("hangarstack_events_total", {"event_type": event_type, "outcome": "rejected"})
    return value or 0.0


def drain_outbox(rounds: int = 4) -> None:
    """Relay until the outbox is empty (a refusal replaces the relay's producer and retries batch-mates)."""
    relay = Relay(flush_timeout=10)
    for _ in range(rounds):
        relay.drain()
        if not OutboxEvent.objects.exists():
            break
    relay.close()


@pytest.fixture
def validating_broker(kafka_topics, broker_schemas):
    """Fails, rather than passes vacuously, when the broker has no schemas for this run."""
    assert broker_schemas, "HANGARSTACK_BROKER_SCHEMAS is not set: run the tests with `make test`"
    for topic in topics.ALL:
        assert (Path(broker_schemas) / f"{topic.full_name}.json").is_file()
    return broker_schemas


def test_broker_registry_is_generated_in_tansus_layout(validating_broker):
    document = json.loads((Path(validating_broker) / f"{topics.VIEWS.full_name}.json").read_text())
    assert document["properties"]["value"] == schema_store.load(topics.VIEWS.name)
    assert "key" not in document["properties"]  # keys are plain strings, not JSON
    assert os.environ["HANGARSTACK_BROKER_SCHEMAS"] == validating_broker


def test_schema_breaking_event_is_refused_by_the_broker_and_dead_lettered(validating_broker, fresh_producer):
    before = rejected("views")
    bad = view_event(via="telepathy")  # not one of page, api, beacon
    good = view_event(aircraft_id=2)
    first = producer.get_producer()
    first.publish(bad)
    first.publish(good)  # same batch, different key: refused with it, must not be lost
    assert first.flush(15) == 0

    letter = DeadLetterEvent.objects.get(event_id=bad.id)
    assert letter.stage == DeadLetterEvent.Stage.BROKER
    assert "data/via" in letter.reason and "telepathy" in letter.reason
    assert json.loads(letter.value)["data"]["via"] == "telepathy"
    assert rejected("views") == before + 1
    assert not OutboxEvent.objects.filter(event_id=bad.id).exists()  # never retried
    assert not DeadLetterEvent.objects.filter(event_id=good.id).exists()

    # The refused producer is replaced; the next event goes through a fresh one.
    later = view_event(aircraft_id=3)
    replacement = producer.get_producer()
    assert replacement is not first
    replacement.publish(later)
    assert replacement.flush(15) == 0

    drain_outbox()  # the good batch-mate, if it was refused with the bad one
    ids = {envelope["id"] for envelope in read_topic(topics.VIEWS)}
    assert {good.id, later.id} <= ids
    assert bad.id not in ids
    assert not OutboxEvent.objects.exists()


def test_relay_dead_letters_a_schema_breaking_outbox_event_and_delivers_the_rest(validating_broker):
    bad = make_event(
        topics.DATA_UPDATES,
        "aircraft.updated",
        subject="x",
        key="aircraft:999",
        data={"entity": "aircraft", "action": "updated", "id": "not-an-integer", "slug": "x", "label": "X"},
    )
    good = [view_event(aircraft_id=n) for n in (11, 12, 13)]
    outbox.store([good[0], bad, *good[1:]])
    drain_outbox()
    letter = DeadLetterEvent.objects.get(event_id=bad.id)
    assert "data/id" in letter.reason and "required property" in letter.reason  # both problems named
    assert not OutboxEvent.objects.exists()  # nothing stuck behind it
    ids = {envelope["id"] for envelope in read_topic(topics.VIEWS)}
    assert {event.id for event in good} <= ids
    assert bad.id not in {envelope["id"] for envelope in read_topic(topics.DATA_UPDATES)}


def test_dead_letters_requeue_once_they_conform(validating_broker):
    DeadLetterEvent.objects.create(
        event_id="00000000-0000-4000-8000-000000000001",
        topic=topics.VIEWS.name,
        key="1",
        value=view_event().value.decode(),  # conforms now (the schema was widened, say)
        stage=DeadLetterEvent.Stage.BROKER,
        reason="data/via: 'beacon' is not one of ['page', 'api']",
    )
    broken = view_event(via="telepathy")
    DeadLetterEvent.objects.create(
        event_id=broken.id, topic=topics.VIEWS.name, key="1", value=broken.value.decode(), stage="broker", reason="x"
    )
    out = StringIO()
    call_command("dead_letters", "--requeue", stdout=out)
    assert "requeued 1 events" in out.getvalue() and "1 still break" in out.getvalue()
    assert [str(i) for i in OutboxEvent.objects.values_list("event_id", flat=True)] == [
        "00000000-0000-4000-8000-000000000001"
    ]
    assert [str(i) for i in DeadLetterEvent.objects.values_list("event_id", flat=True)] == [broken.id]


def every_event_type() -> set[str]:
    """Every CloudEvents type the schemas allow: the site must emit, and the broker accept, each."""
    schemas = [schema_store.event_schema(name) for name in schema_store.topic_names()]
    return {event_type for schema in schemas for event_type in schema["properties"]["type"]["enum"]}


def test_every_event_the_site_emits_is_accepted(validating_broker, client, settings, fresh_producer, tmp_path):
    plane = AircraftFactory(name="Acceptabird")
    other = AircraftFactory()
    client.get(plane.get_absolute_url())
    client.get(f"/api/aircraft/{plane.slug}/")
    client.post(f"/api/aircraft/{plane.slug}/view", HTTP_REFERER="https://example.org/x")
    client.get("/search/?q=acceptabird")
    client.get(f"/compare/?a={plane.slug}&a={other.slug}")
    User.objects.create_user("staffer", password="pw-staff-123", is_staff=True)
    client.post("/admin/login/", {"username": "staffer", "password": "pw-staff-123", "next": "/admin/"})
    client.post("/admin/logout/")
    client.post("/admin/login/", {"username": "staffer", "password": "wrong", "next": "/admin/"})
    plane = Aircraft.objects.get(pk=plane.pk)
    plane.description = "Changed for the acceptance test."
    plane.save()
    figure = plane.figures.get(quantity="range")
    figure.value = "3100"
    figure.save()
    source = plane.sources.get()
    source.title = "Revised test fact sheet"
    source.save()
    maker = Manufacturer.objects.get(pk=plane.manufacturer_id)
    maker.country = "Nowhere"
    maker.save()
    Aircraft.objects.filter(manufacturer=maker).delete()  # with its figures and sources
    maker.delete()
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue_document()))
    call_command("load_aircraft", str(path), stdout=StringIO())
    # topics.created: create_topics on a prefix of its own; its event goes to this run's system topic.
    run_kafka = settings.KAFKA
    settings.KAFKA = {**run_kafka, "TOPIC_PREFIX": "accept-" + run_kafka["TOPIC_PREFIX"]}
    call_command("create_topics", stdout=StringIO())
    settings.KAFKA = run_kafka
    # relay.backlog: what relay_events emits during a long outage.
    outbox.store([backlog_event(1001)])

    assert producer.get_producer().flush(15) == 0
    drain_outbox()
    assert not DeadLetterEvent.objects.exists(), list(DeadLetterEvent.objects.values_list("reason", flat=True))
    assert not OutboxEvent.objects.exists(), list(OutboxEvent.objects.values_list("last_error", flat=True)[:3])
    seen = {envelope["type"] for topic in topics.ALL for envelope in read_topic(topic)}
    assert every_event_type() <= seen, every_event_type() - seen
