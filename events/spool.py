"""The last resort: a local append-only file for events neither Kafka nor PostgreSQL took.

When the broker has not acknowledged an event and the outbox cannot be written
either (PostgreSQL down too), the event is appended, one JSON line, to this
process's file in EVENTS_SPOOL_DIR and fsynced. As soon as PostgreSQL answers
again, `drain()` moves every file's lines into the outbox (duplicates are
ignored: the outbox is keyed on the event id) and the relay delivers them.
Every producing process drains the directory in its delivery thread, the relay
on every loop, so a file left by a dead process is picked up by the next one.

What is still at risk: the files live on this host's disk. Losing the disk (or,
in Kubernetes, a pod whose spool directory is an emptyDir) while PostgreSQL is
still down loses what is in them; see docs/operations.md.

Concurrency: a writer and a drainer both hold an exclusive flock on the file;
the drainer truncates the file it has stored (a writer keeps appending at the
new end with O_APPEND) and removes only empty files of processes that are gone.
"""

import contextlib
import fcntl
import json
import logging
import os
from pathlib import Path

from django.conf import settings

from .envelope import Event

logger = logging.getLogger(__name__)


def directory() -> Path:
    return Path(settings.EVENTS_SPOOL_DIR)


def _path_for(pid: int) -> Path:
    return directory() / f"events-{pid}.jsonl"


def append(events: list[Event]) -> None:
    """Append events durably (fsync) to this process's spool file. Raises OSError if it cannot."""
    directory().mkdir(parents=True, exist_ok=True)
    lines = b"".join(
        json.dumps({"id": e.id, "topic": e.topic, "key": e.key, "value": e.value.decode(), "count": e.count}).encode()
        + b"\n"
        for e in events
    )
    fd = os.open(_path_for(os.getpid()), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, lines)
        os.fsync(fd)
    finally:
        os.close(fd)


def pending_files() -> list[Path]:
    try:
        return sorted(p for p in directory().glob("events-*.jsonl") if p.stat().st_size > 0 or _owner_gone(p))
    except OSError:
        return []


def _owner_gone(path: Path) -> bool:
    try:
        pid = int(path.stem.split("-", 1)[1])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False
    return False


def _read(fd: int) -> list[Event]:
    with os.fdopen(os.dup(fd), "rb") as handle:
        handle.seek(0)
        events = []
        for line in handle:
            try:
                record = json.loads(line)
                events.append(
                    Event(
                        id=record["id"],
                        topic=record["topic"],
                        key=record["key"],
                        value=record["value"].encode(),
                        count=record.get("count", 1),  # files spooled before batches have none
                    )
                )
            except (ValueError, KeyError, TypeError):
                # A line cut short by a crash mid-write: nothing else can be recovered from it.
                logger.error("spool: skipping an unreadable line in %s", handle.name)
        return events


def drain() -> int:
    """Move every spooled event into the outbox; returns how many. Raises if PostgreSQL is down."""
    from . import outbox

    moved = 0
    for path in pending_files():
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its writer or another drainer has it; next time
            events = _read(fd)
            if events:
                outbox.store(events, origin="spooled")  # raises while the database is down: the file stays
                moved += len(events)
            os.ftruncate(fd, 0)
            if _owner_gone(path):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        finally:
            os.close(fd)
    if moved:
        logger.warning("spool: moved %d events from the local spool file to the outbox", moved)
    return moved
