"""Real-broker helpers: topics for this run, and reading back what was produced."""

import json
import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from events import producer, topics
from events.connection import kafka_config
from events.envelope import unbatch


@pytest.fixture
def kafka_topics(create_kafka_topics):
    return topics.ALL


def read_topic(topic, *, idle: float = 1.5, timeout: float = 20.0) -> list[dict]:
    """Every event on the topic (those of a batch one by one), read by direct assignment (no group join)."""
    consumer = Consumer(kafka_config(**{"group.id": "tests-reader", "enable.auto.commit": False}))
    try:
        metadata = consumer.list_topics(topic.full_name, timeout=10).topics[topic.full_name]
        consumer.assign([TopicPartition(topic.full_name, p, OFFSET_BEGINNING) for p in metadata.partitions])
        envelopes, deadline, last = [], time.monotonic() + timeout, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < idle:
            for message in consumer.consume(500, timeout=0.3):
                if not message.error():
                    envelopes += unbatch(json.loads(message.value()))
                    last = time.monotonic()
        return envelopes
    finally:
        consumer.close()


def raw_messages(topic, *, idle: float = 1.5):
    consumer = Consumer(kafka_config(**{"group.id": "tests-raw", "enable.auto.commit": False}))
    try:
        metadata = consumer.list_topics(topic.full_name, timeout=10).topics[topic.full_name]
        consumer.assign([TopicPartition(topic.full_name, p, OFFSET_BEGINNING) for p in metadata.partitions])
        messages, last = [], time.monotonic()
        while time.monotonic() - last < idle:
            batch = [m for m in consumer.consume(500, timeout=0.3) if not m.error()]
            if batch:
                messages.extend(batch)
                last = time.monotonic()
        return messages
    finally:
        consumer.close()


def events_in_outbox(topic, **filters) -> int:
    """Events the outbox holds for the topic, those of a batch one by one."""
    from events.models import OutboxEvent

    values = OutboxEvent.objects.filter(topic=topic.name, **filters).values_list("value", flat=True)
    return sum(len(unbatch(json.loads(value))) for value in values)


@pytest.fixture
def flush_events():
    def flush():
        assert producer.get_producer().flush(10) == 0

    return flush


@pytest.fixture
def fresh_producer():
    """A producer built from the current settings (tests that point it elsewhere)."""
    producer.shutdown(timeout=1)
    yield
    producer.shutdown(timeout=1)
