"""Aggregate view and search events into the analytics the site shows.

A Kafka consumer group: run one or more (up to the partition count) beside the
web app. Offsets are committed only after the database transaction that
applied them; event ids already applied are ignored. SIGTERM stops it cleanly
after the batch in hand.

It never exits on an outage. PostgreSQL down: the batch is not applied, the
consumer seeks back to it and retries with backoff. Broker down or a failed
offset commit: the applied batch stays applied (a redelivery is ignored by
event id) and consuming carries on once the broker answers. A fatal consumer
error (a fenced static member) closes the consumer and opens a new one. Redis
down: the counts are stored in PostgreSQL as always, and once Redis answers
again every view count is rewritten into the cache. One log line per change
of state.

How fast a restarted consumer resumes: with KAFKA_CONSUMER_INSTANCE_ID set
(static membership, `group.instance.id`), the broker hands the restarted
member its partitions back as soon as it rejoins; without it, partitions held
by a killed member wait for its session to expire (KAFKA_SESSION_TIMEOUT_MS,
10 s here instead of librdkafka's 45 s) before the group rebalances.
"""

import contextlib
import logging
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError

from aircraft.stamps import rewrite_view_counts
from core.cache import cache_available, cache_may_be_tried, cache_recovered
from events.connection import kafka_config
from events.consumer import ANALYTICS_TOPICS, apply_batch, forget_processed
from events.management.service import ServiceCommand, StateLog, forget_database_connection
from events.relay import backoff_delays, sleep_unless

logger = logging.getLogger("events.consumer")

JOIN_TIMEOUT = 90.0
POSITION_CHECK_SECONDS = 10.0


class _Reconnect(Exception):
    pass


def consumer_config(group: str) -> dict:
    kafka = settings.KAFKA
    extra = {
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        "session.timeout.ms": kafka["SESSION_TIMEOUT_MS"],
        "heartbeat.interval.ms": max(1000, kafka["SESSION_TIMEOUT_MS"] // 3),
        # A broker that lost its topics (restarted without storage) gets them back
        # on the next produce; notice that in seconds, not librdkafka's 5 minutes.
        "topic.metadata.refresh.interval.ms": 10_000,
        # Fewer, fuller fetches: the broker answers once it holds 64 KB for us (some
        # 150 views) or after 200 ms, instead of on every new record (librdkafka's
        # default, fetch.min.bytes=1). The counts stay well within a second.
        "fetch.min.bytes": 65_536,
        "fetch.wait.max.ms": 200,
    }
    if kafka["CONSUMER_INSTANCE_ID"]:
        extra["group.instance.id"] = kafka["CONSUMER_INSTANCE_ID"]
    return kafka_config(**extra)


class Command(ServiceCommand):
    help = "Consume views and searches into the analytics tables (consumer group)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--once", action="store_true", help="exit once no message arrives for --idle seconds")
        parser.add_argument("--idle", type=float, default=5.0)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--group", default=settings.KAFKA["CONSUMER_GROUP"])

    def handle(self, *args, once: bool, idle: float, batch_size: int, group: str, **options):
        self.state = StateLog(logger)
        self.cache_behind = False
        self.totals = {"applied": 0, "duplicates": 0, "malformed": 0}
        cache_recovered.connect(self._cache_back, dispatch_uid="consume_events")
        names = [topic.full_name for topic in ANALYTICS_TOPICS]
        self.stdout.write(f"consuming {', '.join(names)} as group {group}")
        delays = backoff_delays(ceiling=10.0)
        try:
            while not self.stopping:
                consumer = Consumer(consumer_config(group))
                try:
                    if self._consume(consumer, names, once=once, idle=idle, batch_size=batch_size, **options):
                        break
                    delays = backoff_delays(ceiling=10.0)
                except _Reconnect as exc:
                    self.state.set("fatal", "consumer: %s; opening a new consumer", exc)
                    sleep_unless(lambda: self.stopping, next(delays))
                finally:
                    with contextlib.suppress(Exception):
                        consumer.close()
        finally:
            cache_recovered.disconnect(dispatch_uid="consume_events")
        totals = self.totals
        self.stdout.write(
            f"consumer stopped: {totals['applied']} applied, {totals['duplicates']} duplicates ignored, "
            f"{totals['malformed']} malformed skipped"
        )

    def _cache_back(self, **kwargs) -> None:
        self.cache_behind = True

    def _consume(self, consumer, names, *, once: bool, idle: float, batch_size: int, **options) -> bool:
        """Consume until stopped (True) or until the consumer must be replaced (_Reconnect)."""
        assigned = False
        started = last_message = time.monotonic()

        def on_assign(consumer, partitions):
            nonlocal assigned, last_message
            assigned = True
            last_message = time.monotonic()  # --once idles from the moment there is something to read

        consumer.subscribe(names, on_assign=on_assign)
        last_housekeeping = last_position_check = time.monotonic()
        db_delays = None
        while not self.stopping:
            try:
                messages = consumer.consume(batch_size, timeout=1.0)
            except KafkaException as exc:
                raise _Reconnect(f"consume failed: {exc}") from exc
            real = [m for m in messages if not m.error()]
            for message in messages:
                error = message.error()
                if error is not None and error.fatal():
                    raise _Reconnect(f"fatal error {error.name()}")
                if error is not None:
                    self.state.set("broker", "consumer: broker unavailable (%s); waiting", error.name())
            if real:
                try:
                    result = apply_batch(real)
                except DatabaseError as exc:
                    forget_database_connection()
                    self.state.set(
                        "database", "consumer: database unavailable (%s); retrying the batch", type(exc).__name__
                    )
                    _rewind(consumer, real)
                    db_delays = db_delays or backoff_delays(ceiling=10.0)
                    sleep_unless(lambda: self.stopping, next(db_delays))
                    continue
                db_delays = None
                if not self.cache_behind and not cache_available():
                    self.cache_behind = True  # the counts just applied did not reach Redis
                try:
                    consumer.commit(offsets=_next_offsets(real), asynchronous=False)  # after the DB commit
                    self.state.set("ok", "consumer: consuming", level=logging.INFO)
                except KafkaException as exc:
                    # Applied and recorded: a redelivery of this batch counts nothing twice.
                    self.state.set("commit", "consumer: offset commit failed (%s); carrying on", exc.args[0].name())
                    if exc.args[0].fatal():
                        raise _Reconnect(f"fatal commit error {exc.args[0].name()}") from exc
                for key in self.totals:
                    self.totals[key] += getattr(result, key)
                last_message = time.monotonic()
                if options["verbosity"] >= 2:
                    self.stdout.write(f"applied {result.applied}, duplicates {result.duplicates}")
            elif once and assigned and time.monotonic() - last_message > idle:
                return True
            elif once and not assigned and time.monotonic() - started > JOIN_TIMEOUT:
                raise CommandError(f"no partitions assigned within {JOIN_TIMEOUT:.0f}s; is the broker up?")
            self._catch_up_cache()
            if time.monotonic() - last_position_check > POSITION_CHECK_SECONDS:
                _rewind_past_the_end(consumer)
                last_position_check = time.monotonic()
            if time.monotonic() - last_housekeeping > 3600:
                with contextlib.suppress(DatabaseError):
                    forget_processed()
                last_housekeeping = time.monotonic()
        return True

    def _catch_up_cache(self) -> None:
        # Tried as soon as the breaker lets a call through: nothing else may
        # touch the cache in this process (no batch arrives), so this call is
        # also what finds out that Redis is back.
        if not self.cache_behind or not cache_may_be_tried():
            return
        try:
            count = rewrite_view_counts()
        except DatabaseError:
            forget_database_connection()
            return
        if cache_available():
            self.cache_behind = False
            logger.warning("consumer: cache caught up (%d view counts rewritten)", count)


def _rewind_past_the_end(consumer) -> None:
    """A partition whose log is now shorter than our position (a broker that lost
    its data, a topic deleted and created again) would be read from a point no
    message reaches for a long time: go back to its start. Events already
    applied are ignored by id, so nothing counts twice.

    The log's end is asked of the broker (ListOffsets), and believed only when
    the fetches agree: the embedded broker (Tansu) answers ListOffsets with the
    offset after the first record of its last batch, not after its last record,
    so after any batch of more than one record our position looks past the end.
    Taken alone, that rewound every partition to its start every few seconds and
    read the whole topic again (all of it duplicates). The high watermark of the
    last fetch response is right; a broker that really lost its data reports the
    short log there too."""
    try:
        positions = consumer.position(consumer.assignment())
    except KafkaException:
        return
    for partition in positions:
        if partition.offset < 0:
            continue
        with contextlib.suppress(KafkaException):
            low, high = consumer.get_watermark_offsets(partition, timeout=2.0)
            if partition.offset <= high:
                continue
            _low, fetched_high = consumer.get_watermark_offsets(partition, cached=True)
            if fetched_high >= partition.offset:  # the fetches say the log reaches us
                continue
            logger.warning(
                "consumer: %s[%d] ends at %d, before our position %d; reading it from %d",
                partition.topic,
                partition.partition,
                high,
                partition.offset,
                low,
            )
            consumer.seek(TopicPartition(partition.topic, partition.partition, low))


def _rewind(consumer, messages) -> None:
    """Back to the first message of the batch on each partition, to apply it again."""
    first: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic(), message.partition())
        first[key] = min(first.get(key, message.offset()), message.offset())
    for (topic, partition), offset in first.items():
        with contextlib.suppress(KafkaException):
            consumer.seek(TopicPartition(topic, partition, offset))


def _next_offsets(messages) -> list[TopicPartition]:
    latest: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic(), message.partition())
        latest[key] = max(latest.get(key, -1), message.offset())
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in latest.items()]
