"""Write each topic's events to DIR/<topic>.jsonl, one JSON object per line.

Part of a backup (scripts/backup.sh --events): the topics hold the analytics'
raw material, which PostgreSQL does not. Each line is
{"topic", "partition", "offset", "timestamp", "key", "event"} where "event" is
the CloudEvents envelope (read from either framing, plain JSON or Schema
Registry); each event of a batch record gets a line of its own, with the
record's place. Bounded: --since takes only events newer than a duration, --max the
newest N of each partition; the export stops at the end each partition had when
it started (events stamped later are left out), so a busy topic cannot keep it
running. Lines are written partition by partition, in offset order, which
keeps each key's order; memory holds at most --max lines. `replay_events` puts a file back onto a topic.
"""

import json
import re
import time
from collections import deque
from datetime import timedelta
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, TopicPartition
from django.core.management.base import BaseCommand, CommandError

from events import serde, topics
from events.connection import kafka_config
from events.envelope import unbatch

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
IDLE_SECONDS = 1.5  # nothing new for this long: the partition is read to its end
MAX_SECONDS = 600


def duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([smhd])", text)
    if not match:
        raise CommandError(f"--since takes a number and a unit (s, m, h, d), e.g. 24h or 7d; not {text!r}")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Export each topic's events as JSON lines (bounded by --since or --max) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--since", help="only events newer than this, e.g. 24h, 7d")
        parser.add_argument("--max", type=int, default=0, help="at most the newest N events of each partition")
        parser.add_argument("--topic", action="append", help="only these topics (default: all five)")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the broker")

    def handle(self, *args, directory: str, since: str | None, max: int, topic: list[str] | None, **options):
        chosen = [self._topic(name) for name in topic] if topic else list(topics.ALL)
        since_ms = int((time.time() - duration(since).total_seconds()) * 1000) if since else None
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        consumer = Consumer(kafka_config(**{"group.id": "hangarstack-export", "enable.auto.commit": False}))
        try:
            try:
                metadata = consumer.list_topics(timeout=options["timeout"])
            except KafkaException as exc:
                raise CommandError(f"cannot reach the Kafka broker: {exc}") from exc
            for chosen_topic in chosen:
                if chosen_topic.full_name not in metadata.topics:
                    raise CommandError(f"no topic {chosen_topic.full_name} on the broker")
                partitions = sorted(metadata.topics[chosen_topic.full_name].partitions)
                path = out_dir / f"{chosen_topic.name}.jsonl"
                with path.open("w") as handle:
                    count = self._export(consumer, chosen_topic.full_name, partitions, since_ms, max, handle)
                if options["verbosity"]:
                    self.stdout.write(f"{chosen_topic.full_name}: {count} events -> {path}")
        finally:
            consumer.close()

    @staticmethod
    def _topic(name: str):
        found = topics.by_name(name)
        if found is None:
            raise CommandError(f"unknown topic {name!r}; one of {', '.join(t.short for t in topics.ALL)}")
        return found

    def _export(self, consumer, name: str, partitions: list[int], since_ms: int | None, newest: int, handle) -> int:
        # Where each partition ends is taken as "caught up" (nothing more within
        # IDLE_SECONDS) or the first event stamped after the export began, not
        # from the high watermark: Tansu reports one that can lag the last
        # record of a batch. The watermark only narrows where --max starts
        # reading (too early at worst); the newest N are kept while reading.
        started_ms = int(time.time() * 1000)
        starts = {}
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=10)
            starts[partition] = max(low, high - newest) if newest else low
        if since_ms is not None:
            wanted = [TopicPartition(name, p, since_ms) for p in partitions]
            for found in consumer.offsets_for_times(wanted, timeout=10):
                if found.offset >= 0:
                    starts[found.partition] = max(starts[found.partition], found.offset)
        count = 0
        for partition in partitions:  # one at a time: each partition's lines in offset order
            kept: deque[dict] = deque(maxlen=newest or None)
            consumer.assign([TopicPartition(name, partition, starts[partition])])
            deadline, idle_since, done = time.monotonic() + MAX_SECONDS, time.monotonic(), False
            while not done:
                if time.monotonic() > deadline:
                    raise CommandError(f"{name}[{partition}] still had events after {MAX_SECONDS}s")
                messages = [m for m in consumer.consume(1000, timeout=0.5) if not m.error()]
                for message in messages:
                    if message.timestamp()[1] > started_ms:
                        done = True  # produced after the export began: the end it had then
                        break
                    if since_ms is not None and message.timestamp()[1] < since_ms:
                        continue
                    lines = self._lines(message)
                    if newest:
                        kept.extend(lines)
                    else:
                        for line in lines:
                            handle.write(json.dumps(line, separators=(",", ":")) + "\n")
                        count += len(lines)
                if messages:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since >= IDLE_SECONDS:
                    done = True
            consumer.unassign()
            for line in kept:
                handle.write(json.dumps(line, separators=(",", ":")) + "\n")
            count += len(kept)
        return count

    @staticmethod
    def _lines(message) -> list[dict]:
        """A line per event: a batch record's events each get one, with the record's place."""
        envelope = serde.decode_value(message.value(), message.topic())
        record = {
            "topic": message.topic(),
            "partition": message.partition(),
            "offset": message.offset(),
            "timestamp": message.timestamp()[1],
            "key": message.key().decode() if message.key() is not None else None,
        }
        if envelope is None:
            return [{**record, "event": {"undecodable": message.value().hex()}}]
        return [{**record, "event": event} for event in unbatch(envelope)]
