"""The operations guide's own Prometheus series, and the /metrics endpoint.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes every worker write its samples
to files there, and each scrape adds up all of them, including workers that
have since been recycled (gunicorn.conf.py marks dead ones).
"""

import ipaddress
import os
import time

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

REQUESTS = Counter(
    "hangarstack_requests_total", "HTTP requests by method, endpoint and status.", ["method", "endpoint", "status"]
)
DURATION = Histogram(
    "hangarstack_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


def endpoint_of(request: HttpRequest) -> str:
    """The URL pattern, not the path: bounded label values whatever visitors type."""
    if getattr(request, "_metrics_endpoint", ""):  # answered from the page cache
        return request._metrics_endpoint
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith("/static/") else "unmatched"
    return match.view_name or match.route or "unnamed"


_series = {}


def observe(method: str, endpoint: str, status: int, started: float) -> None:
    """Count and time one answer (started: its time.perf_counter() on arrival)."""
    method = method if method in KNOWN_METHODS else "other"
    series = _series.get((method, endpoint, status))
    if series is None:  # the label lookups once per combination, not per request
        series = (REQUESTS.labels(method, endpoint, str(status)), DURATION.labels(endpoint))
        _series[(method, endpoint, status)] = series
    series[0].inc()
    series[1].observe(time.perf_counter() - started)


class RequestMetricsMiddleware:
    """The one request-metrics middleware: outermost but for the health probes,
    so answers from the page cache are counted and timed like every other
    (those the page cache's WSGI front answers before Django, it counts itself
    with the same `observe`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        observe(request.method, endpoint_of(request), response.status_code, started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def may_read_metrics(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token and request.headers.get("Authorization", "") == f"Bearer {token}":
        return True
    # The socket's peer, not a forwarded header: the scraper connects directly.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(cidr, strict=False) for cidr in settings.METRICS_ALLOWED_CIDRS)


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = CollectorRegistry()
        for collector in list(DEFAULT_REGISTRY._collector_to_names):
            collected.register(collector)
    if apps.is_installed("events"):
        from events.metrics import PipelineCollector

        collected.register(PipelineCollector())
    return collected


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    response = HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
