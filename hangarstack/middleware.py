import logging
import time

from django.http import HttpRequest, HttpResponse

from core import context
from core.errors import is_api, json_error
from core.ids import random_hex

from .views import DATABASE_UNAVAILABLE, database_unavailable

logger = logging.getLogger(__name__)


def request_id_for(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when it is sane, else a fresh one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    trusted = 0 < len(incoming) <= 64 and incoming.isascii() and incoming.isprintable()
    return incoming if trusted else random_hex()


class RequestContextMiddleware:
    """A request id on every log line and response, and the acting user for events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = request_id_for(request)
        id_token = context.request_id.set(request.id)
        actor_token = context.actor.set("anonymous")
        try:
            if hasattr(request, "user") and request.user.is_authenticated:
                context.actor.set(f"user:{request.user.get_username()}")
            response = self.get_response(request)
        finally:
            context.request_id.reset(id_token)
            context.actor.reset(actor_token)
        response["X-Request-ID"] = request.id
        return response


class JsonApiErrorsMiddleware:
    """Any error under /api/ (405, 403 CSRF, 429 ...) is answered in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = response.reason_phrase.lower() if response.reason_phrase else "error"
            replacement = json_error(response.status_code, message)
            for header in ("Allow", "Retry-After", "X-Request-ID"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


class DatabaseUnavailableMiddleware:
    """A view that loses PostgreSQL answers the designed 503 (hangarstack.views),
    with one log line per process every 30 s instead of a traceback per request.
    Errors raised in middleware reach the same 503 through handler500."""

    _last_logged = -60.0

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        now = time.monotonic()
        if now - DatabaseUnavailableMiddleware._last_logged >= 30:
            DatabaseUnavailableMiddleware._last_logged = now
            logger.error("database unavailable, answering 503: %s", str(exception).splitlines()[0][:200])
        return database_unavailable(request)
