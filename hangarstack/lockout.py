"""The page a staff member sees when sign-in is paused after too many failed attempts.

One page for whichever mechanism counts the failures. django-axes counts them
(hangarstack/signin.py, settings AXES_*) and can use it either way it offers:

- AXES_LOCKOUT_CALLABLE = "hangarstack.lockout.signin_paused": axes 8.0 calls it
  as (request, credentials), 8.1 and later as (request, original_response,
  credentials); both are accepted.
- AXES_LOCKOUT_TEMPLATE = "errors/signin_paused.html": the template reads axes'
  own context (cooloff_timedelta) when no `pause` is given.

The page says how long the pause lasts, when it ends, and links back to the
sign-in form. It is never cached: it answers a POST, with status 429.

Checked against django-axes 8.3.1 (the self-healing branch's configuration):
as the callable, the locked-out sign-in gets this page with Retry-After; as
the template (with AXES_HTTP_RESPONSE_CODE = 429), the same page, and the
Retry-After header only where that axes version sets one.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

TITLE = "Too many sign-in attempts"


def lockout_seconds() -> int:
    """How long a lock-out lasts: django-axes' cool-off when it is configured, else ours."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, datetime.timedelta):
        return int(cool_off.total_seconds())
    if isinstance(cool_off, int | float) and not isinstance(cool_off, bool):
        return int(cool_off * 3600)  # axes reads a bare number as hours
    return settings.SIGNIN_LOCKOUT_SECONDS


def sign_in_url(request: HttpRequest) -> str:
    """The admin sign-in form, keeping where the person was going when that is on this site."""
    url = reverse("admin:login")
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url += "?" + urlencode({"next": target})
    return url


def signin_paused(request: HttpRequest, original_response=None, credentials=None, *args, seconds: int | None = None):
    """A 429 page with Retry-After; usable as django-axes' AXES_LOCKOUT_CALLABLE."""
    pause = max(1, int(seconds if seconds is not None else lockout_seconds()))
    response: HttpResponse = render(
        request,
        "errors/signin_paused.html",
        {
            "status": 429,
            "title": TITLE,
            "pause": pause,
            "until": timezone.now() + datetime.timedelta(seconds=pause),
            "sign_in_url": sign_in_url(request),
        },
        status=429,
    )
    response["Retry-After"] = str(pause)
    response["Cache-Control"] = "no-store"
    return response
