"""Moves durable events from the outbox to Kafka, oldest first.

Only one relay works at a time (a PostgreSQL advisory lock), so the outbox's
order, and with it the order per key, is the order sent. Rows are deleted only
after Kafka acknowledges them; a crash between the two sends them again, which
consumers absorb by de-duplicating on the event id (at-least-once).
"""

import logging
import time
from dataclasses import dataclass

from confluent_kafka import Producer
from django.db import connection, transaction

from . import metrics
from .models import OutboxEvent
from .producer import producer_config
from .topics import BY_NAME

logger = logging.getLogger(__name__)

RELAY_LOCK_ID = 0x4841_4E47  # "HANG": any constant shared by all relays


@dataclass
class RelayResult:
    delivered: int = 0
    failed: int = 0
    locked_out: bool = False


class Relay:
    def __init__(self, *, batch_size: int = 1000, flush_timeout: float = 15.0) -> None:
        self.batch_size = batch_size
        self.flush_timeout = flush_timeout
        # The relay may wait longer than a web worker: nothing is waiting on it.
        self.producer = Producer(
            producer_config(
                **{
                    "linger.ms": 5,
                    "batch.num.messages": 10_000,
                    "message.timeout.ms": int(flush_timeout * 1000),
                }
            )
        )

    def relay_batch(self) -> RelayResult:
        result = RelayResult()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RELAY_LOCK_ID])
                if not cursor.fetchone()[0]:
                    result.locked_out = True
                    return result
            rows = list(OutboxEvent.objects.order_by("seq")[: self.batch_size])
            if not rows:
                return result
            outcomes: dict[int, str | None] = {}

            def on_delivery(seq: int):
                def report(error, message) -> None:
                    outcomes[seq] = None if error is None else str(error)

                return report

            for row in rows:
                topic = BY_NAME.get(row.topic)
                name = topic.full_name if topic else row.topic
                self.producer.produce(name, key=row.key, value=row.value.encode(), on_delivery=on_delivery(row.seq))
                self.producer.poll(0)
            self.producer.flush(self.flush_timeout)

            delivered = [seq for seq, error in outcomes.items() if error is None]
            failed = [row for row in rows if outcomes.get(row.seq) is not None or row.seq not in outcomes]
            OutboxEvent.objects.filter(seq__in=delivered).delete()
            for row in failed:
                row.attempts += 1
                row.last_error = outcomes.get(row.seq) or "no acknowledgement before the flush timeout"
            OutboxEvent.objects.bulk_update(failed, ["attempts", "last_error"])
            result.delivered, result.failed = len(delivered), len(failed)
        for row in rows:
            outcome = "delivered" if row.seq in delivered else "failed"
            metrics.EVENTS.labels(BY_NAME[row.topic].short if row.topic in BY_NAME else row.topic, outcome).inc()
        if failed:
            metrics.RELAY_FAILURES.inc(len(failed))
            logger.warning("relay: %d delivered, %d not yet (%s)", len(delivered), len(failed), failed[0].last_error)
        return result

    def drain(self) -> RelayResult:
        """Relay until the outbox is empty or a batch fails."""
        total = RelayResult()
        while True:
            result = self.relay_batch()
            total.delivered += result.delivered
            total.failed += result.failed
            total.locked_out = result.locked_out
            if result.failed or result.locked_out or result.delivered == 0:
                return total

    def close(self) -> None:
        self.producer.flush(5)


def backoff_delays(base: float = 0.5, ceiling: float = 30.0):
    delay = base
    while True:
        yield delay
        delay = min(ceiling, delay * 2)


def sleep_unless(stopping, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
