"""Visits' events travel in batches: one record per topic per EVENTS_BATCH_MS.

Pure pieces (the batch envelope, its schema, the compatibility rule) are
checked here directly; the producer and the consumer against the real broker.
"""

import dataclasses
import datetime
import json

import pytest

from aircraft.models import AircraftDailyViews, AircraftViewTotal
from events import consumer, metrics, producer, schema_store, spool, topics
from events.compatibility import backward_problems
from events.deadletter import triage
from events.envelope import make_batch, make_event, split_batch, unbatch
from events.models import OutboxEvent, ProcessedEvent
from events.relay import Relay
from tests.events.conftest import raw_messages
from tests.factories import AircraftFactory


def view(aircraft_id: int = 1, *, via: str = "page"):
    return make_event(
        topics.VIEWS,
        "aircraft.viewed",
        subject=f"plane-{aircraft_id}",
        key=str(aircraft_id),
        data={
            "aircraft": {"id": aircraft_id, "slug": f"plane-{aircraft_id}", "designation": "B-1", "manufacturer": "M"},
            "via": via,
            "client": {"visitor": "0123456789abcdef"},
        },
    )


def test_a_batch_carries_each_event_as_it_was_made():
    events = [view(n) for n in (1, 2, 3)]
    batch = make_batch(events)
    envelope = json.loads(batch.value)
    assert batch.count == 3 and batch.topic == topics.VIEWS.name and envelope["id"] == batch.id
    assert envelope["type"] == "com.hangarstack.batch"
    assert unbatch(envelope) == [event.envelope for event in events]
    assert [e.value for e in split_batch(batch)] == [event.value for event in events]
    assert schema_store.problems(topics.VIEWS.name, envelope) == []


def test_an_event_alone_is_no_batch():
    event = view()
    assert unbatch(event.envelope) == [event.envelope]
    assert split_batch(event) == [event]


def test_schema_names_the_event_at_fault_inside_a_batch():
    envelope = json.loads(make_batch([view(1), view(2, via="telepathy")]).value)
    [problem] = schema_store.problems(topics.VIEWS.name, envelope)
    assert problem.startswith("data/1/data/via:") and "telepathy" in problem


def test_unbatched_topics_take_no_batch():
    updates = make_event(topics.DATA_UPDATES, "aircraft.updated", subject="x", key="k", data={})
    envelope = json.loads(make_batch([updates, updates]).value)
    assert schema_store.problems(topics.DATA_UPDATES.name, envelope)
    batched = {t.name for t in topics.ALL if t.batched}
    assert batched == {topics.VIEWS.name, topics.SEARCHES.name, topics.USER_ACTIVITY.name}


def test_triage_sets_aside_only_the_events_of_a_batch_that_break_the_schema():
    good, bad, also_good = view(1), view(2, via="telepathy"), view(3)
    broken, innocent = triage([make_batch([good, bad, also_good])])
    assert [event.id for event, _problems in broken] == [bad.id]
    [rebatched] = innocent
    assert unbatch(json.loads(rebatched.value)) == [good.envelope, also_good.envelope]


def test_allowing_batches_is_backward_compatible_and_a_narrowed_event_is_not():
    event = schema_store.event_schema(topics.VIEWS.name)
    assert backward_problems(event, schema_store.load(topics.VIEWS.name)) == []
    narrowed = schema_store.load(topics.VIEWS.name)
    narrowed["anyOf"][0]["properties"]["data"]["properties"]["via"]["enum"].remove("beacon")
    assert backward_problems(event, narrowed) == ["data/via: value 'beacon' no longer allowed"]


def carrying(messages, events) -> list:
    """The records that carry any of these events."""
    ids = {event.id for event in events}
    return [m for m in messages if ids & {e["id"] for e in unbatch(json.loads(m.value()))}]


@pytest.mark.django_db(transaction=True)
def test_views_go_as_one_record_and_count_once_each(kafka_topics, fresh_producer):
    plane = AircraftFactory()
    events = [view(plane.pk) for _ in range(5)]
    for event in events:
        producer.publish(event)
    assert producer.get_producer().pending() == 5  # gathered, not yet sent
    assert producer.get_producer().flush(15) == 0

    [record] = carrying(raw_messages(topics.VIEWS), events)
    assert [e["id"] for e in unbatch(json.loads(record.value()))] == [event.id for event in events]
    assert consumer.apply_batch([record]).applied == 5
    assert AircraftViewTotal.objects.get(aircraft=plane).views == 5
    again = consumer.apply_batch([record])  # a redelivered batch counts nothing twice
    assert again.applied == 0 and again.duplicates == 1
    assert ProcessedEvent.objects.filter(event_id=json.loads(record.value())["id"]).exists()


@pytest.mark.django_db(transaction=True)
def test_noted_visits_are_made_by_the_producer_and_delivered(kafka_topics, fresh_producer):
    from django.test import RequestFactory

    from events.envelope import Deferred

    plane = AircraftFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    data = {"aircraft": {"id": plane.pk, "slug": plane.slug, "designation": "B-1", "manufacturer": "M"}, "via": "page"}
    for _ in range(3):
        producer.publish(
            Deferred.now(topics.VIEWS, "aircraft.viewed", subject=plane.slug, key="1", data=data, request=request)
        )
    assert producer.get_producer().pending() == 3
    assert producer.get_producer().flush(15) == 0
    views = [
        e for m in raw_messages(topics.VIEWS) for e in unbatch(json.loads(m.value())) if e["subject"] == plane.slug
    ]
    assert len(views) == 3 and len({e["id"] for e in views}) == 3
    assert all(set(e["data"]["client"]) == {"visitor", "user_agent", "referrer_host"} for e in views)


@pytest.mark.django_db(transaction=True)
def test_batching_can_be_turned_off(kafka_topics, settings, fresh_producer):
    settings.KAFKA = {**settings.KAFKA, "BATCH_MS": 0}
    producer.shutdown()
    plane = AircraftFactory()
    events = [view(plane.pk) for _ in range(3)]
    for event in events:
        producer.publish(event)
    assert producer.get_producer().flush(15) == 0
    records = carrying(raw_messages(topics.VIEWS), events)
    assert sorted(json.loads(m.value())["id"] for m in records) == sorted(event.id for event in events)


def test_a_big_gathering_is_cut_into_records_brokers_accept():
    texts = [view(n % 50).value.decode() for n in range(3000)]  # about 1 MB of views in one interval
    parts = producer._parts(texts)
    assert len(parts) > 1 and [t for part in parts for t in part] == texts
    assert all(sum(map(len, part)) <= producer.BATCH_MAX_BYTES for part in parts)


def test_a_usual_gathering_is_one_record_up_to_the_limit_itself():
    texts = [view(n).value.decode() for n in range(150)]  # a worker's 100 ms under load
    assert producer._parts(texts) == [texts]
    size = sum(map(len, texts))
    assert len(producer._parts([*texts, texts[1]])) == 1
    at_the_limit = [*texts[:-1], "x" * (producer.BATCH_MAX_BYTES - size + len(texts[-1]))]
    assert producer._parts(at_the_limit) == [at_the_limit]
    assert len(producer._parts([*at_the_limit, texts[2]])) == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_kept_through_an_outage_is_counted_as_its_events(kafka_topics, settings, tmp_path):
    """Spool file, outbox, relay: the batch stays one record, and the relay's
    metrics count the events it carries, as the producer's do."""
    settings.EVENTS_SPOOL_DIR = tmp_path / "spool"
    batch = make_batch([view(7) for _ in range(4)])
    spool.append([batch])
    assert spool.drain() == 1
    assert OutboxEvent.objects.get(event_id=batch.id).event_count == 4
    delivered = metrics.EVENTS.labels(topics.VIEWS.short, "delivered")
    before = delivered._value.get()
    assert Relay(flush_timeout=10).drain().delivered == 1
    assert delivered._value.get() == before + 4


@pytest.mark.parametrize(
    ("remaining", "wait"),
    [(3.0, 0.5), (0.0999, 0.1), (0.0004, 0.001), (0.0, 0.0), (-0.2, 0.0)],
)
def test_the_delivery_thread_waits_whole_milliseconds(remaining, wait):
    """A wait of less than a millisecond before a batch is due must not become
    poll(0) again and again (a busy loop that took the GIL from requests)."""
    assert producer.poll_wait(remaining) == pytest.approx(wait)


def test_a_noted_visit_that_cannot_be_made_is_logged_and_the_others_go(caplog):
    from events.envelope import Deferred

    def noted(data):
        return Deferred(topics.VIEWS, "aircraft.viewed", "plane-1", "1", data, None, 1_764_480_000.0, "req")

    made = producer._made([noted({"via": "page"}), noted({"via": object()}), view()])
    assert [e.topic for e in made] == [topics.VIEWS.name, topics.VIEWS.name]
    assert json.loads(made[0].value)["data"] == {"via": "page"}
    assert "could not make an event of type aircraft.viewed" in caplog.text

    # In a batch too: made together, one bad visit would take the others with it.
    caplog.clear()
    sent = view()
    texts = producer._texts([noted({"via": "page"}), sent, noted({"via": object()}), noted({"via": "api"})])
    assert sorted(json.loads(text)["data"].get("via") for text in texts) == ["api", "page", "page"]
    assert sent.value.decode() in texts
    assert "could not make an event of type aircraft.viewed" in caplog.text


def test_a_batch_of_visits_carries_each_visit_its_own_time_and_days_visitor():
    """The visits of one batch are made in one loop, which reuses the second's text and
    each client's hash: across a second and a day, each still gets its own."""
    from django.test import RequestFactory

    from events.envelope import Deferred, timestamp, visit_texts
    from events.privacy import visitor_id

    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="pytest")
    data = {"via": "page"}
    first = Deferred.now(topics.VIEWS, "aircraft.viewed", subject="b-1", key=None, data=data, request=request)
    midnight = 1_764_547_200.0  # 2025-12-01T00:00:00Z
    times = [midnight - 1.25, midnight - 1.0005, midnight - 0.001, midnight, midnight + 0.5]
    request_ids = ["0123abcd" * 4, 'a "quoted" \\ id', "req-2", "ünïcode", "Ab12"]  # ours, then a proxy's
    noted = [dataclasses.replace(first, at=at, request_id=rid) for at, rid in zip(times, request_ids, strict=True)]
    texts = visit_texts(noted)
    assert all(text.isascii() for text in texts)
    envelopes = [json.loads(text) for text in texts]
    assert [e["time"] for e in envelopes] == [timestamp(at) for at in times]
    assert [e["time"][-13:] for e in envelopes] == [
        "23:59:58.750Z", "23:59:58.999Z", "23:59:59.999Z", "00:00:00.000Z", "00:00:00.500Z",
    ]  # fmt: skip
    assert [e["requestid"] for e in envelopes] == request_ids
    days = [e["time"][:10] for e in envelopes]
    assert days == ["2025-11-30"] * 3 + ["2025-12-01"] * 2
    assert [e["data"]["client"]["visitor"] for e in envelopes] == [visitor_id("198.51.100.9", d) for d in days]
    assert len({e["id"] for e in envelopes}) == 5


class _Record:
    """A consumed record as apply_batch reads it (the broker's part is tested above)."""

    def __init__(self, value: bytes, topic: str) -> None:
        self._value, self._topic = value, topic

    def value(self) -> bytes:
        return self._value

    def topic(self) -> str:
        return self._topic

    def error(self):
        return None


@pytest.mark.django_db
def test_a_view_with_a_time_nobody_can_read_is_counted_today_not_retried_for_ever():
    # PostgreSQL refused the time as a timestamp: the batch failed, and was retried for ever.
    plane = AircraftFactory()
    envelope = json.loads(make_batch([view(plane.pk), view(plane.pk)]).value)
    envelope["data"][1]["time"] = "yesterday at noon"
    result = consumer.apply_batch([_Record(json.dumps(envelope).encode(), topics.VIEWS.full_name)])
    assert result.applied == 2
    total = AircraftViewTotal.objects.get(aircraft=plane)
    assert total.views == 2
    readable = datetime.datetime.fromisoformat(envelope["data"][0]["time"])
    assert readable <= total.last_viewed_at <= datetime.datetime.now(datetime.UTC)  # the other: when it came
    today = datetime.datetime.now(datetime.UTC).date()
    assert AircraftDailyViews.objects.get(aircraft=plane, day=today).views == 2


@pytest.mark.django_db(transaction=True)  # the live counts are written once the batch commits
def test_a_batch_adds_views_up_by_aircraft_and_day_and_skips_aircraft_that_are_not_there():
    from django.core.cache import cache

    from aircraft.stamps import view_count_key

    seen, new, later, gone = AircraftFactory(), AircraftFactory(), AircraftFactory(), AircraftFactory()
    AircraftViewTotal.objects.create(aircraft=seen, views=10, last_viewed_at=_utc("2025-12-01T12:00:00"))
    AircraftDailyViews.objects.create(aircraft=seen, day=datetime.date(2025, 12, 1), views=4)
    AircraftViewTotal.objects.create(aircraft=later, views=1, last_viewed_at=_utc("2030-01-01T00:00:00"))
    gone_id = gone.pk
    gone.delete()

    def viewed(aircraft_id, time: str) -> dict:
        envelope = json.loads(view(1).value)
        envelope["data"]["aircraft"]["id"], envelope["time"] = aircraft_id, time
        return envelope

    envelope = json.loads(make_batch([view(1), view(1)]).value)
    envelope["data"] = [
        viewed(seen.pk, "2025-12-01T23:59:59.500Z"),
        viewed(seen.pk, "2025-12-02T00:00:00.250Z"),
        viewed(seen.pk, "2025-12-01T08:00:00.000Z"),
        viewed(new.pk, "2025-12-02T10:00:00.000Z"),
        viewed(new.pk, "2025-12-02T09:00:00.000Z"),
        viewed(later.pk, "2025-12-02T09:00:00.000Z"),
        viewed(gone_id, "2025-12-02T09:00:00.000Z"),  # deleted since
        viewed(2**63, "2025-12-02T09:00:00.000Z"),  # past PostgreSQL's bigint: would fail the batch for ever
        viewed("no number", "2025-12-02T09:00:00.000Z"),
    ]
    result = consumer.apply_batch([_Record(json.dumps(envelope).encode(), topics.VIEWS.full_name)])

    assert result.applied == 9 and result.malformed == 0
    totals = {t.aircraft_id: (t.views, t.last_viewed_at) for t in AircraftViewTotal.objects.all()}
    assert totals == {
        seen.pk: (13, _utc("2025-12-02T00:00:00.250")),
        new.pk: (2, _utc("2025-12-02T10:00:00")),
        later.pk: (2, _utc("2030-01-01T00:00:00")),  # the latest view stays the latest
    }
    assert sorted(AircraftDailyViews.objects.values_list("aircraft_id", "day", "views")) == [
        (seen.pk, datetime.date(2025, 12, 1), 6),
        (seen.pk, datetime.date(2025, 12, 2), 1),
        (new.pk, datetime.date(2025, 12, 2), 2),
        (later.pk, datetime.date(2025, 12, 2), 1),
    ]
    counts = cache.get_many([view_count_key(pk) for pk in (seen.pk, new.pk, later.pk, gone_id)])
    assert counts == {view_count_key(seen.pk): 13, view_count_key(new.pk): 2, view_count_key(later.pk): 2}


def _utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_searches_without_a_readable_time_or_data_are_counted_or_skipped_not_retried_for_ever():
    from aircraft.models import SearchTotal

    searches = [
        make_event(topics.SEARCHES, "search.performed", subject=q, key=q, data={"query": q, "result_count": 1})
        for q in ("raptor", "eagle", "hornet")
    ]
    envelope = json.loads(make_batch(searches).value)
    envelope["data"][1]["time"] = 1_764_480_000  # a number, not a time
    del envelope["data"][2]["data"]
    result = consumer.apply_batch([_Record(json.dumps(envelope).encode(), topics.SEARCHES.full_name)])
    assert result.applied == 3
    assert sorted(SearchTotal.objects.values_list("query", "searches")) == [("eagle", 1), ("raptor", 1)]
    eagle = SearchTotal.objects.get(query="eagle")
    assert abs((eagle.last_searched_at - datetime.datetime.now(datetime.UTC)).total_seconds()) < 60


@pytest.mark.django_db(transaction=True)  # each consumer commits on its own connection
def test_two_consumers_counting_the_same_searches_at_once_do_not_deadlock():
    """The same query can reach both consumers of the group ("F-22" and "f 22" are
    one row under two partition keys). Each writes its rows in one order, so
    batches that meet wait for each other instead of deadlocking."""
    import threading

    from django.db import connection, transaction

    from aircraft.models import SearchTotal

    queries = [f"query {n:04d}" for n in range(1500)]
    searched = [{"data": {"query": q, "result_count": 1}, "time": "2026-12-02T10:00:00Z"} for q in queries]
    rounds, start, failures = 4, threading.Barrier(2), []

    def consume(batch: list[dict]) -> None:
        try:
            for _ in range(rounds):
                start.wait(timeout=30)
                with transaction.atomic():
                    consumer._apply_searches(batch)
        except Exception as exc:  # a deadlock's OperationalError, or the other side's broken barrier
            failures.append(exc)
            start.abort()
        finally:
            connection.close()

    # The same queries in opposite orders: unordered, the two statements lock
    # rows from either end and meet in the middle.
    both = [threading.Thread(target=consume, args=(batch,)) for batch in (searched, searched[::-1])]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join(timeout=120)

    assert failures == []
    assert SearchTotal.objects.count() == len(queries)
    assert set(SearchTotal.objects.values_list("searches", flat=True)) == {2 * rounds}
