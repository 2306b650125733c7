"""The embedded servers of `make run`/`make test`: PostgreSQL's version and the
extensions search relies on, what happens to data from the PostgreSQL it
replaced, and how a server started by one process is shared with another."""

import threading
import time

import pytest
import redis
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


def test_a_server_being_stopped_is_never_handed_to_a_new_user(tmp_path, monkeypatch):
    """Staged with real Redis servers: a second user arrives while the owner is
    stopping the one it started, and must get a server that answers (a new one),
    not the address of the one going away."""
    monkeypatch.setattr(devstack, "RUN_DIR", tmp_path / "run")
    monkeypatch.setattr(devstack, "LOG_DIR", tmp_path / "log")
    owner, newcomer = devstack.Stack(), devstack.Stack()
    owner.redis()
    stopping, real_stop = threading.Event(), devstack._stop_server

    def slow_stop(proc, stop_signal):
        stopping.set()  # the owner holds its lease exclusively from here
        time.sleep(0.5)  # long enough for the newcomer to read the state, were it unguarded
        real_stop(proc, stop_signal)

    monkeypatch.setattr(devstack, "_stop_server", slow_stop)
    stopper = threading.Thread(target=owner.stop)
    stopper.start()
    assert stopping.wait(10)
    try:
        # In this thread: a server dies with the thread that started it (PR_SET_PDEATHSIG).
        address = newcomer.redis()  # returns once the owner's stop is done
        assert newcomer.process("redis").poll() is None  # its own, started once the owner's was gone
        assert redis.Redis.from_url(address, socket_connect_timeout=2).ping()
    finally:
        stopper.join(10)
        monkeypatch.setattr(devstack, "_stop_server", real_stop)
        newcomer.stop()
