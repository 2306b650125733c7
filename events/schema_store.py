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


def topic_names() -> list[str]:
    """Unprefixed topic names that have a schema, e.g. "hangarstack.aircraft.views"."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))


@cache
def schema_text(topic_name: str) -> str:
    return (SCHEMA_DIR / f"{topic_name}.json").read_text()


def load(topic_name: str) -> dict:
    return json.loads(schema_text(topic_name))


@cache
def validator(topic_name: str):
    """A jsonschema validator for the topic's events (the draft its $schema names)."""
    from jsonschema.validators import validator_for

    schema = load(topic_name)
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def problems(topic_name: str, envelope: object) -> list[str]:
    """Why an event breaks its topic's schema (empty when it conforms)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator(topic_name).iter_errors(envelope), key=lambda e: list(e.absolute_path))
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
