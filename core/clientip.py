"""The client's address, taken from a proxy header only when that proxy is trusted.

With TRUSTED_PROXY_COUNT=N, the N proxies in front of the app each append the
address they saw to X-Forwarded-For, so the client is the Nth entry from the
right; anything further left was written by the client and is ignored. With
N=0 (the default) the header is ignored entirely and REMOTE_ADDR is used.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    count = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    return _normalised(address)


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
