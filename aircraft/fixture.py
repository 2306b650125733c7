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

from . import quantities


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
        problems += [f"{where}: {problem}" for problem in record_problems(record)]
    slugs = {record["slug"] for record in document.aircraft}
    bases = {record["slug"]: record.get("variant_of") for record in document.aircraft}
    for index, record in enumerate(document.aircraft):
        base = record.get("variant_of")
        if not base:
            continue
        where = describe_record(raw, ["aircraft", index])
        if base not in slugs:
            problems.append(f"{where}: variant_of: {base!r} is not an aircraft slug in this file")
            continue
        seen = {record["slug"]}
        while base:
            if base in seen:
                problems.append(f"{where}: variant_of: variants form a loop through {base!r}")
                break
            seen.add(base)
            base = bases.get(base)
    makers = {maker["name"] for maker in document.manufacturers}
    for index, maker in enumerate(document.manufacturers):
        successor = maker.get("successor")
        if successor and (successor not in makers or successor == maker["name"]):
            where = describe_record(raw, ["manufacturers", index])
            problems.append(f"{where}: successor: {successor!r} is not another manufacturer in this file")
    return problems


def record_problems(record: dict) -> list[str]:
    """What is wrong inside one aircraft record, beyond what the schema says."""
    problems = []
    ids = [source["id"] for source in record.get("sources", [])]
    problems += [f"sources: id {key!r} is used twice" for key in {k for k in ids if ids.count(k) > 1}]
    cited = [("figures", f.get("source")) for f in record.get("figures", [])]
    for name in ("production", "powerplant"):
        if record.get(name):
            cited.append((name, record[name].get("source")))
    if (record.get("configuration") or {}).get("source"):  # optional: older layouts carry none (the audit lists them)
        cited.append(("configuration", record["configuration"]["source"]))
    dates = record.get("dates") or {}
    for name, event in dates.items():
        if event:
            cited.append((f"dates.{name}", event.get("source")))
            if event.get("date") and int(event["date"][:4]) != event["year"]:
                problems.append(f"dates.{name}: year {event['year']} does not match date {event['date']}")
    for where, key in cited:
        if key not in ids:
            problems.append(f"{where}: source {key!r} is not one of this record's sources")
    seen = set()
    metric = {}
    for position, figure in enumerate(record.get("figures", [])):
        spec = quantities.QUANTITIES[figure["quantity"]]
        kind = figure.get("kind") or spec.default_kind
        where = f"figures[{position}] ({figure['quantity']})"
        if kind not in dict(spec.kinds):
            problems.append(f"{where}: kind {kind!r} is not one of {', '.join(k for k, _ in spec.kinds)}")
        if (figure["quantity"], kind) in seen:
            problems.append(f"{where}: a {kind} {spec.label.lower()} is given twice")
        seen.add((figure["quantity"], kind))
        try:
            metric[(figure["quantity"], kind)] = quantities.parse(
                figure["quantity"], figure["value"], figure["unit"]
            ).metric
        except quantities.FigureError as exc:
            problems.append(f"{where}: {exc}")
    empty, mtow = metric.get(("empty_weight", "empty")), metric.get(("max_takeoff_weight", "overall"))
    if empty is not None and mtow is not None and empty > mtow:
        problems.append("figures: empty weight exceeds the maximum take-off weight")
    first = (dates.get("first_flight") or {}).get("year")
    service = (dates.get("entered_service") or {}).get("year")
    if first and service and service < first:
        problems.append(f"dates.entered_service: {service} is before the first flight ({first})")
    if dates.get("retired") and record.get("status") == "active":
        problems.append("status: an aircraft with a retirement date cannot be active")
    return problems
