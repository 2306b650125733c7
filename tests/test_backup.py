"""Backup and restore, for real: pg_dump a catalogue, restore it into an empty
database, and find the same catalogue (and media) there."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from aircraft.models import Aircraft
from aircraft.photos import photo_save
from tests.databases import database_url
from tests.factories import AircraftPhotoFactory

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)


def pg_bin() -> str:
    from devstack import pg_bindir

    return str(pg_bindir())


def url_for(name: str) -> str:
    return database_url(name)


@pytest.fixture
def empty_database():
    name = "hangarstack_restore_test"
    with psycopg.connect(url_for("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    yield name
    with psycopg.connect(url_for("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def export_from(database: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url_for(database), "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "export_aircraft", "-"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_restore_into_an_empty_database_finds_the_same_catalogue(tmp_path, empty_database):
    call_command("load_aircraft", stdout=StringIO())
    media = tmp_path / "media"
    (media / "aircraft").mkdir(parents=True)
    (media / "aircraft" / "photo.svg").write_text("<svg/>")
    with override_settings(MEDIA_ROOT=media):
        photo = photo_save(photo=AircraftPhotoFactory.build(aircraft=Aircraft.objects.first()))
    photo_files = [photo.image.name] + [s[ext] for s in photo.renditions["sizes"] for ext in ("webp", "jpeg")]
    env = {
        **os.environ,
        "DATABASE_URL": url_for(settings.DATABASES["default"]["NAME"]),
        "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test",
        "MEDIA_ROOT": str(media),
        "PG_BIN": pg_bin(),
    }
    backup = subprocess.run(
        ["bash", "scripts/backup.sh", str(tmp_path / "backups")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])
    assert (backup_dir / "database.dump").stat().st_size > 0
    assert json.loads((backup_dir / "aircraft.json").read_text())["aircraft"]

    restored_media = tmp_path / "restored-media"
    restore_env = {**env, "DATABASE_URL": url_for(empty_database), "MEDIA_ROOT": str(restored_media)}
    restore = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup_dir)], cwd=ROOT, env=restore_env, capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stderr

    assert export_from(empty_database) == export_from(settings.DATABASES["default"]["NAME"])
    assert (restored_media / "aircraft" / "photo.svg").read_text() == "<svg/>"
    # The photo, its credit (in the export compared above) and every rendition came back.
    restored = {r["slug"]: r for r in export_from(empty_database)["aircraft"]}
    assert restored[photo.aircraft.slug]["photos"][0]["author"] == photo.author
    for name in photo_files:
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()

    again = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup_dir)], cwd=ROOT, env=restore_env, capture_output=True, text=True
    )
    assert again.returncode != 0  # a database with tables is never overwritten without --yes


def test_backup_holds_schemas_and_events_and_replay_puts_them_back(tmp_path, empty_database, broker_schemas, settings):
    from events import producer, schema_store, topics
    from events.envelope import make_event
    from tests.events.conftest import read_topic

    sent = [
        make_event(
            topics.VIEWS,
            "aircraft.viewed",
            subject=f"backup-{n}",
            key=str(900 + n),
            data={
                "aircraft": {"id": 900 + n, "slug": f"backup-{n}", "designation": "B-1", "manufacturer": "Backup"},
                "via": "api",
                "client": {},
            },
        )
        for n in range(3)
    ]
    # One record per event, so each keeps its own key (tests/events/test_export_events.py exports batches).
    settings.KAFKA = {**settings.KAFKA, "BATCH_MS": 0}
    producer.shutdown()
    for event in sent:
        producer.publish(event)
    assert producer.get_producer().flush(15) == 0
    producer.shutdown()

    env = {
        **os.environ,
        "DATABASE_URL": url_for(settings.DATABASES["default"]["NAME"]),
        "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test",
        "KAFKA_TOPIC_PREFIX": settings.KAFKA["TOPIC_PREFIX"],
        "PG_BIN": pg_bin(),
    }
    backup = subprocess.run(
        [
            "bash",
            "scripts/backup.sh",
            "--no-media",
            "--no-export",
            "--events",
            "--events-since",
            "1h",
            str(tmp_path / "backups"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert backup.returncode == 0, backup.stderr + backup.stdout
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])

    for name in schema_store.topic_names():
        assert json.loads((backup_dir / "schemas" / f"{name}.json").read_text()) == schema_store.event_schema(name)
    export = backup_dir / "events" / f"{topics.VIEWS.name}.jsonl"
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    exported = {line["event"]["id"]: line for line in lines}
    for event in sent:
        assert exported[event.id]["key"] == event.key
        assert exported[event.id]["event"] == event.envelope
    assert sorted((backup_dir / "events").iterdir()) == sorted(
        backup_dir / "events" / f"{name}.jsonl" for name in schema_store.topic_names()
    )
    checked = (backup_dir / "SHA256SUMS").read_text()
    assert f"events/{topics.VIEWS.name}.jsonl" in checked and f"schemas/{topics.VIEWS.name}.json" in checked

    restore = subprocess.run(
        ["bash", "scripts/restore.sh", "--no-media", str(backup_dir)],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url_for(empty_database)},
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stderr  # checksums of the new files verified too
    assert f"replay_events {export}" in restore.stdout

    # Replay onto topics of a fresh prefix, validated by the broker like this run's own.
    replay_prefix = "replayed-" + settings.KAFKA["TOPIC_PREFIX"]
    schema_store.write_broker_registry(broker_schemas, prefix=replay_prefix)
    replay_env = {**env, "KAFKA_TOPIC_PREFIX": replay_prefix}
    for command in (["create_topics"], ["replay_events", str(export)]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=replay_env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr + done.stdout
    assert f"replayed {len(lines)} events" in done.stdout
    run_kafka = settings.KAFKA
    settings.KAFKA = {**run_kafka, "TOPIC_PREFIX": replay_prefix}
    try:
        replayed = read_topic(topics.VIEWS)
    finally:
        settings.KAFKA = run_kafka
    assert sorted(e["id"] for e in replayed) == sorted(exported)
    assert {e["id"]: e for e in replayed}[sent[0].id] == sent[0].envelope
