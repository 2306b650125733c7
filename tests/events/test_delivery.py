"""Delivery against the real broker: pages never wait, outages lose nothing."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connections, transaction

from aircraft.models import Aircraft, AircraftViewTotal
from events import consumer, producer, topics
from events.models import OutboxEvent
from events.relay import RELAY_LOCK_ID, Relay
from tests.admin_pages import page_data
from tests.databases import database_url
from tests.events.conftest import events_in_outbox, raw_messages, read_topic
from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[2]


def dead_address() -> str:
    """A local port nothing listens on: an unreachable broker, refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def consume_into_aggregates(topic) -> None:
    """What consume_events does, with direct assignment so the test need not wait for a group join."""
    consumer.apply_batch(raw_messages(topic))


@pytest.mark.django_db(transaction=True)
def test_page_view_arrives_on_its_topic(client, kafka_topics, flush_events):
    plane = AircraftFactory()
    assert client.get(plane.get_absolute_url()).status_code == 200
    flush_events()
    mine = [e for e in read_topic(topics.VIEWS) if e["subject"] == plane.slug]
    assert len(mine) == 1
    assert mine[0]["type"] == "com.hangarstack.aircraft.viewed"
    assert mine[0]["data"]["aircraft"]["id"] == plane.pk


@pytest.mark.django_db(transaction=True)
def test_view_beacon_and_search_arrive(client, kafka_topics, flush_events):
    plane = AircraftFactory(name="Beaconbird")
    client.post(f"/api/aircraft/{plane.slug}/view")
    client.get("/search/?q=beaconbird")
    flush_events()
    assert [e["data"]["via"] for e in read_topic(topics.VIEWS) if e["subject"] == plane.slug] == ["beacon"]
    searches = [e for e in read_topic(topics.SEARCHES) if e["subject"] == "beaconbird"]
    assert [s["data"]["result_count"] for s in searches] == [1]


@pytest.mark.django_db(transaction=True)
def test_admin_edit_reaches_data_updates_with_changed_fields(admin_client, kafka_topics):
    plane = AircraftFactory()
    data = page_data(admin_client, f"/admin/aircraft/aircraft/{plane.pk}/change/", number_built=16000)
    response = admin_client.post(f"/admin/aircraft/aircraft/{plane.pk}/change/", data)
    assert response.status_code == 302
    Relay().drain()
    updates = [
        e
        for e in read_topic(topics.DATA_UPDATES)
        if e["data"]["entity"] == "aircraft" and e["data"]["id"] == plane.pk and e["data"]["action"] == "updated"
    ]
    assert len(updates) == 1
    assert updates[0]["data"]["changes"] == {"number_built": {"old": None, "new": 16000}}
    assert updates[0]["data"]["actor"] == "user:admin"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_emits_nothing():
    plane = AircraftFactory()
    OutboxEvent.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        plane.number_built = 1
        plane.save()
        assert OutboxEvent.objects.count() == 1  # written with the change ...
        raise RuntimeError("the change is abandoned")
    assert OutboxEvent.objects.count() == 0  # ... and rolled back with it


@pytest.mark.django_db(transaction=True)
def test_committed_change_survives_sigkill_right_after_commit(kafka_topics):
    plane = AircraftFactory()
    OutboxEvent.objects.all().delete()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test",
        "DATABASE_URL": database_url(),
    }
    script = (
        "import os, signal; from aircraft.models import Aircraft; "
        f"a = Aircraft.objects.get(pk={plane.pk}); a.number_built = 4242; a.save(); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, timeout=60)
    assert result.returncode == -9
    row = OutboxEvent.objects.get(topic=topics.DATA_UPDATES.name)
    assert json.loads(row.value)["data"]["changes"]["number_built"]["new"] == 4242
    Relay().drain()
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_broker_outage_loses_no_view_and_counts_each_once(client, kafka_topics, settings, fresh_producer):
    plane = AircraftFactory()
    live = settings.KAFKA["BOOTSTRAP_SERVERS"]
    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": dead_address(), "MESSAGE_TIMEOUT_MS": 1000}
    producer.shutdown()
    started = time.monotonic()
    for _ in range(50):
        assert client.get(plane.get_absolute_url()).status_code == 200
    assert time.monotonic() - started < 10  # no page waited on the missing broker
    assert producer.get_producer().flush(5) == 0  # every view is now acknowledged or durably spooled
    assert events_in_outbox(topics.VIEWS, origin="spooled") == 50

    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": live}
    records = OutboxEvent.objects.filter(topic=topics.VIEWS.name).count()  # batches of views
    relayed = Relay().drain()
    assert relayed.delivered >= records, list(OutboxEvent.objects.values_list("last_error", flat=True)[:3])
    assert not OutboxEvent.objects.filter(topic=topics.VIEWS.name).exists()
    consume_into_aggregates(topics.VIEWS)
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 50
    consume_into_aggregates(topics.VIEWS)  # a redelivery of the whole topic changes nothing
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 50
    assert "<strong>50</strong> views" in client.get(plane.get_absolute_url()).content.decode()  # cached or not


@pytest.mark.django_db(transaction=True)
def test_graceful_shutdown_spools_unacknowledged_events(client, settings, fresh_producer):
    plane = AircraftFactory()
    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": dead_address(), "MESSAGE_TIMEOUT_MS": 600_000}
    producer.shutdown()
    for _ in range(7):
        client.get(plane.get_absolute_url())
    assert OutboxEvent.objects.filter(topic=topics.VIEWS.name).count() == 0  # still in memory
    producer.shutdown(timeout=0.5)  # what gunicorn's worker_exit and atexit call
    assert events_in_outbox(topics.VIEWS, origin="spooled") == 7


@pytest.mark.django_db(transaction=True)
def test_relay_keeps_order_per_key(kafka_topics):
    plane = AircraftFactory()
    plane = Aircraft.objects.get(pk=plane.pk)
    for built in range(1001, 1011):
        plane.number_built = built
        plane.save()
    Relay(batch_size=3).drain()
    ceilings = [
        e["data"]["changes"]["number_built"]["new"]
        for e in read_topic(topics.DATA_UPDATES)
        if e["data"]["id"] == plane.pk and e["data"]["action"] == "updated"
    ]
    assert ceilings == list(range(1001, 1011))


@pytest.mark.django_db(transaction=True)
def test_relay_failure_keeps_rows_and_counts_attempts(settings, kafka_topics):
    AircraftFactory()
    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": dead_address(), "MESSAGE_TIMEOUT_MS": 500}
    result = Relay(flush_timeout=3).drain()
    assert result.delivered == 0 and result.failed >= 1
    assert all(row.attempts == 1 and row.last_error for row in OutboxEvent.objects.all())


@pytest.mark.django_db(transaction=True)
def test_only_one_relay_works_at_a_time(kafka_topics):
    AircraftFactory()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RELAY_LOCK_ID])  # another relay is working
        result = Relay().relay_batch()
        assert result.locked_out and result.delivered == 0
        assert OutboxEvent.objects.exists()
    finally:
        # Unlock before closing: a closed client's backend lets go of its locks only
        # when it exits, a moment later, which a busy machine makes long enough to see.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RELAY_LOCK_ID])
        other.close()
    assert Relay().drain().delivered >= 1


@pytest.mark.django_db(transaction=True)
def test_a_producer_with_a_fatal_error_is_replaced(client, kafka_topics, fresh_producer):
    first = producer.get_producer()
    first.fatal = True  # what _on_error records when librdkafka reports a fatal error
    second = producer.get_producer()
    assert second is not first and not second.fatal
    plane = AircraftFactory()
    assert client.get(plane.get_absolute_url()).status_code == 200
    assert second.flush(10) == 0


@pytest.mark.django_db(transaction=True)
def test_a_producer_whose_delivery_thread_ended_is_replaced(client, kafka_topics, fresh_producer):
    first = producer.get_producer()
    first._stopping.set()  # the loop ends as at shutdown, without the flush: nobody would serve its reports
    first._poller.join(timeout=5)
    assert not first._poller.is_alive() and not first.usable()
    second = producer.get_producer()
    assert second is not first and second.usable()
    plane = AircraftFactory()
    assert client.get(plane.get_absolute_url()).status_code == 200
    assert second.flush(10) == 0
