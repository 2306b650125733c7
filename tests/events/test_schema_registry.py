"""register_schemas and Schema Registry framing, against the registry's REST contract.

The registry is tests/events/schema_registry_server.py on 127.0.0.1 (no
Confluent-compatible server installs here); the broker is the real one.
"""

import json
import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aircraft.models import AircraftViewTotal
from events import consumer, producer, schema_store, serde, topics
from events.envelope import make_event
from events.models import DeadLetterEvent, OutboxEvent
from tests.events.conftest import raw_messages
from tests.events.schema_registry_server import Registry
from tests.factories import AircraftFactory

pytestmark = pytest.mark.django_db(transaction=True)
SUBJECTS = {f"{topic.full_name}-value" for topic in topics.ALL}


@pytest.fixture
def registry(settings):
    with Registry(api_key="SRKEY", api_secret="sr-secret") as server:
        settings.SCHEMA_REGISTRY = {
            "URL": server.url,
            "API_KEY": "SRKEY",
            "API_SECRET": "sr-secret",
            "COMPATIBILITY": "BACKWARD",
        }
        yield server


def register(*args) -> str:
    out = StringIO()
    call_command("register_schemas", *args, stdout=out)
    return out.getvalue()


def free_port_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_registers_every_topic_under_topic_value_with_backward(registry):
    out = register()
    assert set(registry.subjects) == SUBJECTS
    for topic in topics.ALL:
        subject = f"{topic.full_name}-value"
        [schema_id] = registry.subjects[subject]
        assert json.loads(registry.schemas[schema_id - 1]) == schema_store.load(topic.name)
        assert registry.levels[subject] == "BACKWARD"
        assert f"{subject}: new (id {schema_id})" in out
    assert "5 new, 0 new version, 0 unchanged, 0 incompatible" in out


def test_second_run_changes_nothing(registry):
    register()
    before = len(registry.requests)
    out = register()
    writes = [(m, p) for m, p in registry.requests[before:] if m == "PUT" or p.endswith("/versions")]
    assert writes == []
    assert "0 new, 0 new version, 5 unchanged, 0 incompatible" in out and "Nothing to do." in out


def test_dry_run_changes_nothing(registry):
    out = register("--dry-run")
    assert registry.subjects == {} and registry.levels == {}
    assert [m for m, _p in registry.requests if m == "PUT"] == []
    assert "would register" in out and "dry run: 5 new" in out


def test_configured_level_is_used(registry, settings):
    settings.SCHEMA_REGISTRY = {**settings.SCHEMA_REGISTRY, "COMPATIBILITY": "full_transitive"}
    register()
    assert set(registry.levels.values()) == {"FULL_TRANSITIVE"}


def test_compatible_change_is_a_new_version(registry):
    views = f"{topics.VIEWS.full_name}-value"
    older = schema_store.event_schema(topics.VIEWS.name)
    del older["properties"]["data"]["properties"]["client"]["properties"]["referrer_host"]  # field added since
    registry.add(views, json.dumps(older))
    out = register()
    assert len(registry.subjects[views]) == 2
    assert f"{views}: new version" in out


def test_incompatible_schema_is_reported_and_nothing_is_registered(registry):
    views = f"{topics.VIEWS.full_name}-value"
    wider = schema_store.event_schema(topics.VIEWS.name)
    wider["properties"]["data"]["properties"]["via"]["enum"].append("feed")  # the local schema lacks "feed"
    registry.add(views, json.dumps(wider))
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 schema.* incompatible .*nothing registered"):
        call_command("register_schemas", stdout=out)
    assert f"{views}: incompatible (with version 1: data/via: value 'feed' no longer allowed)" in out.getvalue()
    assert set(registry.subjects) == {views} and len(registry.subjects[views]) == 1


def test_credentials_go_as_basic_auth_and_wrong_ones_are_named(registry, settings):
    settings.SCHEMA_REGISTRY = {**settings.SCHEMA_REGISTRY, "API_SECRET": "wrong"}
    with pytest.raises(CommandError, match="SCHEMA_REGISTRY_API_KEY"):
        register()
    assert registry.subjects == {}


def test_unreachable_registry_fails_clearly(settings):
    settings.SCHEMA_REGISTRY = {
        "URL": free_port_address(),
        "API_KEY": "",
        "API_SECRET": "",
        "COMPATIBILITY": "BACKWARD",
    }
    with pytest.raises(CommandError, match="cannot reach the Schema Registry"):
        register()


def test_without_a_registry_url_the_command_says_what_to_set(settings):
    settings.SCHEMA_REGISTRY = {**settings.SCHEMA_REGISTRY, "URL": ""}
    with pytest.raises(CommandError, match="SCHEMA_REGISTRY_URL"):
        register()


@pytest.fixture
def unvalidated_topics(settings):
    """Topics of their own: Tansu validates values as plain JSON, so framed values go where it has no schema."""
    settings.KAFKA = {**settings.KAFKA, "TOPIC_PREFIX": "framed-" + settings.KAFKA["TOPIC_PREFIX"]}
    call_command("create_topics", stdout=StringIO())
    OutboxEvent.objects.all().delete()  # its topics.created event


def view_of(plane, *, via="page"):
    return make_event(
        topics.VIEWS,
        "aircraft.viewed",
        subject=plane.slug,
        key=str(plane.pk),
        data={
            "aircraft": {"id": plane.pk, "slug": plane.slug, "designation": "F-1", "manufacturer": "M"},
            "via": via,
            "client": {"visitor": "0123456789abcdef"},
        },
    )


def test_producer_frames_with_the_schema_id_and_the_consumer_reads_both(
    registry, settings, unvalidated_topics, fresh_producer
):
    register()
    [schema_id] = registry.subjects[f"{topics.VIEWS.full_name}-value"]
    plane = AircraftFactory()
    framed = view_of(plane)
    producer.publish(framed)
    assert producer.get_producer().flush(15) == 0

    # A deployment switching over: events written before, as plain JSON, on the same topic.
    registry_settings = settings.SCHEMA_REGISTRY
    settings.SCHEMA_REGISTRY = {**registry_settings, "URL": ""}
    plain = view_of(plane, via="api")
    producer.publish(plain)
    assert producer.get_producer().flush(15) == 0
    settings.SCHEMA_REGISTRY = registry_settings

    messages = {
        json.loads(m.value()[5:] if m.value()[0] == 0 else m.value())["id"]: m for m in raw_messages(topics.VIEWS)
    }
    raw = messages[framed.id].value()
    assert raw[0] == 0 and int.from_bytes(raw[1:5], "big") == schema_id  # Confluent's wire format
    assert json.loads(raw[5:]) == framed.envelope
    assert messages[plain.id].value() == plain.value

    serde._framer = None  # the consumer is a process of its own: nothing cached from producing
    result = consumer.apply_batch(list(messages.values()))
    assert result.malformed == 0 and result.applied == 2
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 2
    assert ("GET", f"/schemas/ids/{schema_id}") in registry.requests  # read through the registry


def test_serializer_refuses_a_schema_breaking_event_into_the_dead_letters(registry, unvalidated_topics, fresh_producer):
    register()
    plane = AircraftFactory()
    bad, good = view_of(plane, via="telepathy"), view_of(plane)
    producer.publish(bad)
    producer.publish(good)  # gathered into one batch with the bad one: must not be set aside with it
    assert producer.get_producer().flush(15) == 0
    letter = DeadLetterEvent.objects.get(event_id=bad.id)
    assert not DeadLetterEvent.objects.filter(event_id=good.id).exists()
    assert letter.stage == DeadLetterEvent.Stage.SERIALIZER and "telepathy" in letter.reason
    assert not OutboxEvent.objects.filter(event_id=bad.id).exists()


def test_events_wait_in_the_outbox_while_the_registry_is_unreachable(settings, unvalidated_topics, fresh_producer):
    settings.SCHEMA_REGISTRY = {
        "URL": free_port_address(),
        "API_KEY": "",
        "API_SECRET": "",
        "COMPATIBILITY": "BACKWARD",
    }
    event = view_of(AircraftFactory())
    producer.publish(event)
    producer.get_producer().send_batches()  # what the delivery thread does every EVENTS_BATCH_MS
    row = OutboxEvent.objects.get(event_id=event.id)
    assert row.origin == OutboxEvent.Origin.SPOOLED
    assert serde.decode_value(row.value.encode()) == event.envelope
