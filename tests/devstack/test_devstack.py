"""The embedded PostgreSQL of `make run`/`make test`: the version and extensions
search relies on, and what happens to data from the PostgreSQL it replaced."""

import pytest
from django.db import connection

import devstack


@pytest.mark.django_db
def test_the_test_database_runs_postgresql_18_with_the_search_extensions():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) // 10000 == 18
        cursor.execute("SELECT extname FROM pg_extension")
        assert {"pg_trgm", "unaccent"} <= {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT name FROM pg_available_extensions WHERE name = 'fuzzystrmatch'")
        assert cursor.fetchone() == ("fuzzystrmatch",)
        cursor.execute("SELECT lower('СУ-27 ÉCUREUIL'), unaccent('Écureuil')")
        assert cursor.fetchone() == ("су-27 écureuil", "Ecureuil")  # a UTF-8 ctype, whatever the machine's locale


def test_data_of_another_major_version_is_moved_aside(tmp_path, monkeypatch, capsys):
    data = tmp_path / "pgdata"
    data.mkdir()
    (data / "PG_VERSION").write_text("16\n")
    (data / "base").mkdir()
    monkeypatch.setattr(devstack, "PG_DATA", data)
    devstack._set_aside_other_major_version(devstack.pg_bindir())
    assert not data.exists()
    assert (tmp_path / "pgdata-16" / "base").is_dir()
    assert "moved it to" in capsys.readouterr().err


def test_data_of_the_same_major_version_stays(tmp_path, monkeypatch):
    data = tmp_path / "pgdata"
    data.mkdir()
    (data / "PG_VERSION").write_text("18\n")
    monkeypatch.setattr(devstack, "PG_DATA", data)
    devstack._set_aside_other_major_version(devstack.pg_bindir())
    assert (data / "PG_VERSION").read_text() == "18\n"
