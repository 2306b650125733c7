import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aircraft.models import AircraftViewTotal, SearchTotal
from events import topics
from events.models import OutboxEvent, ProcessedEvent
from tests.databases import database_url
from tests.events.test_delivery import dead_address
from tests.factories import AircraftFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_topics_is_idempotent(kafka_topics):
    output = run("create_topics")
    assert "Nothing to do" in output
    for topic in topics.ALL:
        assert f"exists: {topic.full_name}" in output


@pytest.mark.django_db
def test_create_topics_shows_differences(kafka_topics, monkeypatch):
    monkeypatch.setenv("KAFKA_TOPIC_VIEWS_PARTITIONS", "12")
    monkeypatch.setenv("KAFKA_TOPIC_VIEWS_RETENTION_MS", "1000")
    output = run("create_topics")
    assert f"exists, differs: {topics.VIEWS.full_name}: partitions 3 (wanted 12)" in output
    assert "retention.ms=604800000 (wanted 1000)" in output


@pytest.mark.django_db
def test_create_topics_dry_run_creates_nothing(kafka_topics, settings):
    settings.KAFKA = {**settings.KAFKA, "TOPIC_PREFIX": "dryrun-" + settings.KAFKA["TOPIC_PREFIX"]}
    output = run("create_topics", "--dry-run")
    assert f"would create {topics.VIEWS.full_name}" in output
    assert "would create" in run("create_topics", "--dry-run")  # still nothing created


@pytest.mark.django_db
def test_create_topics_unreachable_broker_fails_fast(settings):
    settings.KAFKA = {**settings.KAFKA, "BOOTSTRAP_SERVERS": dead_address()}
    started = time.monotonic()
    with pytest.raises(CommandError, match="cannot reach the Kafka broker"):
        run("create_topics", "--timeout", "2")
    assert time.monotonic() - started < 10


@pytest.mark.django_db(transaction=True)
def test_relay_events_once_drains_the_outbox(kafka_topics):
    AircraftFactory.create_batch(3)
    assert OutboxEvent.objects.count() >= 3
    output = run("relay_events", "--once")
    assert "relayed" in output and "0 not delivered" in output
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_tail_events_prints_what_arrives(client, kafka_topics, flush_events):
    plane = AircraftFactory()
    for _ in range(3):  # sent as one batch record: printed event by event
        client.get(plane.get_absolute_url())
    flush_events()
    output = run("tail_events", "views", "--from-beginning", "--timeout", "2")
    assert "com.hangarstack.aircraft.viewed" in output and "com.hangarstack.batch" not in output
    assert output.count(f"subject={plane.slug}") == 3


def test_tail_events_unknown_topic(kafka_topics):
    with pytest.raises(CommandError, match="no topic named"):
        run("tail_events", "no.such.topic", "--timeout", "1")


@pytest.mark.django_db(transaction=True)
def test_consume_events_group_aggregates_commits_and_dedupes(client, kafka_topics, flush_events):
    """The real command, as a consumer group (Tansu takes ~20 s to form one)."""
    plane = AircraftFactory(name="Groupbird")
    for _ in range(4):
        client.get(plane.get_absolute_url())
    client.get("/search/?q=groupbird")
    flush_events()
    output = run("consume_events", "--once", "--idle", "8", "--group", f"test-{plane.pk}")
    assert "consumer stopped" in output
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 4
    assert SearchTotal.objects.get(query="groupbird").searches == 1
    assert SearchTotal.objects.get(query="groupbird").top_aircraft == plane  # what the search found first
    # Offsets were committed: the same group starts after them and counts nothing again.
    run("consume_events", "--once", "--idle", "8", "--group", f"test-{plane.pk}")
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 4
    # Every record applied was recorded: the views (one batch or several, as the timing fell) and the search.
    recorded = list(ProcessedEvent.objects.values_list("topic", flat=True))
    assert any(t.endswith(topics.VIEWS.name) for t in recorded)
    assert any(t.endswith(topics.SEARCHES.name) for t in recorded)


@pytest.mark.django_db
def test_create_topics_refuses_more_replicas_than_brokers(settings, kafka_topics):
    settings.KAFKA = {
        **settings.KAFKA,
        "TOPIC_PREFIX": "rf-" + settings.KAFKA["TOPIC_PREFIX"],
        "TOPIC_REPLICATION_FACTOR": 3,
    }
    with pytest.raises(CommandError, match="replication factor 3"):
        run("create_topics")


@pytest.mark.django_db(transaction=True)
def test_relay_stops_cleanly_on_sigterm(kafka_topics):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test", "DATABASE_URL": database_url()}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "relay_events"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert "relaying" in proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert "relay stopped" in proc.stdout.read()


@pytest.mark.django_db
def test_development_caps_the_replication_factor_at_the_broker_count(settings, kafka_topics):
    settings.KAFKA = {
        **settings.KAFKA,
        "TOPIC_PREFIX": "rfcap-" + settings.KAFKA["TOPIC_PREFIX"],
        "TOPIC_REPLICATION_FACTOR": 3,
        "CAP_REPLICATION_AT_BROKERS": True,
    }
    out, err = StringIO(), StringIO()
    call_command("create_topics", stdout=out, stderr=err)
    assert "replication factor 3 on 1 broker(s)" in err.getvalue()
    assert out.getvalue().count("created ") == len(topics.ALL)


def _batched_partition(records: list[int]):
    """A one-partition topic of this test's own, written in batches of these sizes."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    from events.connection import kafka_config

    name = f"{topics.VIEWS.full_name}.rewind{time.time_ns()}"
    admin = AdminClient(kafka_config())
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(10)
    producer = Producer(kafka_config(**{"linger.ms": 50}))
    for size in records:
        for _ in range(size):
            producer.produce(name, value=b"{}")
        assert producer.flush(10) == 0  # one batch each
    return name


def _consumer_at(name: str, offset: int):
    from confluent_kafka import Consumer, TopicPartition

    from events.connection import kafka_config

    consumer = Consumer(kafka_config(**{"group.id": f"rewind{time.time_ns()}", "enable.auto.commit": False}))
    consumer.assign([TopicPartition(name, 0, offset)])
    return consumer


def test_consumer_at_the_end_of_a_log_of_batches_is_not_sent_back_to_its_start():
    """The embedded broker reports a log's end (ListOffsets) as the offset after the
    first record of its last batch; believed alone, it sent the consumer back to
    offset 0 every 10 s, to read the whole topic again as duplicates."""
    from confluent_kafka import TopicPartition

    from events.management.commands.consume_events import _rewind_past_the_end

    name = _batched_partition([20, 7])
    consumer = _consumer_at(name, 0)
    try:
        offsets, deadline = [], time.monotonic() + 20
        while len(offsets) < 27 and time.monotonic() < deadline:
            offsets += [m.offset() for m in consumer.consume(100, timeout=0.5) if not m.error()]
        assert offsets == list(range(27))
        _rewind_past_the_end(consumer)
        assert consumer.position([TopicPartition(name, 0)])[0].offset == 27
        assert [m for m in consumer.consume(100, timeout=2.0) if not m.error()] == []  # nothing read again
    finally:
        consumer.close()
