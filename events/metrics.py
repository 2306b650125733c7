"""Prometheus series for the event pipeline (multiprocess-safe under gunicorn)."""

from prometheus_client import Counter, Gauge

EVENTS = Counter(
    "hangarstack_events_total",
    "Events by type and outcome: produced (queued to Kafka), delivered (acknowledged), "
    "failed (not acknowledged in time), spooled (moved to the durable outbox), lost.",
    ["event_type", "outcome"],
)
OUTBOX_BACKLOG = Gauge(
    "hangarstack_event_outbox_backlog", "Events waiting in the durable outbox.", multiprocess_mode="mostrecent"
)
RELAY_FAILURES = Counter("hangarstack_relay_failures_total", "Outbox events the relay could not deliver.")
CONSUMER_LAG = Gauge(
    "hangarstack_consumer_lag",
    "Messages behind the end of each partition.",
    ["topic", "partition"],
    multiprocess_mode="mostrecent",
)
