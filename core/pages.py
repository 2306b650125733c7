"""What a view says about its page, for whichever page cache serves it.

A view that may be stored whole is decorated with `cacheable(stamps=...)`: the
names of the stamps (core.stamps) its content depends on. While it runs it may
also say that:

- it sent a signal a stored copy must send again on every hit (`send`, with
  plain values only: ids, slugs, numbers), so a cached page view is still a view;
- one number in it is live (`live_count`): the cache reads that number's
  current value at every hit and puts it in place, so the page need not go
  stale each time the number changes;
- it holds something for the signed-in person only (`private`): never shared.

The view's answer carries all this as `response.page` (a `Page`); the
project's page cache (hangarstack.pagecache) reads it there. Nothing here
knows any app or any cache.
"""

import contextvars
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import stamps as stamp_registry

_replayable: dict[str, Signal] = {}


def page_signal(name: str) -> Signal:
    """A signal a cached page sends again on every hit (so: plain values only)."""
    signal = Signal()
    _replayable[name] = signal
    signal.page_name = name
    return signal


@dataclass
class Live:
    key: str  # the cache key holding the number's current value
    value: int  # its value when the page was made
    json_field: str = ""  # an API answer: this top-level field of the JSON object
    # A page: the HTML for a value, which the view's template shows between the
    # markers live_markers(name). A module-level function: stored pages keep it by name.
    html: Callable[[int], str] | None = None
    name: str = "value"


@dataclass
class Page:
    stamps: tuple[str, ...]
    signals: list[tuple[str, dict]] = field(default_factory=list)
    live: Live | None = None
    private: bool = False


_current: contextvars.ContextVar[Page | None] = contextvars.ContextVar("page", default=None)


def send(request: HttpRequest, signal: Signal, **values) -> None:
    """Send a page signal now, and keep it for the page's hits to send again.

    A HEAD request (an uptime monitor, a link checker) reads nobody's page:
    it sends nothing."""
    if request.method == "HEAD":
        return
    signal.send(sender=None, request=request, **values)
    page = _current.get()
    if page is not None:
        page.signals.append((signal.page_name, values))


def replay(request: HttpRequest, recorded: list[tuple[str, dict]]) -> None:
    for name, values in recorded:
        _replayable[name].send(sender=None, request=request, **values)


def depends_on(*names: str) -> None:
    """This page also depends on these stamps (decided while the view runs)."""
    page = _current.get()
    if page is not None:
        stamp_registry.register(*names)
        page.stamps = tuple(dict.fromkeys((*page.stamps, *names)))


def live_markers(name: str) -> tuple[bytes, bytes]:
    return f"<!--live:{name}-->".encode(), f"<!--/live:{name}-->".encode()


def live_count(
    key: str, value: int, *, json_field: str = "", html: Callable[[int], str] | None = None, name: str = "value"
) -> None:
    """One number on this page is read afresh from the cache key `key` at every hit.

    For a page, the view's template shows `html(value)` between the markers
    `live_markers(name)`, and a hit puts `html(current value)` there: a plain
    function rather than a template, because a busy page's number changes
    between most hits. For a JSON object, `json_field` holds the number."""
    page = _current.get()
    if page is not None:
        page.live = Live(key=key, value=value, json_field=json_field, html=html, name=name)


def private() -> None:
    """This answer holds something for the signed-in person only: neither
    stored in the page cache nor marked cacheable by others."""
    page = _current.get()
    if page is not None:
        page.private = True


def revalidate(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie"])
    # Revalidate every time: an ETag match is cheap, and staff edits show at once.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def cacheable(view=None, *, stamps: tuple[str, ...] = ()):
    """The view's 200 answers may be stored whole until one of `stamps` changes."""
    stamp_registry.register(*stamps)

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            page = Page(stamps=tuple(stamps))
            token = _current.set(page)
            try:
                response = view(request, *args, **kwargs)
            finally:
                _current.reset(token)
            if page.private:
                patch_vary_headers(response, ["Cookie"])
                patch_cache_control(response, private=True, no_cache=True)
            elif response.status_code == 200 and not response.streaming:
                revalidate(response, '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"')
                response.page = page
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
