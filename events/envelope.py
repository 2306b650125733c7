"""One envelope for every event: CloudEvents 1.0 attributes plus the data, as JSON.

A busy web process sends the events of its high-volume topics in batches
(events.producer): one Kafka record whose envelope is a CloudEvent of type
BATCH_TYPE and whose data is the list of the events' own envelopes, byte for
byte as they were made. Every event keeps its own id, time and data; the
batch's id is what a consumer records to apply a batch once.
"""

import datetime
import json
import socket
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from core import context

from .schema_store import BATCH_CONTENT_TYPE, BATCH_TYPE

SPEC_VERSION = "1.0"
SOURCE = f"//hangarstack/{socket.gethostname()}"
TYPE_PREFIX = "com.hangarstack."
# One encoder for every envelope: json.dumps(cls=...) would build a new one per event.
_ENCODER = DjangoJSONEncoder(separators=(",", ":"))


@dataclass(frozen=True)
class Event:
    """An event ready to send: where it goes, its partition key, and its JSON body."""

    id: str
    topic: str  # the unprefixed topic name, e.g. "hangarstack.aircraft.views"
    key: str
    value: bytes
    count: int = 1  # events carried: more than one for a batch

    @property
    def envelope(self) -> dict:
        return json.loads(self.value)


def _attributes(event_type: str, subject: str, content_type: str) -> dict:
    """The CloudEvents attributes every envelope starts with, under a new id."""
    return {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid4()),
        "source": SOURCE,
        "type": event_type,
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": content_type,
    }


def make_event(topic, event_type: str, *, subject: str, key: str, data: dict) -> Event:
    envelope = _attributes(TYPE_PREFIX + event_type, subject, "application/json")
    envelope["requestid"] = context.request_id.get()
    envelope["data"] = data
    body = _ENCODER.encode(envelope).encode()
    return Event(id=envelope["id"], topic=topic.name, key=key, value=body)


def make_batch(events: list[Event]) -> Event:
    """One record for events of one topic. Their envelopes are spliced in as
    made, not decoded and written again: batching must cost less than it saves."""
    head = _attributes(BATCH_TYPE, f"{len(events)} events", BATCH_CONTENT_TYPE)
    opening = json.dumps(head, separators=(",", ":")).encode()[:-1]
    body = b"".join((opening, b',"data":[', b",".join(event.value for event in events), b"]}"))
    return Event(id=head["id"], topic=events[0].topic, key=head["id"], value=body, count=len(events))


def unbatch(envelope: dict) -> list[dict]:
    """The events a record's envelope carries: those of a batch, or itself."""
    if envelope.get("type") != BATCH_TYPE:
        return [envelope]
    events = envelope.get("data")
    return [event for event in events if isinstance(event, dict)] if isinstance(events, list) else []


def split_batch(event: Event) -> list[Event]:
    """The events a batch record carries, each a record of its own again ([event] when it is no batch)."""
    try:
        envelope = json.loads(event.value)
    except ValueError:
        return [event]
    inner = envelope.get("data") if isinstance(envelope, dict) and envelope.get("type") == BATCH_TYPE else None
    if not isinstance(inner, list) or not all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in inner):
        return [event]
    return [
        Event(id=e["id"], topic=event.topic, key=e["id"], value=json.dumps(e, separators=(",", ":")).encode())
        for e in inner
    ]
