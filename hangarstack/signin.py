"""Sign-in protection on django-axes: what it counts, and what a lock-out answers.

A failure is counted for the pair (username, client address), so five wrong
tries lock that username from that address only: an attacker elsewhere cannot
lock a staff member out of their usual address, and cannot try a sixth password
from the one they used. Guessing many usernames from one address is held back by
the admin-login rate limit (RATELIMIT_ADMIN_LOGIN, per address) as well. Attempts
live in PostgreSQL (axes' database handler), so the lock-out holds across
workers and replicas and does not depend on Redis.
"""

import datetime
import unicodedata

from django.conf import settings
from django.http import HttpRequest

from core.clientip import client_ip


def normalise_username(value) -> str:
    """As sign-in reads it (the form strips whitespace, the user model applies
    NFKC), then case-folded: "admin ", "ADMIN" and its full-width form are one name to
    the lock-out, so no spelling of a locked name gets another five tries."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().casefold()[:150]


def username_for_lockout(request: HttpRequest, credentials: dict | None) -> str:
    if credentials and "username" in credentials:
        return normalise_username(credentials["username"])
    return normalise_username(request.POST.get("username", "") if request is not None else "")


def client_address(request: HttpRequest) -> str:
    return client_ip(request)


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """SIGNIN_MAX_FAILURES failures answer the sign-in form with its error; the
    next attempt, even with the right password, the lock-out page.

    django-axes asks for the limit twice: before a sign-in is tried (is the pair
    locked?) and after a failure (lock it now, answering this very attempt with
    the lock-out page?). Its failure handler has counted the failures on the
    request by the time it asks (axes_failures_since_start, None until then);
    there the limit is one higher, so the failure that reaches the limit still
    gets the form. Checked against django-axes 8.3.1."""
    limit = settings.SIGNIN_MAX_FAILURES
    after_a_failure = getattr(request, "axes_failures_since_start", None) is not None
    return limit + 1 if after_a_failure else limit


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SIGNIN_LOCKOUT_SECONDS)
