"""The client's address, taken from a proxy header only when that proxy is trusted.

With TRUSTED_PROXY_COUNT=N, the N proxies in front of the app each append the
address they saw to X-Forwarded-For, so the client is the Nth entry from the
right; anything further left was written by the client and is ignored. With
N=0 (the default) the header is ignored entirely and REMOTE_ADDR is used.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest


@functools.cache
def _trusted_proxy_count() -> int:
    """Read once, not at every request: a settings attribute costs a Python-level
    __getattribute__ (LazyObject), and each hit and each event asks."""
    return settings.TRUSTED_PROXY_COUNT


@receiver(setting_changed)
def _forget_proxy_count(setting: str, **kwargs) -> None:
    if setting == "TRUSTED_PROXY_COUNT":
        _trusted_proxy_count.cache_clear()


def client_ip(request: HttpRequest) -> str:
    """Worked out once per request: the rate limit and the request's event both ask."""
    known = getattr(request, "_client_ip", None)
    if known is not None:
        return known
    count = _trusted_proxy_count()
    address = request.META.get("REMOTE_ADDR", "")
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    request._client_ip = address = _normalised(address)
    return address


@functools.lru_cache(maxsize=4096)
def _normalised(address: str) -> str:
    """Parsed once per address and process: every request reads it (rate limit, events)."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "0.0.0.0"  # noqa: S104 - an unparseable address must still be rate limited as one client


def client_ip_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit key function."""
    return client_ip(request)
