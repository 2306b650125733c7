"""The durable outbox: events kept in PostgreSQL until Kafka acknowledges them."""

from .envelope import Event
from .models import OutboxEvent


def store(events: list[Event], *, origin: str = OutboxEvent.Origin.TRANSACTION) -> None:
    """Insert events; an event already stored (same id) is not stored twice."""
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                event_id=e.id, topic=e.topic, key=e.key, value=e.value.decode(), event_count=e.count, origin=origin
            )
            for e in events
        ],
        ignore_conflicts=True,
    )


def backlog() -> int:
    return OutboxEvent.objects.count()
