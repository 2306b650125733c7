"""Liveness and readiness probes.

/health says the process answers. /health/ready checks what a replica needs:
the database is required (503 when it is down); the cache and Kafka are
reported as "degraded" but not required. While the broker is away pages still
work and events wait in the outbox; while Redis is away pages are served
uncached; pulling every replica out of the load balancer would turn either blip
into an outage. Every check has a short timeout.

Only the addresses and token that may read /metrics see the checks (which name
servers and errors); everyone else gets the status alone.
"""

import datetime
import time

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

import hangarstack

CHECK_TIMEOUT_SECONDS = 2.0


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check() or {}
        status = result.pop("status", "ok")
    except Exception as exc:  # a failing dependency is a result here, not an error
        result, status = {"error": f"{type(exc).__name__}: {exc}"[:300]}, "down"
    return {"status": status, "latency_ms": round((time.monotonic() - started) * 1000, 1), **result}


def check_database() -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [int(CHECK_TIMEOUT_SECONDS * 1000)])
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    from core.cache import cache_state

    state = cache_state()
    if state["status"] != "ok":
        return state  # the breaker is open: do not knock on a hung Redis
    cache.set("health:probe", "ok", 10)
    if cache.get("health:probe") != "ok":
        return {**cache_state(), "status": "degraded", "error": "cache unavailable; pages served uncached"}
    return {}


def readiness() -> tuple[int, dict]:
    checks = {"database": _timed(check_database), "cache": _timed(check_cache)}
    if apps.is_installed("events"):
        from events.health import check_kafka

        checks["kafka"] = _timed(check_kafka)
    required_ok = checks["database"]["status"] == "ok"
    degraded = any(check["status"] != "ok" for check in checks.values())
    body = {
        "status": "ok" if not degraded else ("degraded" if required_ok else "down"),
        "down": sorted(name for name, check in checks.items() if check["status"] == "down"),
        "degraded": sorted(name for name, check in checks.items() if check["status"] == "degraded"),
        "checks": checks,
        "version": hangarstack.__version__,
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    return (200 if required_ok else 503), body


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/health":
            response = JsonResponse({"status": "ok", "version": hangarstack.__version__})
        elif request.path == "/health/ready":
            from .metrics import may_read_metrics

            status, body = readiness()
            if not may_read_metrics(request):
                body = {"status": body["status"]}
            response = JsonResponse(body, status=status)
        else:
            return self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response
