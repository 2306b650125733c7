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
    client.get(plane.get_absolute_url())
    flush_events()
    output = run("tail_events", "views", "--from-beginning", "--timeout", "2")
    assert "com.hangarstack.aircraft.viewed" in output
    assert f"subject={plane.slug}" in output


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
    assert ProcessedEvent.objects.count() >= 5


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
