"""Error pages: JSON under /api/, a friendly page elsewhere, never a stack trace."""

import logging
import sys

from csp.decorators import csp_update
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import is_api, json_error


def error_response(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if is_api(request):
        return json_error(status, message)
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, "Bad request", "The address or the form had something this site cannot read.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, "Not allowed", "You do not have permission to see this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, "Page not found", "There is no page at this address. It may have moved.")


logger = logging.getLogger(__name__)

# How long a client should wait before trying again while PostgreSQL is away.
DATABASE_RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@csp_update({"style-src": ["'unsafe-inline'"]})
def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The designed answer while PostgreSQL is down: 503 with Retry-After, never a 500."""
    if is_api(request):
        response = json_error(503, "the catalogue database is briefly unavailable; try again shortly")
    else:
        # Rendered without the request context: the context processors may need the database.
        response = render(None, "errors/503.html", status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# The 500 and 503 pages inline their styles so that they render even when static files cannot.
@csp_update({"style-src": ["'unsafe-inline'"]})
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its exception handler, wherever the exception was
    # raised (a view or any middleware): a lost database connection is a 503.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    # Rendered without the request context: whatever failed may fail again.
    if is_api(request):
        return json_error(500, "internal error")
    return render(None, "errors/500.html", status=500)
