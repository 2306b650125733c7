"""Event pipeline throughput, each stage measured alone in this one process.

Run as `python -m bench.events` with the site's settings; KAFKA_TOPIC_PREFIX
should name topics of this run only (the harness passes a fresh prefix), so
nothing here reaches the site's own topics or its analytics consumer group.
Prints JSON.

producer   N aircraft.viewed events noted (events.envelope.Deferred) and
           published, the work a page view does, then flush() until the
           broker has acknowledged all of them (the envelopes are made on the
           way): events/s delivered by one process.
relay      N events stored in the outbox, then Relay.drain() until empty.
consumer   the producer's N events read back by direct partition assignment
           (no group join, which takes ~20 s on the embedded broker) and
           applied with events.consumer.apply_batch in batches of 500, offsets
           committed after each batch as consume_events does.
"""

import argparse
import json
import os
import sys
import time


def _view_events(count: int, aircraft: list[tuple]) -> "list":
    from events import topics
    from events.envelope import Deferred

    noted = []
    for i in range(count):
        pk, slug, designation, maker = aircraft[i % len(aircraft)]
        noted.append(
            Deferred(
                topics.VIEWS,
                "aircraft.viewed",
                subject=slug,
                key=str(pk),
                data={
                    "aircraft": {"id": pk, "slug": slug, "designation": designation, "manufacturer": maker},
                    "via": "page",
                },
                client=(f"198.51.100.{i % 250}", "hangarstack-bench", ""),
                at=time.time(),
                request_id=f"bench-{i}",
            )
        )
    return noted


def bench_producer(count: int, aircraft: list[tuple]) -> dict:
    from events import producer as producer_module
    from events.models import OutboxEvent

    producer = producer_module.get_producer()
    # Connect and learn the partitions before timing.
    for event in _view_events(200, aircraft):
        producer.publish(event)
    producer.flush(30)
    spooled_before = OutboxEvent.objects.filter(origin=OutboxEvent.Origin.SPOOLED).count()

    started = time.perf_counter()
    made = _view_events(count, aircraft)
    made_at = time.perf_counter()
    for event in made:
        producer.publish(event)
    queued_at = time.perf_counter()
    pending = producer.flush(60)
    done_at = time.perf_counter()
    spooled = OutboxEvent.objects.filter(origin=OutboxEvent.Origin.SPOOLED).count() - spooled_before
    return {
        "events": count,
        "note_per_s": round(count / (made_at - started)),
        "publish_per_s": round(count / (queued_at - made_at)),
        "delivered_per_s": round((count - pending) / (done_at - started)),
        "seconds": round(done_at - started, 3),
        "flush_seconds": round(done_at - queued_at, 3),
        "not_acknowledged": pending,
        "spooled_to_outbox": spooled,
    }


def bench_relay(count: int, aircraft: list[tuple]) -> dict:
    from events import outbox
    from events.relay import Relay

    relay = Relay(batch_size=1000)
    leftover = relay.drain()  # whatever earlier runs left behind, untimed
    events = [noted.make() for noted in _view_events(count, aircraft)]  # what a producer would have spooled
    started = time.perf_counter()
    for i in range(0, count, 1000):
        outbox.store(events[i : i + 1000], origin="spooled")
    stored_at = time.perf_counter()
    result = relay.drain()
    done_at = time.perf_counter()
    relay.close()
    return {
        "events": count,
        "outbox_store_per_s": round(count / (stored_at - started)),
        "drain_per_s": round(result.delivered / (done_at - stored_at)) if result.delivered else 0,
        "delivered": result.delivered,
        "failed": result.failed,
        "locked_out": result.locked_out,
        "seconds": round(done_at - stored_at, 3),
        "leftover_relayed_first": leftover.delivered,
    }


def _next_offsets(messages) -> list:
    from confluent_kafka import TopicPartition

    latest: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic(), message.partition())
        latest[key] = max(latest.get(key, -1), message.offset())
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in latest.items()]


def bench_consumer() -> dict:
    """Everything on this run's views topic (the producer's and the relay's events)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

    from events import topics
    from events.connection import kafka_config
    from events.consumer import apply_batch

    group = f"{topics.VIEWS.full_name}.bench-consumer"
    consumer = Consumer(kafka_config(**{"group.id": group, "enable.auto.commit": False}))
    name = topics.VIEWS.full_name
    metadata = consumer.list_topics(name, timeout=10).topics[name]
    partitions = [TopicPartition(name, p, OFFSET_BEGINNING) for p in metadata.partitions]
    count = 0
    for partition in partitions:
        low, high = consumer.get_watermark_offsets(partition, timeout=10)
        count += high - low
    consumer.assign(partitions)
    applied = duplicates = batches = 0
    commit_errors = 0
    first_at = None
    last_message = time.monotonic()
    try:
        while applied + duplicates < count and time.monotonic() - last_message < 10:
            messages = [m for m in consumer.consume(500, timeout=1.0) if not m.error()]
            if not messages:
                continue
            if first_at is None:
                first_at = time.perf_counter()
            last_message = time.monotonic()
            result = apply_batch(messages)
            try:
                consumer.commit(offsets=_next_offsets(messages), asynchronous=False)
            except KafkaException:
                commit_errors += 1
            applied += result.applied
            duplicates += result.duplicates
            batches += 1
        done_at = time.perf_counter()
    finally:
        consumer.close()
    seconds = (done_at - first_at) if first_at else 0.0
    return {
        "events": count,
        "applied": applied,
        "duplicates": duplicates,
        "batches": batches,
        "apply_per_s": round((applied + duplicates) / seconds) if seconds else 0,
        "seconds": round(seconds, 3),
        "commit_errors": commit_errors,
        "method": "direct partition assignment, apply_batch per 500 messages, synchronous offset commit",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--producer-events", type=int, default=50_000)
    parser.add_argument("--relay-events", type=int, default=20_000)
    args = parser.parse_args(argv)
    if not os.environ.get("KAFKA_TOPIC_PREFIX"):
        parser.error("set KAFKA_TOPIC_PREFIX to topics of this run only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangarstack.settings.prod")
    import django

    django.setup()
    from django.core.management import call_command

    from aircraft.models import Aircraft
    from events import producer

    with open(os.devnull, "w") as quiet:
        call_command("create_topics", stdout=quiet)
    aircraft = list(
        Aircraft.objects.order_by("pk").values_list("pk", "slug", "designation", "manufacturer__slug")[:500]
    )
    if not aircraft:
        parser.error("the catalogue is empty; load it first")
    report = {"producer": bench_producer(args.producer_events, aircraft)}
    producer.shutdown(timeout=5)
    report["relay"] = bench_relay(args.relay_events, aircraft)
    report["consumer"] = bench_consumer()
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
