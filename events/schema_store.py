"""The JSON Schemas in events/schemas/, one per topic, and the layouts registries want.

Importable without Django settings: the development stack (devstack)
writes the embedded broker's registry from here before Django starts.

Tansu's embedded registry (`--schema-registry file://DIR`) reads `DIR/<topic>.json`
when a producer first writes to `<topic>`, and expects an object schema whose
`properties.value` validates the message value (and `properties.key`, if present,
the key; our keys are plain strings, not JSON, so none is given). A schema that
fails to compile silently disables validation in Tansu, so `broker_document()`
output is checked here with the same draft before it is written.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
# Topics written by every visit, whose records may be batches of events (events.envelope.make_batch).
BATCHED_TOPICS = {"hangarstack.aircraft.views", "hangarstack.search.queries", "hangarstack.user.activity"}
BATCH_TYPE = "com.hangarstack.batch"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"


def topic_names() -> list[str]:
    """Unprefixed topic names that have a schema, e.g. "hangarstack.aircraft.views"."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))


@cache
def schema_text(topic_name: str) -> str:
    """The topic's schema as registries get it (see load); a topic without
    batches keeps its file's text, so a registry sees no change there."""
    if topic_name not in BATCHED_TOPICS:
        return _file_text(topic_name)
    return json.dumps(load(topic_name), indent=2)


@cache
def _file_text(topic_name: str) -> str:
    return (SCHEMA_DIR / f"{topic_name}.json").read_text()


def event_schema(topic_name: str) -> dict:
    """One event's schema, as events/schemas/ gives it (a new copy each call)."""
    return json.loads(_file_text(topic_name))


def load(topic_name: str) -> dict:
    """The schema of a record on the topic: the event's own (events/schemas/), and
    on a batched topic also a batch of such events (events.envelope.make_batch)."""
    event = event_schema(topic_name)
    if topic_name not in BATCHED_TOPICS:
        return event
    annotations = ("$schema", "$id", "title")
    body = {key: value for key, value in event.items() if key not in (*annotations, "description")}
    return {
        **{key: event[key] for key in annotations if key in event},
        "description": event.get("description", "") + " A web process may send several in one record: a batch.",
        "anyOf": [body, _batch_of(body)],
    }


def _batch_of(event: dict) -> dict:
    attribute = event["properties"]
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"],
        "properties": {
            "specversion": attribute["specversion"],
            "id": attribute["id"],
            "source": attribute["source"],
            "type": {"const": BATCH_TYPE},
            "time": attribute["time"],
            "subject": {"type": "string"},
            "datacontenttype": {"const": BATCH_CONTENT_TYPE},
            "data": {"type": "array", "minItems": 1, "items": event},
        },
    }


@cache
def validator(topic_name: str, *, batch: bool | None = None):
    """A jsonschema validator (the draft the schema's $schema names) for a record on
    the topic; batch=False or True: for one event, or for a batch, alone."""
    from jsonschema.validators import validator_for

    schema = load(topic_name)
    if batch is not None and "anyOf" in schema:
        schema = {"$schema": schema["$schema"], **schema["anyOf"][1 if batch else 0]}
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def problems(topic_name: str, envelope: object) -> list[str]:
    """Why a record breaks its topic's schema (empty when it conforms). A record is
    checked as what its type says it is, so the reasons name the field at fault."""
    batch = isinstance(envelope, dict) and envelope.get("type") == BATCH_TYPE
    check = validator(topic_name, batch=batch if topic_name in BATCHED_TOPICS else None)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(check.iter_errors(envelope), key=lambda e: list(e.absolute_path))
    ]


def broker_document(topic_name: str) -> dict:
    """Tansu's layout: the event schema under properties.value."""
    return {
        "title": f"{topic_name} (message value)",
        "type": "object",
        "properties": {"value": load(topic_name)},
    }


def write_broker_registry(directory: str | Path, prefix: str = "") -> list[Path]:
    """Write `<prefix><topic>.json` in Tansu's layout for every topic; returns the files."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in topic_names():
        validator(name)  # a schema that does not compile would switch Tansu's validation off
        path = directory / f"{prefix}{name}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(broker_document(name), indent=1))
        tmp.replace(path)  # the broker never reads a half-written file
        written.append(path)
    return written
