"""What happens to an event that breaks its topic's schema.

The broker validates every message against the topic's JSON Schema (Tansu's
embedded registry in development and tests; Confluent's serializer validates
before sending when SCHEMA_REGISTRY_URL is set) and refuses one that does not
conform with INVALID_RECORD. Retrying such an event cannot succeed, and
dropping it would lose it silently, so it is set aside in the dead-letter
table, logged and counted (hangarstack_events_total{outcome="rejected"}, the
hangarstack_event_dead_letters gauge).

The broker refuses a whole produce batch when one record in it is invalid, so
the events that shared the batch come back refused too. Each refused event is
therefore checked here against the schema: only those that really break it are
dead letters; the others go back to the outbox for the relay to deliver. The
same holds inside a batch record of many events (events.envelope).
"""

import json
import logging

from . import metrics, schema_store
from .envelope import Event, make_batch, split_batch
from .models import DeadLetterEvent
from .topics import BY_NAME

logger = logging.getLogger(__name__)


def schema_problems(topic_name: str, value: bytes | str) -> list[str]:
    try:
        envelope = json.loads(value)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if topic_name not in schema_store.topic_names():
        return []  # no schema to break
    return schema_store.problems(topic_name, envelope)


def triage(events: list[Event]) -> tuple[list[tuple[Event, list[str]]], list[Event]]:
    """Split refused events into (those that break their schema, with why) and the others.
    A batch that breaks it is opened: only the events in it that break it are set aside."""
    broken, innocent = [], []
    for event in events:
        problems = schema_problems(event.topic, event.value)
        if not problems:
            innocent.append(event)
            continue
        carried = split_batch(event)
        if carried == [event]:
            broken.append((event, problems))
            continue
        carried_broken, carried_innocent = triage(carried)
        broken += carried_broken
        if carried_innocent:
            innocent.append(carried_innocent[0] if len(carried_innocent) == 1 else make_batch(carried_innocent))
    return broken, innocent


def set_aside(broken: list[tuple[Event, list[str]]], *, stage: str) -> None:
    """Store schema-breaking events as dead letters; log and count each one."""
    if not broken:
        return
    DeadLetterEvent.objects.bulk_create(
        [
            DeadLetterEvent(
                event_id=event.id,
                topic=event.topic,
                key=event.key,
                value=event.value.decode(),
                stage=stage,
                reason="; ".join(problems),
            )
            for event, problems in broken
        ],
        ignore_conflicts=True,
    )
    for event, problems in broken:
        topic = BY_NAME.get(event.topic)
        metrics.EVENTS.labels(topic.short if topic else event.topic, "rejected").inc()
        logger.error(
            "event %s on %s breaks its schema (%s); kept as a dead letter", event.id, event.topic, "; ".join(problems)
        )


def backlog() -> int:
    return DeadLetterEvent.objects.count()
