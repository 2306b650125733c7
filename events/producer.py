"""One Kafka producer per process, created after fork, that never makes a page wait.

`publish()` hands the event to librdkafka's in-memory queue and returns; a
background thread serves delivery reports. An event the broker has not
acknowledged within KAFKA_MESSAGE_TIMEOUT_MS (broker down, slow, unreachable),
or that does not fit in the queue, is written to the durable outbox in
PostgreSQL, from which `relay_events` delivers it later. On a graceful exit
(gunicorn max_requests recycling, SIGTERM, Ctrl-C) `shutdown()` flushes and
spools whatever is still unacknowledged.

What a SIGKILL loses: only events still in this process's memory, i.e. produced
but neither acknowledged nor yet spooled. Normally that is the last linger
interval (20 ms) plus one broker round trip; during a broker outage it is at
most KAFKA_MESSAGE_TIMEOUT_MS of this process's high-volume events (views,
searches, comparisons). Catalogue changes never take this path: they are
written to the outbox in the same transaction as the change.
"""

import atexit
import logging
import os
import threading
import time

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.serialization import SerializationError
from django.conf import settings

from . import deadletter, metrics, outbox, serde
from .envelope import Event
from .topics import BY_NAME

logger = logging.getLogger(__name__)


def kafka_config(**extra) -> dict:
    """Connection settings shared by producers, consumers and the admin client."""
    conf = settings.KAFKA
    config = {
        "bootstrap.servers": conf["BOOTSTRAP_SERVERS"],
        "security.protocol": conf["SECURITY_PROTOCOL"],
        "client.id": f"hangarstack-{os.getpid()}",
        # librdkafka's own log lines go through Python logging, not raw to stderr.
        "logger": logging.getLogger("librdkafka"),
    }
    if conf["SECURITY_PROTOCOL"].upper().startswith("SASL"):
        config.update(
            {
                "sasl.mechanism": conf["SASL_MECHANISM"],
                "sasl.username": conf["USERNAME"],
                "sasl.password": conf["PASSWORD"],
            }
        )
    config.update(extra)
    return config


def producer_config(**extra) -> dict:
    return kafka_config(
        **{
            "enable.idempotence": True,  # implies acks=all and ordered retries
            "acks": "all",
            "linger.ms": 20,
            "message.timeout.ms": settings.KAFKA["MESSAGE_TIMEOUT_MS"],
            "queue.buffering.max.messages": 100_000,
            "socket.connection.setup.timeout.ms": 5_000,
            "reconnect.backoff.max.ms": 5_000,
            **extra,
        }
    )


# After the broker refuses a record, librdkafka resets the idempotent producer's
# sequence numbers by bumping its epoch; the embedded broker (Tansu 0.6) answers
# every later write from that producer with PRODUCER_FENCED. A fresh producer is
# the cure there and harmless against Kafka, where refusals are rare.
REPLACE_AFTER = frozenset({KafkaError.INVALID_RECORD, KafkaError.PRODUCER_FENCED})


def event_type(event: Event) -> str:
    topic = BY_NAME.get(event.topic)
    return topic.short if topic else event.topic


class EventProducer:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self._producer = Producer(producer_config(error_cb=self._on_error))
        self._in_flight: dict[str, Event] = {}
        self._failed: list[Event] = []
        self._refused: list[Event] = []  # INVALID_RECORD: the broker's schema check said no
        self._lock = threading.Lock()
        self._spool_lock = threading.Lock()
        self._stopping = threading.Event()
        self._last_error_log: dict[int, float] = {}
        self.fatal = False
        self._poller = threading.Thread(target=self._serve_delivery_reports, name="kafka-delivery", daemon=True)
        self._poller.start()

    def publish(self, event: Event) -> None:
        topic = BY_NAME[event.topic]
        try:
            value = serde.encode_value(topic, event.value)
        except SerializationError as exc:  # breaks its schema: the serializer's refusal
            self._set_aside_one(event, str(exc))
            return
        except serde.RegistryUnavailable as exc:
            logger.warning("event %s not framed (%s); spooling to the outbox", event.id, exc)
            self._spool([event])
            return
        with self._lock:
            self._in_flight[event.id] = event
        try:
            self._producer.produce(topic.full_name, key=event.key, value=value, on_delivery=self._on_delivery(event))
        except (BufferError, KafkaException) as exc:
            # The local queue is full (a long outage) or the client refused: keep it durably.
            logger.warning("event %s not queued (%s); spooling to the outbox", event.id, exc)
            with self._lock:
                self._in_flight.pop(event.id, None)
            self._spool([event])
            return
        metrics.EVENTS.labels(event_type(event), "produced").inc()

    def _on_delivery(self, event: Event):
        def report(error, message) -> None:
            with self._lock:
                # Not in flight any more means it was already spooled at shutdown.
                tracked = self._in_flight.pop(event.id, None) is not None
                if error is not None and tracked:
                    refused = error.code() == KafkaError.INVALID_RECORD
                    (self._refused if refused else self._failed).append(event)
            if error is not None and error.code() in REPLACE_AFTER:
                self.fatal = True  # see REPLACE_AFTER; get_producer() replaces it
            if error is None:
                metrics.EVENTS.labels(event_type(event), "delivered").inc()
            else:
                metrics.EVENTS.labels(event_type(event), "failed").inc()
                logger.debug("event %s not delivered: %s", event.id, error)  # summarised when spooled

        return report

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self.fatal = True  # unusable from now on; get_producer() replaces it
        # librdkafka reports every failed reconnect; one line per kind of error a minute is enough.
        now = time.monotonic()
        if error.fatal() or now - self._last_error_log.get(error.code(), -60.0) >= 60:
            self._last_error_log[error.code()] = now
            logger.log(logging.ERROR if error.fatal() else logging.WARNING, "kafka: %s", error)

    def _serve_delivery_reports(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.5)
            self._spool_failed()

    def _spool_failed(self) -> None:
        # Failed events stay counted as pending until they are stored, so that
        # flush() never reports "nothing pending" while a spool is in progress.
        with self._spool_lock:
            with self._lock:
                failed = list(self._failed)
                refused = list(self._refused)
            to_spool = failed + (self._set_aside(refused) if refused else [])
            if to_spool:
                self._spool(to_spool)
            if failed or refused:
                with self._lock:
                    del self._failed[: len(failed)]
                    del self._refused[: len(refused)]

    def _set_aside(self, refused: list[Event]) -> list[Event]:
        """Dead-letter the refused events that break their schema; return the rest,
        refused only for sharing a batch with one, to be spooled for the relay."""
        broken, innocent = deadletter.triage(refused)
        try:
            deadletter.set_aside(broken, stage="broker")
        except Exception:  # the database is down too: the outbox path will log the loss
            logger.exception("could not store %d schema-breaking events as dead letters", len(broken))
            return refused
        return innocent

    def _set_aside_one(self, event: Event, reason: str) -> None:
        try:
            deadletter.set_aside([(event, [reason])], stage="serializer")
        except Exception:
            logger.exception("could not store schema-breaking event %s as a dead letter", event.id)
            self._spool([event])

    def _spool(self, events: list[Event]) -> None:
        try:
            outbox.store(events, origin="spooled")
        except Exception:  # the database is down too: nothing durable is left to try
            logger.exception("could not spool %d events to the outbox; they are lost", len(events))
            for event in events:
                metrics.EVENTS.labels(event_type(event), "lost").inc()
            return
        for event in events:
            metrics.EVENTS.labels(event_type(event), "spooled").inc()
        logger.warning("kept %d events in the outbox for the relay: the broker did not take them", len(events))

    def pending(self) -> int:
        with self._lock:
            return len(self._in_flight) + len(self._failed) + len(self._refused)

    def flush(self, timeout: float) -> int:
        """Wait up to timeout for acknowledgements; returns how many are still pending."""
        self._producer.flush(timeout)
        self._spool_failed()
        return self.pending()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Flush, then store durably whatever the broker has not acknowledged."""
        self._producer.flush(timeout)
        self._stopping.set()
        self._poller.join(timeout=2)
        with self._lock:
            unacknowledged = list(self._in_flight.values())
            self._in_flight.clear()
        self._spool_failed()
        if unacknowledged:
            logger.info("spooling %d unacknowledged events at shutdown", len(unacknowledged))
            self._spool(unacknowledged)
            # They are in the outbox now; stop librdkafka from sending them too.
            self._producer.purge()
            self._producer.flush(0)


_producer: EventProducer | None = None
_producer_lock = threading.Lock()


def get_producer() -> EventProducer:
    """This process's producer. A forked child (gunicorn worker) gets its own:
    librdkafka's threads do not survive fork."""
    global _producer
    if _producer is None or _producer.pid != os.getpid() or _producer.fatal:
        with _producer_lock:
            if _producer is not None and _producer.pid == os.getpid() and _producer.fatal:
                logger.error("replacing the Kafka producer after a fatal error")
                _producer.shutdown(timeout=1.0)  # what it still holds goes to the outbox
                _producer = None
            if _producer is None or _producer.pid != os.getpid():
                _producer = EventProducer()
    return _producer


def publish(event: Event) -> None:
    get_producer().publish(event)


def shutdown(timeout: float = 5.0) -> None:
    global _producer
    if _producer is not None and _producer.pid == os.getpid():
        _producer.shutdown(timeout)
        _producer = None


atexit.register(shutdown)
