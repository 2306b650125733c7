"""One envelope for every event: CloudEvents 1.0 attributes plus the data, as JSON."""

import datetime
import json
import socket
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from core import context

SPEC_VERSION = "1.0"
SOURCE = f"//hangarstack/{socket.gethostname()}"
TYPE_PREFIX = "com.hangarstack."


@dataclass(frozen=True)
class Event:
    """An event ready to send: where it goes, its partition key, and its JSON body."""

    id: str
    topic: str  # the unprefixed topic name, e.g. "hangarstack.aircraft.views"
    key: str
    value: bytes

    @property
    def envelope(self) -> dict:
        return json.loads(self.value)


def make_event(topic, event_type: str, *, subject: str, key: str, data: dict) -> Event:
    event_id = str(uuid.uuid4())
    envelope = {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": SOURCE,
        "type": TYPE_PREFIX + event_type,
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "requestid": context.request_id.get(),
        "data": data,
    }
    body = json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return Event(id=event_id, topic=topic.name, key=key, value=body)
