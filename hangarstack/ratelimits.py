"""Per-client rate limits, and the lock-out after repeated failed staff sign-ins.

Counters live in the shared Redis cache (django-ratelimit's fixed windows), so
every worker and replica enforces one limit per client. The client is the
address from clientip.client_ip: the trusted proxy's header or the socket.
"""

import re

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from .clientip import client_ip, client_ip_key
from .lockout import signin_paused
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


def limit_response(request: HttpRequest) -> HttpResponse | None:
    """Count this request against its limits; the 429 to send if over one."""
    request._rate_limit_checked = True
    path = request.path
    if path.startswith(EXEMPT_PREFIXES):
        return None
    if path.startswith(f"/{settings.ADMIN_URL}"):
        if request.method == "POST" and path == _admin_login_path():
            locked = signin_lockout_remaining(request)
            if locked:
                return signin_paused(request, seconds=locked)
            rules = [("admin-login", settings.RATELIMIT_ADMIN_LOGIN)]
        else:
            rules = []  # staff at work in the admin are not counted against the public limit
    else:
        rules = [("public", settings.RATELIMIT_PUBLIC)]
        if request.method == "POST" and BEACON.match(path):
            rules.append(("view-beacon", settings.RATELIMIT_VIEW_BEACON))
        if request.method == "POST" and CORRECTION.match(path):
            rules.append(("corrections", settings.RATELIMIT_CORRECTIONS))
    for group, rate in rules:
        usage = get_usage(request, group=group, key=client_ip_key, rate=rate, increment=True)
        if usage and usage["should_limit"]:
            return rate_limited(request, usage["time_left"])
    return None


# --- Failed sign-ins ---------------------------------------------------------


def _failure_keys(username: str, address: str) -> list[str]:
    return [f"signin-failures:user:{username.casefold()[:150]}", f"signin-failures:ip:{address}"]


def signin_lockout_remaining(request: HttpRequest) -> int:
    """Seconds until sign-in is allowed again for this username or address; 0 if not locked."""
    username = request.POST.get("username", "")
    counts = cache.get_many(_failure_keys(username, client_ip(request)))
    locked = [key for key, count in counts.items() if count >= settings.SIGNIN_MAX_FAILURES]
    if not locked:
        return 0
    # The pause ends when the counter expires (django-redis tells how soon; other caches cannot).
    ttl = getattr(cache, "ttl", None)
    left = [ttl(key) or 0 for key in locked] if ttl else []
    return max(left, default=0) or settings.SIGNIN_LOCKOUT_SECONDS


@receiver(user_login_failed)
def count_failed_signin(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        return
    for key in _failure_keys(str(credentials.get("username", "")), client_ip(request)):
        # add() then incr(): atomic in Redis, and the window starts at the first failure.
        cache.add(key, 0, settings.SIGNIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, settings.SIGNIN_LOCKOUT_SECONDS)


@receiver(user_logged_in)
def clear_failed_signins(sender, request, user, **kwargs) -> None:
    cache.delete_many(_failure_keys(user.get_username(), client_ip(request)))
