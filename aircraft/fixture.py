"""Reading and checking the catalogue file before anything touches the database.

Every problem is reported, each naming the record and the field, so a person can
fix the whole file in one pass.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator


class FixtureError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Document:
    catalogue: dict
    manufacturers: list[dict]
    aircraft: list[dict]


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(Path(settings.CATALOGUE_SCHEMA).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def describe_record(document: dict, path: list) -> str:
    """'aircraft[12] (Boeing 737-800)' for an error path into the document."""
    if len(path) < 2 or path[0] not in ("manufacturers", "aircraft") or not isinstance(path[1], int):
        return "catalogue file"
    records = document.get(path[0]) or []
    record = records[path[1]] if path[1] < len(records) and isinstance(records[path[1]], dict) else {}
    label = (
        record.get("name")
        if path[0] == "manufacturers"
        else " ".join(str(record.get(key, "")) for key in ("manufacturer", "designation")).strip()
    )
    return f"{path[0]}[{path[1]}]" + (f" ({label})" if label else "")


def parse(text: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError([f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from exc
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        field = ".".join(str(p) for p in path[2:]) or "(record)"
        where = describe_record(data, path) if isinstance(data, dict) else "catalogue file"
        problems.append(f"{where}: {field}: {error.message}")
    if problems:
        raise FixtureError(problems)
    document = Document(data["catalogue"], data["manufacturers"], data["aircraft"])
    problems = _cross_record_problems(document)
    if problems:
        raise FixtureError(problems)
    return document


def _cross_record_problems(document: Document) -> list[str]:
    problems = []
    raw = {"manufacturers": document.manufacturers, "aircraft": document.aircraft}
    seen: dict[tuple, int] = {}
    for index, maker in enumerate(document.manufacturers):
        for key in ("name", "slug"):
            marker = ("manufacturer", key, maker[key].casefold())
            if marker in seen:
                where = describe_record(raw, ["manufacturers", index])
                problems.append(f"{where}: {key}: duplicate of manufacturers[{seen[marker]}]")
            seen.setdefault(marker, index)
    known = {maker["name"] for maker in document.manufacturers}
    for index, record in enumerate(document.aircraft):
        where = describe_record(raw, ["aircraft", index])
        if record["manufacturer"] not in known:
            problems.append(f"{where}: manufacturer: {record['manufacturer']!r} is not in the manufacturers list")
        for key, value in (
            ("designation", (record["manufacturer"], record["designation"].casefold())),
            ("slug", record["slug"]),
        ):
            marker = ("aircraft", key, value)
            if marker in seen:
                problems.append(f"{where}: {key}: duplicate of aircraft[{seen[marker]}]")
            seen.setdefault(marker, index)
        specs = record.get("specs", {})
        empty, mtow = specs.get("empty_weight_kg"), specs.get("max_takeoff_weight_kg")
        if empty is not None and mtow is not None and empty > mtow:
            problems.append(f"{where}: specs.empty_weight_kg: {empty} exceeds max_takeoff_weight_kg {mtow}")
    return problems
