"""The two standalone error pages: a lost database is a 503 with Retry-After, anything else a 500."""

from django.db import OperationalError
from django.test import RequestFactory

from hangarstack.views import server_error


def test_an_unexpected_error_is_the_500_page():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(RequestFactory().get("/aircraft/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_the_500_page_needs_nothing_from_the_request_that_failed():
    try:
        raise RuntimeError("boom")
    except RuntimeError:  # a Host header not allowed fails every use of the host
        response = server_error(RequestFactory().get("/aircraft/", HTTP_HOST="evil.example"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_a_lost_database_is_the_503_page_and_json_under_the_api():
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        page = server_error(RequestFactory().get("/aircraft/"))
        api = server_error(RequestFactory().get("/api/aircraft/"))
    assert page.status_code == 503 and b"Briefly unavailable" in page.content
    assert int(page["Retry-After"]) > 0
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert int(api["Retry-After"]) > 0
