"""Error pages: JSON under /api/, a friendly page elsewhere, never a stack trace."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": {"status": status, "message": message}}, status=status)
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "Bad request", "The address or the form had something this site cannot read.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Not allowed", "You do not have permission to see this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Page not found", "There is no page at this address. It may have moved.")


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: whatever failed may fail again.
    if _is_api(request):
        return JsonResponse({"error": {"status": 500, "message": "internal error"}}, status=500)
    return render(request, "errors/500.html", status=500)
