"""Per-client rate limits. (Failed staff sign-ins are django-axes': hangarstack/signin.py.)

Counters live in the shared Redis cache (django-ratelimit's fixed windows), so
every worker and replica enforces one limit per client. The client is the
address from clientip.client_ip: the trusted proxy's header or the socket.

When Redis is unavailable (core.cache's breaker is open, or a call
fails) each limit follows its own stated rule, RATELIMIT_OUTAGE:
- "open": not counted at all. The public page limit: a cache outage must not
  turn into 429s for every visitor, and pages are what the site is for.
- "local": counted in this process's memory, so the limit still holds per
  worker (a client gets at most the limit times the number of workers). The
  view beacon (it would otherwise inflate view counts freely), corrections
  (spam), and the admin sign-in limit (which also keeps guessing in check
  beside django-axes).
"""

import functools
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate, get_usage

from core.clientip import client_ip, client_ip_key

from .views import error_response

BEACON = re.compile(r"^/api/aircraft/[^/]+/view$")
CORRECTION = re.compile(r"^/aircraft/[^/]+/corrections/$")
EXEMPT_PREFIXES = ("/health", "/metrics", "/static/", "/media/")


def _admin_login_path() -> str:
    return f"/{settings.ADMIN_URL}login/"


def rate_limited(request: HttpRequest, retry_after: int, message: str | None = None) -> HttpResponse:
    response = error_response(
        request,
        429,
        "Too many requests",
        message or "You have made too many requests. Please wait a little and try again.",
    )
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "_rate_limit_checked", False):  # counted once, by the page cache
            return self.get_response(request)
        return limit_response(request) or self.get_response(request)


def rules_for(request: HttpRequest) -> list[tuple[str, str]]:
    """The limits this request counts against: (django-ratelimit group, rate)."""
    path = request.path
    if path.startswith(EXEMPT_PREFIXES):
        return []
    if path.startswith(f"/{settings.ADMIN_URL}"):
        if request.method == "POST" and path == _admin_login_path():
            # Failed sign-ins per (username, address) are django-axes' (hangarstack.signin).
            rules = [("admin-login", settings.RATELIMIT_ADMIN_LOGIN)]
        else:
            rules = []  # staff at work in the admin are not counted against the public limit
    else:
        rules = [("public", settings.RATELIMIT_PUBLIC)]
        if request.method == "POST" and BEACON.match(path):
            rules.append(("view-beacon", settings.RATELIMIT_VIEW_BEACON))
        if request.method == "POST" and CORRECTION.match(path):
            rules.append(("corrections", settings.RATELIMIT_CORRECTIONS))
    return rules


def limit_response(request: HttpRequest) -> HttpResponse | None:
    """Count this request against its limits; the 429 to send if over one."""
    request._rate_limit_checked = True
    for group, rate in rules_for(request):
        usage = get_usage(request, group=group, key=client_ip_key, rate=rate, increment=True)
        if usage and usage["limit"] == 0 and usage["time_left"] == -1:  # the shared counter is unavailable
            usage = _outage_usage(request, group, rate)
        if usage and usage["should_limit"]:
            return rate_limited(request, usage["time_left"])
    return None


@dataclass(frozen=True)
class Counter:
    key: str  # django-ratelimit's cache key for this client, limit and window
    limit: int
    period: int
    window: int  # when the window ends (a Unix time)


def hit_counter(request: HttpRequest) -> Counter | None:
    """The one counter a page-cache lookup increments in its own round trip
    (hangarstack.pagecache), or None when the request counts against none or
    several. The very counter get_usage would increment for the same request,
    so a limit is one limit whether the page comes from the cache or a view."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    rules = rules_for(request)
    if len(rules) != 1:
        return None
    group, rate = rules[0]
    limit, period = _parsed_rate(rate)
    value = client_ip_key(group, request)
    window = _get_window(value, period)
    return Counter(_counter_key(group, window, rate, value), limit, period, window)


# Every page-cache lookup asks for these: parsed and hashed once per rate, client and window.
_parsed_rate = functools.lru_cache(maxsize=64)(_split_rate)


@functools.lru_cache(maxsize=4096)
def _counter_key(group: str, window: int, rate: str, value: str) -> str:
    return _make_cache_key(group, window, rate, value, ALL)


# --- While Redis is away ---------------------------------------------------------

_local_counters = LocMemCache("hangarstack-ratelimit-outage", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _outage_usage(request: HttpRequest, group: str, rate: str) -> dict | None:
    if settings.RATELIMIT_OUTAGE.get(group, "open") != "local":
        return None
    limit, period = _split_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"{group}:{client_ip(request)}:{window}"
    _local_counters.add(key, 0, period)
    try:
        count = _local_counters.incr(key)
    except ValueError:  # expired in between
        _local_counters.set(key, 1, period)
        count = 1
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": int(period - now % period)}
