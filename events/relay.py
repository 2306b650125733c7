"""Moves durable events from the outbox to Kafka, oldest first.

Only one relay works at a time (a PostgreSQL advisory lock), so the outbox's
order, and with it the order per key, is the order sent. Rows are deleted only
after Kafka acknowledges them; a crash between the two sends them again, which
consumers absorb by de-duplicating on the event id (at-least-once).
"""

import logging
import time
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.serialization import SerializationError
from django.db import connection, transaction

from . import deadletter, metrics, serde, topics
from .connection import producer_config
from .envelope import Event, make_event
from .models import OutboxEvent
from .topics import BY_NAME

logger = logging.getLogger(__name__)

RELAY_LOCK_ID = 0x4841_4E47  # "HANG": any constant shared by all relays


@dataclass
class RelayResult:
    delivered: int = 0
    failed: int = 0
    dead_lettered: int = 0
    locked_out: bool = False
    error: str = ""


class Relay:
    def __init__(self, *, batch_size: int = 1000, flush_timeout: float = 15.0) -> None:
        self.batch_size = batch_size
        self.flush_timeout = flush_timeout
        self.fatal: str | None = None
        self.producer = self._new_producer()

    def _new_producer(self) -> Producer:
        # The relay may wait longer than a web worker: nothing is waiting on it.
        return Producer(
            producer_config(
                **{
                    "linger.ms": 5,
                    "batch.num.messages": 10_000,
                    "message.timeout.ms": int(self.flush_timeout * 1000),
                    "error_cb": self._on_error,
                }
            )
        )

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self.fatal = error.name()

    def replace_producer(self) -> None:
        """A new producer after any failed batch: a fenced, unknown or fatally
        failed producer id never heals by itself, and the rows are still in the
        outbox, so nothing is lost by dropping what the old one held."""
        old, self.producer, self.fatal = self.producer, self._new_producer(), None
        old.purge()
        old.flush(0)

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
            codes: dict[int, int] = {}

            def on_delivery(seq: int):
                def report(error, message) -> None:
                    outcomes[seq] = None if error is None else str(error)
                    if error is not None:
                        codes[seq] = error.code()

                return report

            unframed: list[OutboxEvent] = []  # the Schema Registry serializer refused them
            try:
                for row in rows:
                    topic = BY_NAME.get(row.topic)
                    try:
                        value = serde.encode_value(topic, row.value.encode()) if topic else row.value.encode()
                    except SerializationError:
                        unframed.append(row)
                        outcomes[row.seq] = "refused by the Schema Registry serializer"
                        continue
                    except serde.RegistryUnavailable as exc:
                        outcomes[row.seq] = str(exc)
                        continue
                    name = topic.full_name if topic else row.topic
                    self.producer.produce(name, key=row.key, value=value, on_delivery=on_delivery(row.seq))
                    self.producer.poll(0)
                self.producer.flush(self.flush_timeout)
            except (BufferError, KafkaException) as exc:  # refused or raised out of poll: the rest wait
                self.fatal = self.fatal or str(exc)

            delivered = [seq for seq, error in outcomes.items() if error is None]
            failed = [row for row in rows if outcomes.get(row.seq) is not None or row.seq not in outcomes]
            refused = [row for row in failed if codes.get(row.seq) == KafkaError.INVALID_RECORD]
            dead = self._set_aside(refused, stage="broker") | self._set_aside(unframed, stage="serializer")
            failed = [row for row in failed if row.seq not in dead]
            OutboxEvent.objects.filter(seq__in=[*delivered, *dead]).delete()
            for row in failed:
                row.attempts += 1
                row.last_error = outcomes.get(row.seq) or "no acknowledgement before the flush timeout"
            OutboxEvent.objects.bulk_update(failed, ["attempts", "last_error"])
            result.delivered, result.failed, result.dead_lettered = len(delivered), len(failed), len(dead)
        broker_failures = [row for row in failed if codes.get(row.seq) is not None or row.seq not in outcomes]
        if broker_failures or refused or self.fatal:
            self.replace_producer()
        for row in rows:
            if row.seq in dead:
                continue  # counted as rejected
            outcome = "delivered" if row.seq in delivered else "failed"
            metrics.EVENTS.labels(BY_NAME[row.topic].short if row.topic in BY_NAME else row.topic, outcome).inc(
                row.event_count
            )
        if failed:
            metrics.RELAY_FAILURES.inc(len(failed))
            logger.debug("relay: %d delivered, %d not yet (%s)", len(delivered), len(failed), failed[0].last_error)
            result.error = failed[0].last_error
        return result

    @staticmethod
    def _set_aside(refused: list[OutboxEvent], *, stage: str) -> set[int]:
        """Dead-letter refused rows that break their schema; returns their seqs.
        The others were refused with a batch-mate and are retried."""
        if not refused:
            return set()
        by_id = {str(row.event_id): row for row in refused}
        events = [
            Event(id=str(r.event_id), topic=r.topic, key=r.key, value=r.value.encode(), count=r.event_count)
            for r in refused
        ]
        broken, _innocent = deadletter.triage(events)
        deadletter.set_aside(broken, stage=stage)
        return {by_id[event.id].seq for event, _problems in broken}

    def drain(self) -> RelayResult:
        """Relay until the outbox is empty or a batch fails."""
        total = RelayResult()
        while True:
            result = self.relay_batch()
            total.delivered += result.delivered
            total.failed += result.failed
            total.dead_lettered += result.dead_lettered
            total.locked_out = result.locked_out
            total.error = result.error or total.error
            if result.failed or result.locked_out or result.delivered == 0:
                return total

    def close(self) -> None:
        self.producer.flush(5)


def backlog_event(backlog: int) -> Event:
    """The system event relay_events emits while the broker keeps refusing a large backlog."""
    return make_event(
        topics.SYSTEM,
        "relay.backlog",
        subject="outbox",
        key="relay",
        data={"backlog": backlog, "error": "broker not accepting"},
    )


def backoff_delays(base: float = 0.5, ceiling: float = 10.0):
    delay = base
    while True:
        yield delay
        delay = min(ceiling, delay * 2)


def sleep_unless(stopping, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
