"""Kafka's part of the readiness report: reachable or not, and the outbox backlog."""

import time

from confluent_kafka.admin import AdminClient

from . import outbox
from .connection import kafka_config

_CACHE_SECONDS = 5.0
_last: tuple[float, dict] | None = None


def check_kafka() -> dict:
    """Degraded, not down, when the broker is away: events wait in the outbox."""
    global _last
    now = time.monotonic()
    if _last is None or now - _last[0] > _CACHE_SECONDS:  # probes come often; the broker need not
        try:
            brokers = len(AdminClient(kafka_config()).list_topics(timeout=1.5).brokers)
            result = {"status": "ok", "brokers": brokers}
        except Exception as exc:
            result = {"status": "degraded", "error": f"broker unreachable: {exc}"[:300]}
        _last = (now, result)
    try:
        backlog = outbox.backlog()
    except Exception:  # the database is down: that is the database check's news, not Kafka's
        backlog = None
    return {**_last[1], "outbox_backlog": backlog}
