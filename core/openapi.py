"""OpenAPI 3.1, generated from the code rather than written beside it.

Each API view declares its operation where it is defined (`@operation(...)`):
a summary, its query parameters, and for each status the schema of the body
and example requests. `document()` walks the project's URL patterns, so the
paths, their path parameters and which operations exist come from the URL
configuration itself; a view without a declaration is not documented, and a
test fails on any /api/ route without one.

Examples are `externalValue` links to the live API: the example *is* what the
API answers, and the test suite requests each one and validates the answer
against its declared schema and status.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect), declared once as
`Schema` objects and referenced with `ref()`. This module knows no app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

SCHEMAS: dict[str, Schema] = {}


@dataclass(frozen=True)
class Schema:
    """A named component schema; creating one registers it for the document."""

    name: str
    body: dict

    def __post_init__(self) -> None:
        SCHEMAS[self.name] = self


def ref(schema: Schema) -> dict:
    return {"$ref": f"#/components/schemas/{schema.name}"}


def nullable(body: dict) -> dict:
    """JSON Schema 2020-12's way: the value or null."""
    return {"oneOf": [body, {"type": "null"}]}


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    where: str = "query"


@dataclass(frozen=True)
class Answer:
    description: str
    schema: Schema | None = None
    examples: tuple[str, ...] = ()  # request paths, with their query, that answer this status
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    summary: str
    answers: dict[int, Answer]
    description: str = ""
    parameters: tuple[Param, ...] = ()
    method: str = "get"
    tag: str = ""
    deprecated: bool = False
    path_descriptions: dict[str, str] = field(default_factory=dict)


def operation(**declared):
    """Declare a view's operation; put it outermost, above require_safe and friends."""

    def attach(view):
        view.openapi = Operation(**declared)
        return view

    return attach


# Path converters, as OpenAPI path parameters.
_CONVERTERS = {
    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    "str": {"type": "string", "minLength": 1},
    "int": {"type": "integer", "minimum": 0},
    "path": {"type": "string", "minLength": 1},
}
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(patterns=None, prefix: str = "") -> list[tuple[str, object, str]]:
    """(route, view, name) for every URL pattern, routes as written in path()."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append((prefix + route, entry.callback, entry.name or ""))
    return found


def _path_and_parameters(route: str, descriptions: dict[str, str]) -> tuple[str, list[dict]]:
    parameters = []
    for match in _PARAM.finditer(route):
        converter, name = match.group("converter") or "str", match.group("name")
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": descriptions.get(name, name),
                "schema": _CONVERTERS.get(converter, {"type": "string"}),
            }
        )
    return "/" + _PARAM.sub(lambda m: "{" + m.group("name") + "}", route), parameters


def _answer(status: int, answer: Answer) -> dict:
    body: dict = {"description": answer.description}
    if answer.schema is not None:
        content: dict = {"schema": ref(answer.schema)}
        if answer.examples:
            content["examples"] = {
                f"example-{n}": {"summary": f"GET {url}", "externalValue": url}
                for n, url in enumerate(answer.examples, 1)
            }
        body["content"] = {"application/json": content}
    if answer.headers:
        body["headers"] = {name: {"schema": {"type": "string"}} for name in answer.headers}
    return body


def documented_routes() -> list[tuple[str, object, str]]:
    return [(route, view, name) for route, view, name in routes() if hasattr(view, "openapi")]


def document(*, title: str, version: str, description: str, server: str = "/") -> dict:
    paths: dict[str, dict] = {}
    tags: dict[str, None] = {}
    for route, view, name in documented_routes():
        op: Operation = view.openapi
        path, path_parameters = _path_and_parameters(route, op.path_descriptions)
        parameters = path_parameters + [
            {"name": p.name, "in": p.where, "required": False, "description": p.description, "schema": p.schema}
            for p in op.parameters
        ]
        entry: dict = {
            "operationId": name.replace("-", "_") or view.__name__,
            "summary": op.summary,
            "responses": {str(status): _answer(status, answer) for status, answer in sorted(op.answers.items())},
        }
        if op.description:
            entry["description"] = op.description
        if parameters:
            entry["parameters"] = parameters
        if op.tag:
            entry["tags"] = [op.tag]
            tags[op.tag] = None
        if op.deprecated:
            entry["deprecated"] = True
        paths.setdefault(path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": server}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {"schemas": {name: SCHEMAS[name].body for name in sorted(SCHEMAS)}},
    }


def examples(spec: dict) -> list[tuple[str, int, str]]:
    """(request path, expected status, schema name) for every documented example."""
    found = []
    for item in spec["paths"].values():
        for op in item.values():
            for status, answer in op["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                schema = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                for example in content.get("examples", {}).values():
                    found.append((example["externalValue"], int(status), schema))
    return found
