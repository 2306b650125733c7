"""How an event's value travels: plain JSON, or framed for a Confluent Schema Registry.

Without SCHEMA_REGISTRY_URL the value is the CloudEvents envelope as JSON.
With it, confluent-kafka's JSON Schema serializer frames it: a zero magic
byte, the 4-byte id the registry gave the topic's schema (`<topic>-value`,
registered by `manage.py register_schemas`), then the JSON; the serializer
validates the envelope against that schema first. Consumers read both
framings, so a deployment can switch on a topic that still holds plain events.

The serializer only looks schemas up (auto-registration is off): registering is
a deliberate step with a compatibility check, not a side effect of a page view.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from django.conf import settings

from . import schema_store
from .topics import Topic

logger = logging.getLogger(__name__)

MAGIC = 0  # first byte of a Schema Registry framed value; a JSON object starts with "{"
HEADER = 5  # magic byte + 4-byte schema id
# After the registry could not be reached, don't try again (from a page) for this long.
RETRY_AFTER_SECONDS = 30.0


class RegistryUnavailable(Exception):
    """The value could not be framed now (registry unreachable, schema not registered): keep it and retry."""


def registry_configured() -> bool:
    return bool(settings.SCHEMA_REGISTRY["URL"])


def client_config() -> dict:
    conf = settings.SCHEMA_REGISTRY
    config = {"url": conf["URL"], "timeout": 5}
    if conf["API_KEY"] or conf["API_SECRET"]:
        # Confluent Cloud: HTTP basic auth with the registry's API key and secret.
        config["basic.auth.user.info"] = f"{conf['API_KEY']}:{conf['API_SECRET']}"
    return config


def registry_client():
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient(client_config())


def subject(topic: Topic) -> str:
    return f"{topic.full_name}-value"


class Framer:
    """Frames values for one registry; one per process (it caches the schema ids)."""

    def __init__(self) -> None:
        self.config = client_config()
        self._client = registry_client()
        self._serializers: dict[str, object] = {}
        self._deserializer = None
        self._lock = threading.Lock()
        self._unavailable_until = 0.0

    def _serializer(self, topic: Topic):
        from confluent_kafka.schema_registry.json_schema import JSONSerializer

        with self._lock:
            if topic.name not in self._serializers:
                self._serializers[topic.name] = JSONSerializer(
                    schema_store.schema_text(topic.name),
                    self._client,
                    conf={"auto.register.schemas": False, "use.latest.version": False, "validate": True},
                )
            return self._serializers[topic.name]

    def encode(self, topic: Topic, value: bytes) -> bytes:
        """The framed value. SerializationError: the event breaks its schema.
        RegistryUnavailable: try again later (the event is kept, not dropped)."""
        from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

        if time.monotonic() < self._unavailable_until:
            raise RegistryUnavailable("the Schema Registry was unreachable moments ago")
        try:
            serialize = self._serializer(topic)
            return serialize(json.loads(value), SerializationContext(topic.full_name, MessageField.VALUE))
        except SerializationError:
            raise
        except Exception as exc:  # registry down, 401, subject not registered ...
            self._unavailable_until = time.monotonic() + RETRY_AFTER_SECONDS
            raise RegistryUnavailable(f"cannot frame {topic.full_name} events: {exc}") from exc

    def decode(self, raw: bytes, topic_name: str) -> dict:
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer
        from confluent_kafka.serialization import MessageField, SerializationContext

        with self._lock:
            if self._deserializer is None:
                self._deserializer = JSONDeserializer(None, schema_registry_client=self._client)
        return self._deserializer(raw, SerializationContext(topic_name, MessageField.VALUE))


_framer: Framer | None = None
_framer_lock = threading.Lock()


def framer() -> Framer | None:
    """This process's Framer, or None when no registry is configured (plain JSON)."""
    global _framer
    if not registry_configured():
        return None
    with _framer_lock:
        if _framer is None or _framer.config != client_config():
            _framer = Framer()
        return _framer


def encode_value(topic: Topic, value: bytes) -> bytes:
    """What goes on the wire for an event's JSON value."""
    current = framer()
    return value if current is None else current.encode(topic, value)


def decode_value(raw: bytes | None, topic_name: str = "") -> dict | None:
    """The envelope from either framing; None when it is neither.

    A framed value is read through the registry (its writer's schema, by id)
    when one is configured. Without one, or while it is unreachable, the header
    is skipped and the JSON read: the envelope is self-describing, and an event
    is never dropped for want of the registry.
    """
    if not raw:
        return None
    try:
        if raw[0] != MAGIC:
            return json.loads(raw)
        current = framer()
        if current is not None:
            try:
                return current.decode(raw, topic_name)
            except Exception as exc:
                logger.warning("reading a framed event on %s without the registry: %s", topic_name, exc)
        return json.loads(raw[HEADER:])
    except ValueError:  # neither framing: the caller counts it malformed
        return None
