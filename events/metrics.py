"""Prometheus series for the event pipeline.

Counters are incremented where events happen (multiprocess-safe under
gunicorn). The backlog and consumer lag are measured at scrape time by
PipelineCollector, so any web replica reports them without the relay or
consumer processes being scraped.
"""

import time

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

EVENTS = Counter(
    "hangarstack_events_total",
    "Events by type and outcome: produced (queued to Kafka), delivered (acknowledged), "
    "failed (not acknowledged in time), spooled (moved to the durable outbox), lost, "
    "rejected (breaks its topic's schema; kept as a dead letter).",
    ["event_type", "outcome"],
)
RELAY_FAILURES = Counter("hangarstack_relay_failures_total", "Outbox events the relay could not deliver.")

_LAG_CACHE_SECONDS = 10.0


class PipelineCollector:
    _lag: tuple[float, list[tuple[str, int, int]]] | None = None

    def collect(self):
        from django.db.models import Count, Min, Q
        from django.utils import timezone

        from .models import DeadLetterEvent, OutboxEvent

        stats = OutboxEvent.objects.aggregate(
            backlog=Count("pk"), retrying=Count("pk", filter=Q(attempts__gt=0)), oldest=Min("created_at")
        )
        yield GaugeMetricFamily("hangarstack_event_outbox_backlog", "Events waiting in the outbox.", stats["backlog"])
        yield GaugeMetricFamily(
            "hangarstack_event_outbox_retrying", "Outbox events that failed at least once.", stats["retrying"]
        )
        yield GaugeMetricFamily(
            "hangarstack_event_dead_letters",
            "Events set aside because they break their topic's schema (see manage.py dead_letters).",
            DeadLetterEvent.objects.count(),
        )
        age = (timezone.now() - stats["oldest"]).total_seconds() if stats["oldest"] else 0.0
        yield GaugeMetricFamily("hangarstack_event_outbox_oldest_seconds", "Age of the oldest outbox event.", age)
        lag = GaugeMetricFamily(
            "hangarstack_consumer_lag",
            "Messages the analytics consumer group is behind.",
            labels=["topic", "partition"],
        )
        for topic, partition, behind in self._consumer_lag():
            lag.add_metric([topic, str(partition)], behind)
        yield lag

    @classmethod
    def _consumer_lag(cls) -> list[tuple[str, int, int]]:
        now = time.monotonic()
        if cls._lag and now - cls._lag[0] < _LAG_CACHE_SECONDS:
            return cls._lag[1]
        rows: list[tuple[str, int, int]] = []
        try:
            rows = measure_consumer_lag(timeout=2.0)
        except Exception:  # the broker is away: report no lag rather than fail the scrape
            rows = []
        cls._lag = (now, rows)
        return rows


def measure_consumer_lag(timeout: float) -> list[tuple[str, int, int]]:
    from confluent_kafka import Consumer, TopicPartition
    from django.conf import settings

    from .connection import kafka_config
    from .consumer import ANALYTICS_TOPICS

    consumer = Consumer(kafka_config(**{"group.id": settings.KAFKA["CONSUMER_GROUP"], "enable.auto.commit": False}))
    try:
        partitions = []
        metadata = consumer.list_topics(timeout=timeout)
        for topic in ANALYTICS_TOPICS:
            if topic.full_name in metadata.topics:
                partitions += [TopicPartition(topic.full_name, p) for p in metadata.topics[topic.full_name].partitions]
        rows = []
        for committed in consumer.committed(partitions, timeout=timeout):
            _low, high = consumer.get_watermark_offsets(committed, timeout=timeout)
            position = committed.offset if committed.offset >= 0 else 0
            rows.append((committed.topic, committed.partition, max(0, high - position)))
        return rows
    finally:
        consumer.close()
