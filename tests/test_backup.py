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

from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)


def pg_bin() -> str:
    import importlib.util

    return str(Path(importlib.util.find_spec("pgserver").submodule_search_locations[0]) / "pginstall" / "bin")


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

    again = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup_dir)], cwd=ROOT, env=restore_env, capture_output=True, text=True
    )
    assert again.returncode != 0  # a database with tables is never overwritten without --yes
