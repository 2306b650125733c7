"""Print a topic's events as they arrive: an operator's view of the stream."""

import json

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaException, TopicPartition
from django.core.management.base import CommandError

from events import serde, topics
from events.connection import kafka_config
from events.envelope import unbatch
from events.management.service import ServiceCommand


class Command(ServiceCommand):
    help = "Print events from TOPIC (full name or views/searches/updates/activity/system) as they arrive."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("topic")
        parser.add_argument("--from-beginning", action="store_true", help="start at the oldest retained event")
        parser.add_argument("--max", type=int, default=0, help="stop after this many events")
        parser.add_argument("--timeout", type=float, default=0, help="stop after this many idle seconds")
        parser.add_argument("--raw", action="store_true", help="one JSON envelope per line")

    def handle(self, *args, topic: str, from_beginning: bool, max: int, timeout: float, raw: bool, **options):
        known = topics.by_name(topic)
        name = known.full_name if known else topic
        # Assigned directly, not as a group: immediate, and it commits nothing.
        consumer = Consumer(kafka_config(**{"group.id": "hangarstack-tail", "enable.auto.commit": False}))
        try:
            metadata = consumer.list_topics(name, timeout=10)
        except KafkaException as exc:
            raise CommandError(f"cannot reach the broker: {exc}") from exc
        if name not in metadata.topics or metadata.topics[name].error is not None:
            raise CommandError(f"no topic named {name}; known: {', '.join(t.full_name for t in topics.ALL)}")
        start = OFFSET_BEGINNING if from_beginning else OFFSET_END
        consumer.assign([TopicPartition(name, p, start) for p in metadata.topics[name].partitions])

        printed, idle = 0, 0.0
        try:
            while not self.stopping and (not max or printed < max):
                message = consumer.poll(0.5)
                if message is None or message.error():
                    idle += 0.5
                    if timeout and idle >= timeout:
                        break
                    continue
                idle = 0.0
                self.stdout.write(self._format(message, raw))
                printed += 1
        finally:
            consumer.close()

    @staticmethod
    def _format(message, raw: bool) -> str:
        text = message.value().decode("utf-8", "replace")
        if raw:
            return text
        envelope = serde.decode_value(message.value(), message.topic())  # plain or registry framed
        if not isinstance(envelope, dict):
            return f"[{message.partition()}@{message.offset()}] (not JSON) {text[:200]}"
        place = f"key={(message.key() or b'').decode()} [{message.partition()}@{message.offset()}]"
        return "\n".join(  # a batch record: each of its events in turn
            f"{event.get('time', '?')} {event.get('type', '?')} subject={event.get('subject', '')} {place}\n"
            f"  {json.dumps(event.get('data', {}), ensure_ascii=False)}"
            for event in unbatch(envelope)
        )
