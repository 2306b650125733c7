"""Put an export from `export_events` (or a backup's events/<topic>.jsonl) back onto a topic.

For a restore after losing a cluster, or to rebuild analytics elsewhere. Each
line's event goes to the topic with its original key (so per-key order is kept)
and framing of this deployment (plain JSON, or Schema Registry framing when
SCHEMA_REGISTRY_URL is set). Events that break their topic's schema are
reported and not sent. Replaying onto a topic that still holds the events is
harmless for the analytics: the consumer counts each event id once.
"""

import json
from pathlib import Path

from confluent_kafka import Producer
from django.core.management.base import BaseCommand, CommandError

from events import deadletter, serde, topics
from events.connection import producer_config


class Command(BaseCommand):
    help = "Produce the events in FILE (JSON lines from export_events) back onto their topic."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--topic", help="target topic (default: from the file name, <topic>.jsonl)")
        parser.add_argument("--dry-run", action="store_true", help="check the file, send nothing")

    def handle(self, *args, file: str, topic: str | None, dry_run: bool, **options):
        path = Path(file)
        target = topics.by_name(topic or path.name.removesuffix(".jsonl"))
        if target is None:
            raise CommandError(f"which topic? name it with --topic ({', '.join(t.short for t in topics.ALL)})")
        try:
            lines = [json.loads(text) for text in path.read_text().splitlines() if text.strip()]
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc

        ready, broken = [], 0
        for number, line in enumerate(lines, start=1):
            event = line.get("event") if isinstance(line, dict) else None
            problems = deadletter.schema_problems(target.name, json.dumps(event)) if event else ["no event"]
            if problems:
                broken += 1
                self.stderr.write(f"line {number}: not sent, breaks {target.name}: {'; '.join(problems)}")
                continue
            ready.append((line.get("key"), json.dumps(event, separators=(",", ":")).encode()))
        if dry_run:
            self.stdout.write(f"would replay {len(ready)} events onto {target.full_name}; {broken} break the schema")
            return

        failures: list[str] = []
        producer = Producer(producer_config(**{"message.timeout.ms": 30_000}))
        for key, value in ready:
            producer.produce(
                target.full_name,
                key=key,
                value=serde.encode_value(target, value),
                on_delivery=lambda error, _message: error and failures.append(str(error)),
            )
            producer.poll(0)
        left = producer.flush(60)
        sent = len(ready) - len(failures) - left
        self.stdout.write(f"replayed {sent} events onto {target.full_name}; {broken} break the schema")
        if failures or left or broken:
            raise CommandError(f"{len(failures) + left} not delivered ({failures[:1]}), {broken} not sent")
