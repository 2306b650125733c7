"""Error pages: JSON under /api/, a friendly page elsewhere, never a stack trace."""

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, **extra) -> JsonResponse:
    """The one shape of every API error: {"error": {"status", "message", ...}}."""
    return JsonResponse({"error": {"status": status, "message": message, **extra}}, status=status)


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


# The 500 page inlines its styles so that it renders even when static files cannot.
@csp_update({"style-src": ["'unsafe-inline'"]})
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: whatever failed may fail again.
    if is_api(request):
        return json_error(500, "internal error")
    return render(request, "errors/500.html", status=500)
