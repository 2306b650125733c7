"""The local spool file: events neither the broker nor PostgreSQL took, moved to the outbox later."""

import json
import os

import pytest

from events import spool, topics
from events.envelope import make_event
from events.models import OutboxEvent


@pytest.fixture
def spool_dir(settings, tmp_path):
    settings.EVENTS_SPOOL_DIR = tmp_path / "spool"
    return settings.EVENTS_SPOOL_DIR


def views(n):
    return [make_event(topics.VIEWS, "aircraft.viewed", subject="x", key=str(i), data={"i": i}) for i in range(n)]


def test_appended_events_are_one_json_line_each(spool_dir):
    events = views(3)
    spool.append(events[:2])
    spool.append(events[2:])
    lines = (spool_dir / f"events-{os.getpid()}.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.id for e in events]


@pytest.mark.django_db
def test_drain_moves_every_file_to_the_outbox_once(spool_dir):
    events = views(4)
    spool.append(events)
    dead = spool_dir / "events-999999999.jsonl"  # a file left by a process that is gone
    dead.write_text(spool_dir.joinpath(f"events-{os.getpid()}.jsonl").read_text())
    assert spool.drain() == 8  # the same events twice: the outbox keeps each id once
    stored = OutboxEvent.objects.filter(event_id__in=[e.id for e in events])
    assert stored.count() == 4 and {row.origin for row in stored} == {"spooled"}
    assert not dead.exists()  # its writer is gone and it is empty
    assert (spool_dir / f"events-{os.getpid()}.jsonl").stat().st_size == 0  # ours is kept, emptied
    assert spool.drain() == 0


@pytest.mark.django_db
def test_a_line_cut_short_by_a_crash_does_not_block_the_rest(spool_dir):
    events = views(2)
    spool.append(events)
    with open(spool_dir / f"events-{os.getpid()}.jsonl", "a") as handle:
        handle.write('{"id": "cut sho')
    assert spool.drain() == 2
    assert OutboxEvent.objects.filter(event_id__in=[e.id for e in events]).count() == 2
