"""One envelope for every event: CloudEvents 1.0 attributes plus the data, as JSON.

A busy web process sends the events of its high-volume topics in batches
(events.producer): one Kafka record whose envelope is a CloudEvent of type
BATCH_TYPE and whose data is the list of the events' own envelopes, byte for
byte as they were made. Every event keeps its own id, time and data; the
batch's id is what a consumer records to apply a batch once.
"""

import functools
import json
import socket
import time
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring_ascii

from django.core.serializers.json import DjangoJSONEncoder

from core import context
from core.ids import random_uuid

from .privacy import Client, ClientFacts, client_facts, hash_key
from .schema_store import BATCH_CONTENT_TYPE, BATCH_TYPE
from .topics import Topic

SPEC_VERSION = "1.0"
SOURCE = f"//hangarstack/{socket.gethostname()}"
TYPE_PREFIX = "com.hangarstack."
# One encoder for every envelope: json.dumps(cls=...) would build a new one per event.
_ENCODER = DjangoJSONEncoder(separators=(",", ":"))
# CPython's C encoder made once: JSONEncoder.encode() builds a new one on every call, a
# third of the cost of a small envelope. (Where the C encoder is missing: the encoder's own.)
_c_encoder = c_make_encoder and c_make_encoder(
    None, _ENCODER.default, encode_basestring_ascii, None, ":", ",", False, False, True
)


def _encode_text(value) -> str:
    if _c_encoder is None:
        return _ENCODER.encode(value)
    return "".join(_c_encoder(value, 0))


@dataclass(slots=True)
class Event:
    """An event ready to send: where it goes, its partition key, and its JSON body.

    Not frozen, as Deferred below: a delivery thread makes one for every view,
    and nothing changes an event once made."""

    id: str
    topic: str  # the unprefixed topic name, e.g. "hangarstack.aircraft.views"
    key: str
    value: bytes
    count: int = 1  # events carried: more than one for a batch

    @property
    def envelope(self) -> dict:
        return json.loads(self.value)


_second: tuple[int, str] = (0, "")
# ".000Z" to ".999Z", made once: formatting the milliseconds (":03d") was half of
# what timestamp() cost (timeit).
_MILLISECONDS = tuple(f".{ms:03d}Z" for ms in range(1000))


def timestamp(at: float) -> str:
    """`at` (seconds since the epoch) as CloudEvents time, UTC to the millisecond:
    the second's text is made once, not once per event."""
    global _second
    whole = int(at)
    second, text = _second  # one tuple: a thread never reads one second's text with another's number
    if second != whole:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _second = (whole, text)
    return text + _MILLISECONDS[int((at - whole) * 1000)]


def make_event(topic, event_type: str, *, subject: str, key: str, data: dict) -> Event:
    return _event(topic, event_type, subject, key, data, "", context.request_id.get())


# An event's envelope with its constant attributes written once: the text between its id,
# type, time, subject, request id and data, which alone are encoded per event. The result
# is byte for byte what json.dumps makes of the whole envelope (tests/events/test_envelope.py).
_EVENT_PIECES = (
    '{"specversion":"' + SPEC_VERSION + '","id":"',
    '","source":' + encode_basestring_ascii(SOURCE) + ',"type":',
    ',"time":"',
    '","subject":',
    ',"datacontenttype":"application/json","requestid":',
    ',"data":',
    "}",
)


def _event(topic, event_type: str, subject: str, key: str, data: dict, when: str, request_id: str) -> Event:
    return _event_from_text(topic, event_type, subject, key, _encode_text(data), when, request_id)


def _event_from_text(topic, event_type: str, subject: str, key: str, data: str, when: str, request_id: str) -> Event:
    event_id = random_uuid()
    start, after_id, after_type, after_time, after_subject, after_request_id, end = _EVENT_PIECES
    value = "".join(
        (
            start,
            event_id,
            after_id,
            encode_basestring_ascii(TYPE_PREFIX + event_type),
            after_type,
            when or timestamp(time.time()),
            after_time,
            encode_basestring_ascii(subject),
            after_subject,
            encode_basestring_ascii(request_id),
            after_request_id,
            data,
            end,
        )
    )
    return Event(event_id, topic.name, key, value.encode())


@dataclass(slots=True)
class Deferred:
    """A visit's event whose envelope the producer's delivery thread makes, a batch at a time.

    Measured under load (bench), making an envelope inside a busy request cost
    its worker about three times what the same work costs in a loop over a
    batch; the request now only notes the facts, with their time and request id,
    as plain values (the client too: no object is built for it per view).
    (Not frozen: a frozen dataclass is built field by field through
    object.__setattr__, several times slower, and nothing changes a noted event.)

    `data` is a dict, or its JSON text already made by `json_text` (memoised by
    the receivers: a page's views all carry the same data). Either way, what
    is made is the same bytes.
    """

    topic: Topic
    type: str
    subject: str
    key: str | None  # None: keyed by the visitor
    data: dict | str
    client: ClientFacts | None  # None: no request, so no visitor
    at: float
    request_id: str

    @classmethod
    def now(
        cls, topic: Topic, event_type: str, *, subject: str, key: str | None, data: dict | str, request
    ) -> "Deferred":
        return cls(topic, event_type, subject, key, data, client_facts(request), time.time(), context.request_id.get())

    def make(self) -> Event:
        ((event_id, key, text),) = _made_visits([self])
        return Event(event_id, self.topic.name, key, text.encode())


def visit_texts(noted: list[Deferred]) -> list[str]:
    """The envelopes of a batch's noted visits, as ASCII JSON text: what a batch record carries."""
    return [text for _event_id, _key, text in _made_visits(noted)]


def _made_visits(noted: list[Deferred]) -> list[tuple[str, str, str]]:
    """(id, partition key, envelope text) of each noted visit, made in one loop: this
    runs for every view, so the second's text, the hash key and each client's JSON
    are worked out once for all the visits that share them."""
    made = []
    key = hash_key()
    whole_second, second_text = -1, ""  # the first visit's second is made below
    clients = _clients if _clients_key[0] == key else _new_clients(key)
    for visit in noted:
        at = visit.at
        if int(at) != whole_second:
            whole_second = int(at)
            second_text = timestamp(at)[:-5]  # without ".mmmZ"
        when = second_text + _MILLISECONDS[int((at - whole_second) * 1000)]
        data = visit.data
        if visit.client is None:  # no request (a command's), so no visitor: the plain envelope
            event = _event_from_text(
                visit.topic, visit.type, visit.subject, "unknown" if visit.key is None else visit.key,
                data if isinstance(data, str) else _encode_text(data), when, visit.request_id,
            )  # fmt: skip
            made.append((event.id, event.key, event.value.decode()))
            continue
        if isinstance(data, dict):  # the request's client goes in, never one the data brought along
            data = _encode_text(data if "client" not in data else {k: v for k, v in data.items() if k != "client"})
        day = when[:10]
        known = clients.get(visit.client)
        if known is None or known[0] != day:
            known = clients[visit.client] = (day, *_client_json(key, visit.client, day))
        _day, visitor, client_text = known
        event_id = random_uuid()
        head, after_id, after_time, after_request_id, tail = _visit_pieces(visit.type, visit.subject, data)
        request_id = encode_basestring_ascii(visit.request_id)
        text = "".join((head, event_id, after_id, when, after_time, request_id, after_request_id, client_text, tail))
        made.append((event_id, visitor if visit.key is None else visit.key, text))
    if len(clients) > CLIENTS_KEPT:
        clients.clear()
    return made


def json_text(data: dict) -> str:
    """An event's data as the JSON text an envelope carries (for a Deferred's `data`)."""
    return _encode_text(data)


@functools.lru_cache(maxsize=4096)
def _visit_pieces(event_type: str, subject: str, data_text: str) -> tuple[str, str, str, str, str]:
    """A visit's envelope as the five pieces around its id, time, request id and
    client; the client goes inside the data's own text, as json.dumps would write
    the merged dict. Joined rather than %-formatted: three times faster (timeit)."""
    start, after_id, after_type, after_time, after_subject, after_request_id, end = _EVENT_PIECES
    data_open = data_text[:-1] + ("," if len(data_text) > 2 else "")
    return (
        start,
        after_id + encode_basestring_ascii(TYPE_PREFIX + event_type) + after_type,
        after_time + encode_basestring_ascii(subject) + after_subject,
        after_request_id + data_open + '"client":',
        "}" + end,
    )


# Each client's day, hash for that day and `client` JSON, for the hash key in _clients_key:
# a visitor's views are many, and a lookup here costs a fraction of the HMAC and encoding.
CLIENTS_KEPT = 4096
_clients: dict[ClientFacts, tuple[str, str, str]] = {}
_clients_key: list[bytes] = [b""]


def _new_clients(key: bytes) -> dict:
    """A new hash key (rotated, or a test's settings): no hash made with the old one is used again."""
    _clients.clear()
    _clients_key[0] = key
    return _clients


def _client_json(key: bytes, client: ClientFacts, day: str) -> tuple[str, str]:
    """A visitor's hash for the day, and the event's `client` as JSON."""
    context = Client(*client).context(day=day, key=key)
    return context["visitor"], _encode_text(context)


def make_batch(events: list[Event]) -> Event:
    """One record for events of one topic. Their envelopes are spliced in as
    made, not decoded and written again: batching must cost less than it saves."""
    return _batch(events[0].topic, len(events), b",".join([event.value for event in events]))


def batch_of_texts(topic: str, texts: list[str]) -> Event:
    """make_batch for envelopes still as text (events.envelope.visit_texts): encoded once, as a whole."""
    return _batch(topic, len(texts), ",".join(texts).encode())


def _batch(topic: str, count: int, joined: bytes) -> Event:
    head = {
        "specversion": SPEC_VERSION,
        "id": random_uuid(),
        "source": SOURCE,
        "type": BATCH_TYPE,
        "time": timestamp(time.time()),
        "subject": f"{count} events",
        "datacontenttype": BATCH_CONTENT_TYPE,
    }
    opening = json.dumps(head, separators=(",", ":")).encode()[:-1]
    body = b"".join((opening, b',"data":[', joined, b"]}"))
    return Event(id=head["id"], topic=topic, key=head["id"], value=body, count=count)


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
