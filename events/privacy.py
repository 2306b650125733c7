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
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from core.clientip import client_ip


@functools.cache
def hash_key() -> bytes:
    """The key visitor hashes are made with now: derived once, not once per
    event (two settings lookups, and salted_hmac's two hashes)."""
    if settings.EVENTS_IP_HASH_KEY:
        return settings.EVENTS_IP_HASH_KEY.encode()
    return salted_hmac("hangarstack.events.visitor", "key").digest()


@receiver(setting_changed)
def _forget_key(setting: str, **kwargs) -> None:
    if setting in ("EVENTS_IP_HASH_KEY", "SECRET_KEY"):
        hash_key.cache_clear()


def visitor_id(address: str, day: str = "", key: bytes | None = None) -> str:
    """The visitor's hash for `day` (YYYY-MM-DD, UTC; today by default), made with
    `key` (the hash key in use by default)."""
    day = day or datetime.datetime.now(datetime.UTC).date().isoformat()
    return _visitor(key or hash_key(), f"{day}|{address}")


@functools.lru_cache(maxsize=4096)
def _visitor(key: bytes, day_and_address: str) -> str:
    """Once per key, visitor and day in a process: every page view asks."""
    return hmac.new(key, day_and_address.encode(), hashlib.sha256).hexdigest()[:16]


# What a request says about its visitor, as plain values: (address, user agent, referrer).
ClientFacts = tuple[str, str, str]


def client_facts(request: HttpRequest | None) -> ClientFacts | None:
    """Read at every view that is an event: a tuple, not an object with an __init__ to run."""
    if request is None:
        return None
    # From META rather than request.headers, which would be built for these two alone.
    meta = request.META
    return client_ip(request), meta.get("HTTP_USER_AGENT", ""), meta.get("HTTP_REFERER", "")


@dataclass(slots=True)
class Client:
    """What a request says about its visitor, taken as it is. The address never
    leaves the process: it becomes the day's `visitor` hash when the event is made."""

    address: str
    user_agent: str
    referrer: str

    @classmethod
    def of(cls, request: HttpRequest | None) -> "Client | None":
        facts = client_facts(request)
        return None if facts is None else cls(*facts)

    def context(self, day: str = "", key: bytes | None = None) -> dict:
        """The event's `client`: the visitor's hash for `day` (YYYY-MM-DD, today by default)
        and `key` (the hash key in use by default), never the address."""
        return {
            "visitor": visitor_id(self.address, day, key),
            "user_agent": self.user_agent[:200],
            "referrer_host": _host(self.referrer),
        }


def client_context(request: HttpRequest | None) -> dict:
    client = Client.of(request)
    return {} if client is None else client.context()


def _host(url: str) -> str:
    # Only the site that linked here, not the full URL (which can carry personal data).
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "")[:100]
    except ValueError:
        return ""
