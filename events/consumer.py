"""Turns view and search events into the analytics the site shows.

Each batch of messages is applied in one database transaction that also records
the ids of the records it applied (an event's own id, or a batch's: see
events.envelope); offsets are committed to Kafka only after that transaction
commits. A crash in between replays the batch, and the recorded ids make the
replay count nothing twice: exactly-once effects from at-least-once delivery.
"""

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from aircraft.models import Aircraft
from aircraft.search import canonical
from aircraft.stamps import popularity_changed

from . import serde, topics
from .envelope import unbatch
from .models import ProcessedEvent

logger = logging.getLogger(__name__)

ANALYTICS_TOPICS = (topics.VIEWS, topics.SEARCHES)
_BIGINT_END = 2**63


@dataclass
class BatchResult:
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    malformed: int = 0


def _parse(message) -> dict | None:
    envelope = serde.decode_value(message.value(), message.topic())  # plain JSON or Schema Registry framed
    # data: the event's, or a batch's list of events (events.envelope)
    if not isinstance(envelope, dict) or "id" not in envelope or not isinstance(envelope.get("data"), dict | list):
        return None
    return envelope


def _new_event_ids(rows: list[tuple[str, str]]) -> set[str]:
    """Record ids as processed; return those not seen before."""
    if not rows:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ProcessedEvent._meta.db_table} (event_id, topic, processed_at)
            SELECT id::uuid, topic, now() FROM unnest(%s::text[], %s::text[]) AS t(id, topic)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id::text
            """,  # noqa: S608 - the table name is ours, values are parameters
            [[r[0] for r in rows], [r[1] for r in rows]],
        )
        return {row[0] for row in cursor.fetchall()}


def _event_time(envelope: dict, received: datetime.datetime) -> datetime.datetime:
    """When the event happened; `received` for a time nobody can read, which would
    otherwise stop every batch after it at PostgreSQL's cast (a record retried for ever)."""
    try:
        when = datetime.datetime.fromisoformat(envelope["time"])
    except (KeyError, TypeError, ValueError):
        return received
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.UTC)


def apply_batch(messages) -> BatchResult:
    """Apply a batch of Kafka messages to the analytics tables, at most once per event."""
    result = BatchResult(received=len(messages))
    envelopes = []
    for message in messages:
        if message.error():
            continue
        envelope = _parse(message)
        if envelope is None:
            result.malformed += 1
            logger.warning(
                "skipping malformed event at %s[%s]@%s", message.topic(), message.partition(), message.offset()
            )
            continue
        envelopes.append((message.topic(), envelope))
    with transaction.atomic():
        # Dedupe within the batch too: the same id twice in one batch counts once.
        unique = {str(e["id"]): (t, e) for t, e in envelopes}
        new_ids = _new_event_ids([(event_id, topic) for event_id, (topic, _e) in unique.items()])
        result.duplicates = len(envelopes) - len(new_ids)
        fresh = [(topic, e) for event_id, (topic, e) in unique.items() if event_id in new_ids]
        views, searches = [], []
        for topic, envelope in fresh:
            if topic.endswith(topics.VIEWS.name):
                views += unbatch(envelope)
            elif topic.endswith(topics.SEARCHES.name):
                searches += unbatch(envelope)
        totals = _apply_views(views)
        _apply_searches(searches)
        result.applied = len(views) + len(searches)
        if fresh:
            # Cached pages show the new counts once they are committed.
            transaction.on_commit(lambda: popularity_changed(totals))
    return result


def _apply_views(envelopes: list[dict]) -> dict[int, int]:
    """Add the views up; returns each affected aircraft's new total."""
    daily: dict[tuple[int, datetime.date], list] = {}  # (aircraft, day): [views, the latest view's time]
    received = timezone.now()
    for envelope in envelopes:
        try:
            aircraft_id = int(envelope["data"]["aircraft"]["id"])
        except (KeyError, TypeError, ValueError):
            continue
        if not 0 < aircraft_id < _BIGINT_END:  # no aircraft's, and PostgreSQL would refuse the batch for ever
            continue
        when = _event_time(envelope, received)
        counted = daily.get(key := (aircraft_id, when.date()))
        if counted is None:
            daily[key] = [1, when]
        else:
            counted[0] += 1
            if when > counted[1]:
                counted[1] = when
    if not daily:
        return {}
    # One statement: both tables, and only aircraft that still exist (one deleted
    # since its views were made is skipped). The arrays go as text literals: psycopg
    # quotes a list element by element in Python, hundreds a batch. Rows go in aircraft
    # order, so that consumers meeting on one aircraft (a rebalance) wait rather than deadlock.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH counted AS (
                SELECT t.aircraft_id, t.day, t.views, t.latest
                  FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::timestamptz[])
                       AS t(aircraft_id, day, views, latest)
                  JOIN aircraft_aircraft ON aircraft_aircraft.id = t.aircraft_id
            ), by_day AS (
                INSERT INTO aircraft_aircraftdailyviews (aircraft_id, day, views)
                SELECT aircraft_id, day, views FROM counted ORDER BY aircraft_id, day
                ON CONFLICT (aircraft_id, day) DO UPDATE
                   SET views = aircraft_aircraftdailyviews.views + EXCLUDED.views
            )
            INSERT INTO aircraft_aircraftviewtotal (aircraft_id, views, last_viewed_at)
            SELECT aircraft_id, sum(views), max(latest) FROM counted GROUP BY aircraft_id ORDER BY aircraft_id
            ON CONFLICT (aircraft_id) DO UPDATE
               SET views = aircraft_aircraftviewtotal.views + EXCLUDED.views,
                   last_viewed_at = GREATEST(aircraft_aircraftviewtotal.last_viewed_at, EXCLUDED.last_viewed_at)
            RETURNING aircraft_id, views
            """,
            [
                _array_text(str(aircraft_id) for aircraft_id, _day in daily),
                _array_text(day.isoformat() for _aircraft_id, day in daily),
                _array_text(str(views) for views, _latest in daily.values()),
                _array_text(latest.isoformat() for _views, latest in daily.values()),
            ],
        )
        return dict(cursor.fetchall())


def _array_text(items) -> str:
    """A PostgreSQL array literal of values whose text needs no quoting in one
    (numbers, ISO dates and times: no comma, brace, quote, backslash or space)."""
    return "{" + ",".join(items) + "}"


def _whole_number(value: object) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _apply_searches(envelopes: list[dict]) -> None:
    """Count searches under their canonical form (words only: "F-22 Raptor!" and
    "f 22 raptor" are one query, and quotes or SQL never survive), with what the
    latest search for each found: how many results, and which aircraft first."""
    counts: Counter = Counter()
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    latest: dict[str, tuple[datetime.datetime, int, int | None]] = defaultdict(lambda: (never, 0, None))
    received = timezone.now()
    for envelope in envelopes:
        # Events come from outside this process: never let one poison the batch.
        data = envelope.get("data")
        query = canonical(str(data.get("query", "")))[:100] if isinstance(data, dict) else ""
        if not query:
            continue
        counts[query] += 1
        when = _event_time(envelope, received)
        if when >= latest[query][0]:
            found = _whole_number(data.get("result_count")) or 0
            latest[query] = (when, found, _whole_number(data.get("top_result")) if found else None)
    if not counts:
        return
    # Rows in one order, whichever consumer writes them: two consumers of the group
    # (deploy/k8s runs two) get the same query under different partition keys, and
    # rows locked in opposite orders would deadlock their batches.
    queries = sorted(counts)
    tops = {q: latest[q][2] for q in queries}
    existing = set(Aircraft.objects.filter(pk__in={t for t in tops.values() if t}).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO aircraft_searchtotal
                   (query, searches, last_result_count, last_searched_at, top_aircraft_id, hidden)
            SELECT *, false FROM unnest(%s::text[], %s::bigint[], %s::int[], %s::timestamptz[], %s::bigint[])
            ON CONFLICT (query) DO UPDATE
               SET searches = aircraft_searchtotal.searches + EXCLUDED.searches,
                   last_result_count = EXCLUDED.last_result_count,
                   top_aircraft_id = EXCLUDED.top_aircraft_id,
                   last_searched_at = GREATEST(aircraft_searchtotal.last_searched_at, EXCLUDED.last_searched_at)
            """,
            [
                queries,
                [counts[q] for q in queries],
                [latest[q][1] for q in queries],
                [latest[q][0] for q in queries],
                [tops[q] if tops[q] in existing else None for q in queries],
            ],
        )


def forget_processed(older_than_days: int = 8) -> int:
    """Event ids older than the topics' retention can never be redelivered."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _ = ProcessedEvent.objects.filter(processed_at__lt=cutoff).delete()
    return deleted
