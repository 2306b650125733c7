"""Would a Schema Registry's BACKWARD rule accept this change to a topic's JSON Schema?

BACKWARD means consumers using the new schema can read every event written
under the old one: anything the old schema allowed, the new one must allow too.
The checks below cover the JSON Schema keywords events/schemas/ uses and name
each refusal the way Confluent's JSON Schema compatibility rules do, e.g. a
property removed from a closed object (additionalProperties: false), a type
narrowed, a required property added, an enum losing a value, a tighter limit.

Used by the schema-evolution test (each schema against its version on main)
and by `register_schemas` to explain what a registry refused. A keyword this
module does not understand that changed is reported, not assumed safe.
"""

from __future__ import annotations

from typing import Any

# Keywords that only annotate: changing them never changes what validates.
ANNOTATIONS = {"$schema", "$id", "title", "description", "examples", "$comment", "format", "default"}
HANDLED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
}
# (keyword, True when a larger value is looser)
LIMITS = (("maxLength", True), ("maximum", True), ("minLength", False), ("minimum", False))


def backward_problems(old: Any, new: Any, path: str = "") -> list[str]:
    """Why data valid under `old` may be invalid under `new`; empty when BACKWARD compatible."""
    where = path or "(root)"
    if new is True or new == {}:
        return []
    if old is True or old == {}:
        return [f"{where}: constraints added to what allowed anything"]
    if new is False:
        return [f"{where}: now allows nothing"]
    if old is False:
        return []
    if "anyOf" in old or "anyOf" in new:
        return _alternatives(old, new, path)
    problems: list[str] = []
    problems += _types(old, new, where)
    problems += _values(old, new, where)
    problems += _limits(old, new, where)
    problems += _objects(old, new, path)
    if "items" in new:
        problems += backward_problems(old.get("items", True), new["items"], f"{path}[]")
    unknown = {k for k in set(old) | set(new) if k not in HANDLED | ANNOTATIONS and old.get(k) != new.get(k)}
    problems += [f"{where}: '{k}' changed (not checked, so not assumed compatible)" for k in sorted(unknown)]
    return problems


def _alternatives(old: dict, new: dict, path: str) -> list[str]:
    """anyOf: everything an old alternative allowed must fit one new alternative."""
    where = path or "(root)"
    for side in (old, new):
        if "anyOf" in side and set(side) - ANNOTATIONS - {"anyOf"}:
            return [f"{where}: 'anyOf' beside other keywords (not checked, so not assumed compatible)"]
    old_branches = old.get("anyOf", [old])
    new_branches = new.get("anyOf", [new])
    problems = []
    for branch in old_branches:
        tried = [backward_problems(branch, candidate, path) for candidate in new_branches]
        if all(tried):
            problems += min(tried, key=len)  # why the closest new alternative refuses it
    return problems


def _type_set(schema: dict) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _types(old: dict, new: dict, where: str) -> list[str]:
    new_types = _type_set(new)
    if new_types is None:
        return []
    old_types = _type_set(old)
    if old_types is None:
        if "const" in old or "enum" in old:
            return []  # the values themselves are compared in _values
        return [f"{where}: type narrowed from any to {sorted(new_types)}"]
    allowed = new_types | ({"integer"} if "number" in new_types else set())
    lost = old_types - allowed
    return [f"{where}: type narrowed, {sorted(lost)} no longer allowed"] if lost else []


def _values(old: dict, new: dict, where: str) -> list[str]:
    if "const" not in new and "enum" not in new:
        return []
    allowed = [new["const"]] if "const" in new else list(new["enum"])
    if "const" in old or "enum" in old:
        before = [old["const"]] if "const" in old else list(old["enum"])
        lost = [value for value in before if value not in allowed]
        return [f"{where}: value {value!r} no longer allowed" for value in lost]
    return [f"{where}: restricted to {allowed!r} where any value was allowed"]


def _limits(old: dict, new: dict, where: str) -> list[str]:
    problems = []
    for keyword, larger_is_looser in LIMITS:
        if keyword not in new:
            continue
        if keyword not in old:
            problems.append(f"{where}: {keyword} {new[keyword]} added")
        elif (new[keyword] < old[keyword]) if larger_is_looser else (new[keyword] > old[keyword]):
            problems.append(f"{where}: {keyword} tightened from {old[keyword]} to {new[keyword]}")
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        problems.append(f"{where}: pattern changed to {new['pattern']!r}")
    return problems


def _objects(old: dict, new: dict, path: str) -> list[str]:
    where = path or "(root)"
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_required - old_required):
        problems.append(f"{where}: required property {name!r} added")
    for name, old_schema in old_props.items():
        child = f"{path}/{name}" if path else name
        if name in new_props:
            problems += backward_problems(old_schema, new_props[name], child)
        elif new_extra is False:
            problems.append(f"{where}: property {name!r} removed from a closed object")
        else:
            problems += backward_problems(old_schema, new_extra, child)
    for name, new_schema in new_props.items():
        if name not in old_props and old_extra is not False:
            problems += backward_problems(old_extra, new_schema, f"{path}/{name}" if path else name)
    if set(old_props) | set(new_props) or "additionalProperties" in old or "additionalProperties" in new:
        # What old allowed beyond its named properties must still be allowed.
        if old_extra is not False and new_extra is False:
            problems.append(f"{where}: additional properties no longer allowed")
        elif old_extra is not False:
            problems += backward_problems(old_extra, new_extra, f"{path}/*" if path else "*")
    return problems
