"""The OpenAPI 3.1 document is generated from the code, is valid, covers every API route,
and every example it documents is what the real API answers."""

from urllib.parse import unquote

import pytest
from django.test import RequestFactory
from django.utils.html import escape
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from openapi_spec_validator import validate

from aircraft import api
from aircraft.models import Aircraft
from core import openapi

pytestmark = pytest.mark.django_db


def spec() -> dict:
    return api.openapi_document(RequestFactory().get("/"))


def validator(document: dict, name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_document_is_valid_openapi_3_1():
    document = spec()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_api_route_is_documented():
    api_routes = [route for route, _, _ in openapi.routes() if route.startswith("api/")]
    documented = [route for route, _, _ in openapi.documented_routes()]
    assert api_routes and sorted(api_routes) == sorted(documented)


def test_paths_and_parameters_come_from_the_code():
    document = spec()
    detail = document["paths"]["/api/aircraft/{slug}/"]["get"]
    assert [p["name"] for p in detail["parameters"] if p["in"] == "path"] == ["slug"]
    listing = {p["name"]: p["schema"] for p in document["paths"]["/api/aircraft/"]["get"]["parameters"]}
    assert listing["role"]["enum"] == Aircraft.Role.values  # read off the form that validates it
    assert set(listing) == {"q", "manufacturer", "role", "status", "decade", "sort", "page"}
    assert document["paths"]["/api/aircraft/{slug}/view"]["post"]["responses"]["202"]


def test_every_documented_example_is_what_the_api_answers(client, shipped_catalogue):
    # the shipped catalogue: the examples name real aircraft
    document = spec()
    found = openapi.examples(document)
    assert len(found) >= 12
    problems = []
    for url, status, schema in found:
        response = client.get(url)
        if response.status_code != status:
            problems.append(f"GET {unquote(url)}: {response.status_code}, documented {status}")
            continue
        errors = [e.message for e in validator(document, schema).iter_errors(response.json())]
        problems += [f"GET {unquote(url)} against {schema}: {message}" for message in errors[:3]]
    assert not problems, "\n".join(problems)


def test_the_schemas_notice_an_answer_that_drifts(client, shipped_catalogue):
    document = spec()
    answer = client.get("/api/aircraft/f-22a-raptor/").json()
    check = validator(document, "Aircraft")
    check.validate(answer)
    with pytest.raises(SchemaError):
        check.validate({**answer, "undocumented": 1})
    with pytest.raises(SchemaError):
        check.validate({key: value for key, value in answer.items() if key != "figures"})
    with pytest.raises(SchemaError):
        check.validate({**answer, "figures": [{**answer["figures"][0], "unit": "furlongs"}]})


def test_the_index_links_every_collection_and_the_documents(client):
    index = client.get("/api/").json()
    assert set(index["collections"]) == {"manufacturers", "aircraft"}
    for url in [*index["collections"].values(), index["openapi"], index["documentation"]]:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/openapi.json").json()["paths"] == spec()["paths"]


def test_the_documentation_page_is_rendered_from_the_document(client):
    document = spec()
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()}</span> <code>{path}</code>" in html
    for url, _, _ in openapi.examples(document):
        assert f'href="{escape(url)}"' in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
