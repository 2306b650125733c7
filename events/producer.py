"""One Kafka producer per process, created after fork, that never makes a page wait.

`publish()` hands the event to librdkafka's in-memory queue and returns; a
background thread serves delivery reports. Events of the high-volume topics
(views, searches, comparisons) are first gathered for EVENTS_BATCH_MS, their
envelopes made by the delivery thread a batch at a time (events.envelope.Deferred),
and sent as one record per topic (events.envelope.batch_of_texts): per event, the
worker, the broker and the consumer then do a fraction of the work. An event the broker has not
acknowledged within KAFKA_MESSAGE_TIMEOUT_MS (broker down, slow, unreachable),
or that does not fit in the queue, is written to the durable outbox in
PostgreSQL, from which `relay_events` delivers it later. On a graceful exit
(gunicorn max_requests recycling, SIGTERM, Ctrl-C) `shutdown()` flushes and
spools whatever is still unacknowledged.

What a SIGKILL loses: only events still in this process's memory, i.e. produced
but neither acknowledged nor yet spooled. Normally that is the last batch
interval and linger interval (EVENTS_BATCH_MS 100 ms, KAFKA_LINGER_MS 20 ms) plus
one broker round trip; during a broker outage it is at
most KAFKA_MESSAGE_TIMEOUT_MS of this process's high-volume events (views,
searches, comparisons). Catalogue changes never take this path: they are
written to the outbox in the same transaction as the change.
"""

import atexit
import contextlib
import logging
import math
import threading
import time

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.serialization import SerializationError
from django.conf import settings

from core import process

from . import deadletter, metrics, outbox, serde, spool
from .connection import producer_config
from .envelope import Deferred, Event, batch_of_texts, split_batch, visit_texts
from .topics import BY_NAME

logger = logging.getLogger(__name__)


def event_type(event: Event) -> str:
    topic = BY_NAME.get(event.topic)
    return topic.short if topic else event.topic


# Delivery errors that say this producer's idempotence state (producer id, epoch,
# sequence numbers) is out of step with the broker's: librdkafka keeps failing
# every message with them (a broker that was hung or restarted answers
# PRODUCER_FENCED or UNKNOWN_PRODUCER_ID to the old producer id for ever), so
# the only cure is a new producer, which asks for a new id.
BROKEN_STATE_ERRORS = {
    KafkaError._FATAL,
    KafkaError._FENCED,
    KafkaError.PRODUCER_FENCED,
    KafkaError.UNKNOWN_PRODUCER_ID,
    KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    KafkaError.INVALID_PRODUCER_EPOCH,
    KafkaError.INVALID_PRODUCER_ID_MAPPING,
}
# A purge is ours (a retiring producer), not the broker's verdict.
OWN_ERRORS = {KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT}
SPOOL_DRAIN_INTERVAL = 5.0
BATCH_MAX_BYTES = 256 * 1024


class EventProducer:
    """A librdkafka producer plus the thread that serves its delivery reports.

    Healing: any delivery it could not make (a timeout, a fenced or unknown
    producer id, a fatal error), an exception out of poll(), or a dead delivery
    thread marks it broken; the delivery thread then installs a fresh producer
    for this process and retires this one, storing whatever it still held in
    the outbox (or the local spool file). A producer costs a few milliseconds
    to create, so replacing one on every failure is cheaper than deciding which
    failures librdkafka recovers from by itself.
    """

    def __init__(self) -> None:
        self.pid = process.pid()
        self._producer = Producer(producer_config(error_cb=self._on_error))
        self._in_flight: dict[str, Event] = {}
        self._gathered: dict[str, list[Event | Deferred]] = {}  # by topic, until the next batch is sent
        self.batch_seconds = settings.KAFKA["BATCH_MS"] / 1000
        self._next_batch = 0.0
        self._failed: list[Event] = []
        self._refused: list[Event] = []  # INVALID_RECORD: the broker's schema check said no
        self._lock = threading.Lock()
        self._spool_lock = threading.Lock()
        self._stopping = threading.Event()
        self._closed = False
        self._shut_down = False
        self._last_error_log: dict[int, float] = {}
        self._last_spool_drain = 0.0
        self.broken: str | None = None  # why it must be replaced
        # Cleared when the delivery thread ends: Thread.is_alive() takes a lock, and every view asks.
        self._serving = True
        self._poller = threading.Thread(target=self._serve_delivery_reports, name="kafka-delivery", daemon=True)
        self._poller.start()

    @property
    def fatal(self) -> bool:  # kept for callers that ask the old question
        return self.broken is not None

    @fatal.setter
    def fatal(self, value: bool) -> None:
        if value:
            self.mark_broken("fatal error")

    def mark_broken(self, reason: str) -> None:
        if self.broken is None:
            self.broken = reason

    def usable(self) -> bool:
        return self.broken is None and not self._closed and self._serving

    def publish(self, event: Event | Deferred) -> None:
        topic = event.topic if isinstance(event, Deferred) else BY_NAME[event.topic]
        if topic.batched and self.batch_seconds:
            with self._lock:
                if not self._closed:
                    self._gathered.setdefault(topic.name, []).append(event)
                    return
        made = _made([event])
        if made:
            self._send(made[0])

    def _batches(self) -> list[Event]:
        """What was gathered, one record per topic and BATCH_MAX_BYTES (a lone event goes as itself)."""
        with self._lock:
            gathered, self._gathered = self._gathered, {}
        records = []
        for topic, events in gathered.items():
            if len(events) == 1:
                records += _made(events)
            else:
                records += [batch_of_texts(topic, part) for part in _parts(_texts(events))]
        return records

    def send_batches(self) -> None:
        for batch in self._batches():
            self._send(batch)

    def _send(self, event: Event) -> None:
        topic = BY_NAME[event.topic]
        try:
            value = serde.encode_value(topic, event.value)
        except SerializationError as exc:  # breaks its schema: the serializer's refusal
            carried = split_batch(event)
            if len(carried) > 1:  # a batch: each event alone, so only those that break it go aside
                for one in carried:
                    self._send(one)
            else:
                self._set_aside_one(event, str(exc))
            return
        except serde.RegistryUnavailable as exc:
            logger.warning("event %s not framed (%s); spooling to the outbox", event.id, exc)
            self._spool([event])
            return
        with self._lock:
            closed = self._closed
            if not closed:
                self._in_flight[event.id] = event
        if closed:  # retired between get_producer() and here
            self._spool([event])
            return
        try:
            self._producer.produce(topic.full_name, key=event.key, value=value, on_delivery=self._on_delivery(event))
        except (BufferError, KafkaException) as exc:
            # The local queue is full (a long outage) or the client refused: keep it durably.
            logger.warning("event %s not queued (%s); spooling to the outbox", event.id, exc)
            with self._lock:
                self._in_flight.pop(event.id, None)
            if isinstance(exc, KafkaException):
                self.mark_broken(f"produce refused: {exc}")
            self._spool([event])
            return
        metrics.EVENTS.labels(event_type(event), "produced").inc(event.count)

    def _on_delivery(self, event: Event):
        def report(error, message) -> None:
            with self._lock:
                # Not in flight any more means it was already spooled at shutdown.
                tracked = self._in_flight.pop(event.id, None) is not None
                if error is not None and tracked:
                    refused = error.code() == KafkaError.INVALID_RECORD
                    (self._refused if refused else self._failed).append(event)
            if error is None:
                metrics.EVENTS.labels(event_type(event), "delivered").inc(event.count)
                if _replacements_logged:
                    _replacements_logged.clear()
                    logger.warning("Kafka producer delivering again")
                return
            metrics.EVENTS.labels(event_type(event), "failed").inc(event.count)
            logger.debug("event %s not delivered: %s", event.id, error)  # summarised when spooled
            if error.code() not in OWN_ERRORS:
                self.mark_broken(error.name() if error.code() in BROKEN_STATE_ERRORS else f"delivery failed: {error}")

        return report

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal() or error.code() in BROKEN_STATE_ERRORS:
            self.mark_broken(f"fatal error {error.name()}")
        # librdkafka reports every failed reconnect; one line per kind of error a minute is enough.
        now = time.monotonic()
        if error.fatal() or now - self._last_error_log.get(error.code(), -60.0) >= 60:
            self._last_error_log[error.code()] = now
            logger.log(logging.ERROR if error.fatal() else logging.WARNING, "kafka: %s", error)

    def _serve_delivery_reports(self) -> None:
        try:
            self._serve()
        finally:
            self._serving = False

    def _serve(self) -> None:
        # Nothing may end this loop but shutdown: a dead delivery thread would
        # leave events in memory with nobody to store them.
        while not self._stopping.is_set():
            try:
                self._producer.poll(self._until_next_batch())
            except Exception as exc:  # librdkafka raised out of poll(), e.g. UNKNOWN_PRODUCER_ID
                self.mark_broken(f"poll raised {exc}")
            try:
                if self.batch_seconds and time.monotonic() >= self._next_batch:
                    self._next_batch = time.monotonic() + self.batch_seconds
                    self.send_batches()
                self._spool_failed()
                self._drain_local_spool()
            except Exception:
                logger.exception("kafka-delivery: could not store failed events; retrying")
                _forget_connection()
            if self.broken is not None and not self._stopping.is_set():
                _replace(self)
                return

    def _until_next_batch(self) -> float:
        if not self.batch_seconds:
            return 0.5
        return poll_wait(self._next_batch - time.monotonic())

    def _drain_local_spool(self) -> None:
        now = time.monotonic()
        if now - self._last_spool_drain < SPOOL_DRAIN_INTERVAL:
            return
        self._last_spool_drain = now
        if spool.pending_files():
            spool.drain()

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
            _forget_connection()
            return refused
        return innocent

    def _set_aside_one(self, event: Event, reason: str) -> None:
        try:
            deadletter.set_aside([(event, [reason])], stage="serializer")
        except Exception:
            logger.exception("could not store schema-breaking event %s as a dead letter", event.id)
            _forget_connection()
            self._spool([event])

    def _spool(self, events: list[Event]) -> None:
        try:
            outbox.store(events, origin="spooled")
        except Exception as exc:  # the database is down too: the local spool file is left
            _forget_connection()
            try:
                spool.append(events)
            except OSError:
                logger.exception(
                    "could not store %d events in the outbox or the spool file; they are lost", len(events)
                )
                for event in events:
                    metrics.EVENTS.labels(event_type(event), "lost").inc(event.count)
                return
            for event in events:
                metrics.EVENTS.labels(event_type(event), "spooled_file").inc(event.count)
            logger.warning(
                "kept %d events in the local spool file: neither the broker nor the database took them (%s)",
                sum(event.count for event in events),
                type(exc).__name__,
            )
            return
        for event in events:
            metrics.EVENTS.labels(event_type(event), "spooled").inc(event.count)
        count = sum(event.count for event in events)
        logger.warning("kept %d events in the outbox for the relay: the broker did not take them", count)

    def pending(self) -> int:
        """Records not yet acknowledged, and events not yet sent."""
        with self._lock:
            gathered = sum(map(len, self._gathered.values()))
            return len(self._in_flight) + len(self._failed) + len(self._refused) + gathered

    def flush(self, timeout: float) -> int:
        """Send what is gathered, wait up to timeout for acknowledgements; returns how many are still pending."""
        self.send_batches()
        self._producer.flush(timeout)
        self._spool_failed()
        return self.pending()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Flush, then store durably whatever the broker has not acknowledged."""
        with self._lock:
            if self._shut_down:
                return
            self._shut_down = True
        if self.broken is None:
            self.send_batches()
            self._producer.flush(timeout)
        self._stopping.set()
        if threading.current_thread() is not self._poller:
            self._poller.join(timeout=2)
        with self._lock:
            self._closed = True
            unacknowledged = list(self._in_flight.values())
            self._in_flight.clear()
        unacknowledged += self._batches()  # gathered since, or by a broken producer
        self._spool_failed()
        if unacknowledged:
            logger.info("spooling %d unacknowledged events", len(unacknowledged))
            self._spool(unacknowledged)
        # They are stored now; stop librdkafka from sending them too.
        self._producer.purge()
        self._producer.flush(0)


def _made(events: list[Event | Deferred]) -> list[Event]:
    """Envelopes for the deferred ones. One that cannot be made (a bug, not an
    outage) is logged and left out, as it was when a page made its own."""
    made = []
    for event in events:
        if isinstance(event, Event):
            made.append(event)
            continue
        try:
            made.append(event.make())
        except Exception:
            logger.exception("could not make an event of type %s", event.type)
    return made


def _texts(events: list[Event | Deferred]) -> list[str]:
    """The envelopes of a topic's gathered events as text, the noted visits made in
    one loop (events.envelope.visit_texts); as _made, one that cannot be made is left out."""
    noted = [event for event in events if isinstance(event, Deferred)]
    texts = [event.value.decode() for event in events if not isinstance(event, Deferred)]  # made by their senders
    try:
        texts += visit_texts(noted)
    except Exception:  # a bug in one: the others still go, each made alone
        texts += [event.value.decode() for event in _made(noted)]
    return texts


def _parts(texts: list[str]) -> list[list[str]]:
    """Consecutive runs of envelopes of at most BATCH_MAX_BYTES together (ASCII: a
    character is a byte): a record stays well inside what brokers accept
    (message.max.bytes, 1 MB by default)."""
    if sum(map(len, texts)) <= BATCH_MAX_BYTES:
        return [texts]  # the usual case, without a Python step per event
    parts, size = [[]], 0
    for text in texts:
        if parts[-1] and size + len(text) > BATCH_MAX_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(text)
        size += len(text)
    return parts


def poll_wait(remaining: float) -> float:
    """How long the delivery thread may wait in poll() for a batch due in
    `remaining` seconds: at most 0.5 s, rounded up to whole milliseconds. poll()
    truncates its timeout to milliseconds, so the last fraction of one before a
    batch was due turned into hundreds of poll(0) calls, each taking the GIL
    from the thread serving requests."""
    if remaining <= 0:
        return 0.0
    return min(0.5, math.ceil(remaining * 1000) / 1000)


def _forget_connection() -> None:
    """A thread outside the request cycle must drop a connection that failed,
    or it would keep using the dead socket after PostgreSQL comes back."""
    from django.db import connection

    with contextlib.suppress(Exception):
        connection.close()


_producer: EventProducer | None = None
_producer_lock = threading.Lock()
_replacements_logged: set[str] = set()


def _replace(broken: EventProducer) -> None:
    """Install a fresh producer in broken's place, then retire broken (on its own thread)."""
    global _producer
    reason = broken.broken or "unknown"
    with _producer_lock:
        if _producer is broken:
            _producer = EventProducer()
    kind = reason.split(":", 1)[0]
    # One line per kind of failure until a producer delivers again, not one per replacement.
    if kind not in _replacements_logged:
        _replacements_logged.add(kind)
        logger.warning("replacing the Kafka producer (%s); what it held goes to the outbox", reason)
    broken.shutdown(timeout=0)


def get_producer() -> EventProducer:
    """This process's producer. A forked child (gunicorn worker) gets its own:
    librdkafka's threads do not survive fork."""
    global _producer
    current = _producer
    if current is None or current.pid != process.pid() or not current.usable():
        with _producer_lock:
            if _producer is not None and _producer.pid == process.pid() and not _producer.usable():
                old, _producer = _producer, EventProducer()
                logger.warning("replacing the Kafka producer (%s)", old.broken or "delivery thread stopped")
                threading.Thread(target=old.shutdown, kwargs={"timeout": 0}, name="kafka-retire", daemon=True).start()
            if _producer is None or _producer.pid != process.pid():
                _producer = EventProducer()
            current = _producer
    return current


def publish(event: Event) -> None:
    get_producer().publish(event)


def shutdown(timeout: float = 5.0) -> None:
    global _producer
    if _producer is not None and _producer.pid == process.pid():
        _producer.shutdown(timeout)
        _producer = None


atexit.register(shutdown)
