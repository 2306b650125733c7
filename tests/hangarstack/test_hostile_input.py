"""Every public address, with hostile values in the address itself, in every
query parameter, form field and header the site reads: a 4xx or a page, never a 5xx.

The addresses come from the URL configuration itself, so a new page is swept
without anyone remembering to list it."""

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories import AircraftFactory, ManufacturerFactory

pytestmark = pytest.mark.django_db

# Each has broken something somewhere: NUL, bytes that are not UTF-8, a number
# too big for any column or float, a lone surrogate, a very long value, Cyrillic.
HOSTILE = ["%00", "%ff", "-1", "1e309", "99999999999999999999999", "a" * 3000, "%ED%A0%80", "%D0%A1%D1%83-27%20x"]
# In every parameter of every address, the five that break parsing (CI's time is
# bounded); negative, long and Cyrillic values have their own tests for the
# parameters that take them (test_security.py, the search tests).
HOSTILE_IN_QUERIES = ["%00", "%ff", "1e309", "99999999999999999999999", "%ED%A0%80"]
# Every query parameter some view or middleware reads.
PARAMETERS = [
    "q", "page", "a", "manufacturer", "role", "status", "decade", "sort", "x", "y", "log_x", "log_y",
    "units", "next", "all", "sent", "format", "figure", "value", "unit", "source_url",
]  # fmt: skip
HEADERS = {
    "HTTP_COOKIE": ["units=%ff", "units=" + "x" * 5000, "sessionid=\x00"],
    "HTTP_IF_NONE_MATCH": ["\x00", "*", '"' * 300],
    "HTTP_IF_MODIFIED_SINCE": ["garbage", "Mon, 99 Foo 99999 99:99:99 GMT"],
    "HTTP_ORIGIN": ["null", "\xff"],
    "HTTP_ACCEPT": ["application/json", "*/*;q=nan"],
    "HTTP_ACCEPT_LANGUAGE": ["\xff" * 300],
    "HTTP_X_FORWARDED_FOR": ["garbage, ,,", "::::::", "999.999.999.999"],
    "HTTP_RANGE": ["bytes=9-1"],
    "HTTP_HOST": ["evil.example", "127.0.0.1:99999"],
    "HTTP_REFERER": ["\xff::", "http://[::1"],
}
# What fills each placeholder of a route, by the route's first part.
FILLINGS = {
    "manufacturers": {"slug": "boeing"},
    "aircraft": {"slug": "f-22a-raptor", "name": "Boeing", "designation": "B-17G"},
    "manufacturer": {"name": "Boeing"},
    "sitemap-": {"section": "aircraft"},
    "api": {"slug": "f-22a-raptor", "name": "B-17G"},
}


def public_routes(patterns=None, prefix: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":  # staff only, behind a sign-in, wherever ADMIN_URL puts it
                yield from public_routes(pattern.url_patterns, route)
        else:
            yield route


PLACEHOLDERS = re.compile(r"<(?:\w+:)?(\w+)>")


def address(route: str) -> str:
    kind = next((key for key in FILLINGS if route.startswith(key)), None)
    filled = PLACEHOLDERS.sub(lambda m: FILLINGS.get(kind, {}).get(m.group(1), m.group(0)), route)
    return "/" + filled


ADDRESSES = sorted({address(route) for route in public_routes()})
# Routes with a placeholder, each filled with every hostile value in turn.
HOSTILE_ADDRESSES = sorted(
    {
        "/" + PLACEHOLDERS.sub(lambda _, v=value: v, route)
        for route in public_routes()
        if "<" in route
        for value in HOSTILE
    }
)


@pytest.fixture
def catalogue(settings):
    settings.RATELIMIT_ENABLE = False  # thousands of requests from one address, on purpose
    lockheed = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    boeing = ManufacturerFactory(name="Boeing", slug="boeing")
    AircraftFactory(manufacturer=lockheed, designation="F-22A", name="Raptor", slug="f-22a-raptor", role="fighter")
    AircraftFactory(manufacturer=boeing, designation="B-17G", slug="b-17g", role="bomber", status="retired")


def failures(client: Client, method: str, url: str, **headers) -> list[str]:
    try:
        status = getattr(client, method)(url, **headers).status_code
    except Exception as exc:  # the test client re-raises what escaped the view
        return [f"{method.upper()} {url[:100]} {headers}: raised {type(exc).__name__}: {str(exc)[:100]}"]
    return [f"{method.upper()} {url[:100]} {headers}: {status}"] if status >= 500 else []


def test_every_route_is_swept_at_an_address_of_its_own():
    assert len(ADDRESSES) > 25
    assert not [a for a in ADDRESSES if "<" in a], "a route whose placeholder FILLINGS does not fill"


@pytest.mark.parametrize("path", ADDRESSES)
def test_hostile_query_values_are_never_a_500(client, catalogue, path):
    methods = ["get"] + (["post"] if client.post(path).status_code != 405 else [])
    bad = [
        failure
        for method in methods
        for parameter in PARAMETERS
        for value in HOSTILE_IN_QUERIES
        for failure in failures(client, method, f"{path}?{parameter}={value}")
    ]
    assert not bad, "\n".join(bad[:20])


def test_hostile_values_in_the_address_itself_are_never_a_500(client, catalogue):
    bad = [
        failure for url in HOSTILE_ADDRESSES for method in ("get", "post") for failure in failures(client, method, url)
    ]
    assert len(HOSTILE_ADDRESSES) > 50 and not bad, "\n".join(bad[:20])


# A form that would be accepted, for each page that takes one: each field in
# turn is made hostile, so the value reaches the code behind the form's checks.
FORMS = {
    "/aircraft/f-22a-raptor/corrections/": {
        "figure": "service_ceiling:overall",
        "value": "65%2C000",
        "unit": "ft",
        "source_url": "https%3A%2F%2Fwww.example.org%2Ffact-sheet",
        "note": "Updated",
        "website": "",
    },
    "/preferences/units/": {"units": "imperial", "next": "%2Faircraft%2F"},
}


def test_only_the_forms_and_the_view_beacon_take_a_post(client, catalogue):
    taking = {a for a in ADDRESSES if client.post(a).status_code != 405}
    assert taking == {*FORMS, "/api/aircraft/f-22a-raptor/view"}


@pytest.mark.parametrize("path", FORMS)
def test_hostile_form_values_are_never_a_500(client, catalogue, path):
    form = FORMS[path]
    encoded = "application/x-www-form-urlencoded"
    accepted = client.post(path, data="&".join(f"{k}={v}" for k, v in form.items()), content_type=encoded)
    assert accepted.status_code in (302, 303) and "error" not in accepted["Location"]  # the form as it is is good
    bad = [
        failure
        for field in form
        for value in HOSTILE
        for failure in failures(
            client,
            "post",
            path,
            data="&".join(f"{k}={value if k == field else v}" for k, v in form.items()),
            content_type=encoded,
        )
    ]
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("path", ["/", "/aircraft/f-22a-raptor/", "/api/aircraft/", "/compare/?a=f-22a-raptor&a=b-17g"])
def test_hostile_headers_are_never_a_500(client, catalogue, path):
    bad = [
        failure
        for header, values in HEADERS.items()
        for value in values
        for failure in failures(client, "get", path, **{header: value})
    ]
    assert not bad, "\n".join(bad)
