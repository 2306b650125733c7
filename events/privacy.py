"""What an event may say about a visitor.

No raw IP address ever enters an event. Instead, `visitor` is a keyed hash
(HMAC-SHA256, truncated to 16 hex characters) of the client address and the
current UTC date: the same visitor gets the same value for a day, which is
enough to count distinct visitors, and the value cannot be reversed to an
address without EVENTS_IP_HASH_KEY, nor linked across days.
"""

import datetime
import functools
import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from core.clientip import client_ip


def _key() -> bytes:
    if settings.EVENTS_IP_HASH_KEY:
        return settings.EVENTS_IP_HASH_KEY.encode()
    return salted_hmac("hangarstack.events.visitor", "key").digest()


def visitor_id(address: str, day: datetime.date | None = None) -> str:
    day = day or datetime.datetime.now(datetime.UTC).date()
    return _visitor(_key(), f"{day.isoformat()}|{address}")


@functools.lru_cache(maxsize=4096)
def _visitor(key: bytes, day_and_address: str) -> str:
    """Once per key, visitor and day in a process: every page view asks."""
    return hmac.new(key, day_and_address.encode(), hashlib.sha256).hexdigest()[:16]


def client_context(request: HttpRequest | None) -> dict:
    if request is None:
        return {}
    return {
        "visitor": visitor_id(client_ip(request)),
        # From META rather than request.headers, which would be built for these two alone.
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        "referrer_host": _host(request.META.get("HTTP_REFERER", "")),
    }


def _host(url: str) -> str:
    # Only the site that linked here, not the full URL (which can carry personal data).
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "")[:100]
    except ValueError:
        return ""
