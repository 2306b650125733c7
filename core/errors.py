"""The one shape of every JSON error: {"error": {"status", "message", ...}}.

The API views, the downloads and the project's error pages and middleware all
answer errors under /api/ with it.
"""

from django.http import HttpRequest, JsonResponse


def is_api(request: HttpRequest) -> bool:
    """Under /api/, errors are JSON; elsewhere they are pages."""
    return request.path.startswith("/api/")


def json_error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message, **extra}}, status=status)
