"""export_events and replay_events against the real broker (backup.sh runs them)."""

import json
import time
from io import StringIO

import pytest
from confluent_kafka import Producer
from django.core.management import CommandError, call_command

from events import producer, topics
from events.connection import producer_config
from events.envelope import make_event
from tests.events.conftest import read_topic

pytestmark = pytest.mark.django_db(transaction=True)


def search(query: str):
    return make_event(
        topics.SEARCHES,
        "search.performed",
        subject=query,
        key="export-test",  # one key: one partition, in order
        data={"query": query, "result_count": 1, "client": {}},
    )


def exported(directory, topic) -> list[dict]:
    return [json.loads(line) for line in (directory / f"{topic.name}.jsonl").read_text().splitlines()]


def test_export_keeps_the_newest_n_of_each_partition(tmp_path, kafka_topics):
    events = [search(f"export-{n}") for n in range(5)]
    for event in events:
        producer.publish(event)
    assert producer.get_producer().flush(15) == 0
    call_command("export_events", str(tmp_path), "--topic", "searches", "--max", "2", stdout=StringIO())
    lines = exported(tmp_path, topics.SEARCHES)
    # Sent as one batch record: exported event by event, the newest two of its partition.
    mine = [line for line in lines if line["event"]["id"] in {event.id for event in events}]
    assert [line["event"]["id"] for line in mine] == [event.id for event in events[-2:]]
    per_partition = {}
    for line in lines:
        per_partition[line["partition"]] = per_partition.get(line["partition"], 0) + 1
    assert max(per_partition.values()) <= 2


def test_export_since_leaves_out_older_events(tmp_path, kafka_topics):
    old, new = search("export-old"), search("export-new")
    raw = Producer(producer_config())
    two_days_ago = int((time.time() - 2 * 86400) * 1000)
    raw.produce(topics.SEARCHES.full_name, key=old.key, value=old.value, timestamp=two_days_ago)
    raw.produce(topics.SEARCHES.full_name, key=new.key, value=new.value)
    assert raw.flush(15) == 0
    call_command("export_events", str(tmp_path), "--topic", "searches", "--since", "1d", stdout=StringIO())
    ids = {line["event"]["id"] for line in exported(tmp_path, topics.SEARCHES)}
    assert new.id in ids and old.id not in ids


def test_replay_sends_what_conforms_and_names_what_does_not(tmp_path, kafka_topics):
    good = search("replay-good")
    bad = json.loads(search("replay-bad").value)
    bad["data"]["result_count"] = -1
    path = tmp_path / "searches.jsonl"
    path.write_text("\n".join(json.dumps({"key": "k", "event": envelope}) for envelope in (good.envelope, bad)) + "\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 not sent"):
        call_command("replay_events", str(path), stdout=out, stderr=err)
    assert "replayed 1 events" in out.getvalue()
    assert "line 2" in err.getvalue() and "data/result_count" in err.getvalue()
    ids = {envelope["id"] for envelope in read_topic(topics.SEARCHES)}
    assert good.id in ids and bad["id"] not in ids


def test_export_names_an_unknown_topic(tmp_path):
    with pytest.raises(CommandError, match="unknown topic"):
        call_command("export_events", str(tmp_path), "--topic", "nope", stdout=StringIO())
