"""Aggregate view and search events into the analytics the site shows.

A Kafka consumer group: run one or more (up to the partition count) beside the
web app. Offsets are committed only after the database transaction that
applied them; event ids already applied are ignored. SIGTERM stops it cleanly
after the batch in hand.
"""

import time

from confluent_kafka import Consumer, KafkaException, TopicPartition
from django.conf import settings
from django.core.management.base import CommandError

from events.consumer import ANALYTICS_TOPICS, apply_batch, forget_processed
from events.management.service import ServiceCommand
from events.producer import kafka_config

JOIN_TIMEOUT = 90.0


class Command(ServiceCommand):
    help = "Consume views and searches into the analytics tables (consumer group)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--once", action="store_true", help="exit once no message arrives for --idle seconds")
        parser.add_argument("--idle", type=float, default=5.0)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--group", default=settings.KAFKA["CONSUMER_GROUP"])

    def handle(self, *args, once: bool, idle: float, batch_size: int, group: str, **options):
        consumer = Consumer(
            kafka_config(
                **{
                    "group.id": group,
                    "enable.auto.commit": False,
                    "auto.offset.reset": "earliest",
                    "partition.assignment.strategy": "cooperative-sticky",
                }
            )
        )
        names = [topic.full_name for topic in ANALYTICS_TOPICS]
        assigned = False

        def on_assign(consumer, partitions):
            nonlocal assigned, last_message
            assigned = True
            last_message = time.monotonic()  # --once idles from the moment there is something to read

        consumer.subscribe(names, on_assign=on_assign)
        self.stdout.write(f"consuming {', '.join(names)} as group {group}")
        totals = {"applied": 0, "duplicates": 0, "malformed": 0}
        started = last_message = time.monotonic()
        last_housekeeping = time.monotonic()
        try:
            while not self.stopping:
                messages = consumer.consume(batch_size, timeout=1.0)
                real = [m for m in messages if not m.error()]
                for message in messages:
                    if message.error() and message.error().fatal():
                        raise CommandError(f"consumer failed: {message.error()}")
                if real:
                    result = apply_batch(real)
                    consumer.commit(offsets=_next_offsets(real), asynchronous=False)  # after the DB commit
                    for key in totals:
                        totals[key] += getattr(result, key)
                    last_message = time.monotonic()
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"applied {result.applied}, duplicates {result.duplicates}")
                elif once and assigned and time.monotonic() - last_message > idle:
                    break
                elif once and not assigned and time.monotonic() - started > JOIN_TIMEOUT:
                    raise CommandError(f"no partitions assigned within {JOIN_TIMEOUT:.0f}s; is the broker up?")
                if time.monotonic() - last_housekeeping > 3600:
                    forget_processed()
                    last_housekeeping = time.monotonic()
        except KafkaException as exc:
            raise CommandError(f"consumer failed: {exc}") from exc
        finally:
            consumer.close()
        self.stdout.write(
            f"consumer stopped: {totals['applied']} applied, {totals['duplicates']} duplicates ignored, "
            f"{totals['malformed']} malformed skipped"
        )


def _next_offsets(messages) -> list[TopicPartition]:
    latest: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic(), message.partition())
        latest[key] = max(latest.get(key, -1), message.offset())
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in latest.items()]
