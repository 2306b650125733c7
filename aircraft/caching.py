"""Whole-page caching in the shared cache, never stale, still emitting every signal.

A page is cached under the catalogue stamp (changed on every catalogue save or
delete, after commit) and the popularity stamp (changed when the analytics
consumer applies a batch), so a change shows on the next load on every worker.
Signals a view sends (an aircraft viewed, a search made) are recorded with the
page and sent again on every cache hit: a cached page is still a view.
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import signals
from .context_processors import preferred_units
from .models import Aircraft, Manufacturer

POPULARITY_STAMP = "catalogue:popularity-stamp"
CATALOGUE_STAMP = "catalogue:stamp"
_SIGNALS = {
    "aircraft_viewed": signals.aircraft_viewed,
    "search_performed": signals.search_performed,
    "aircraft_compared": signals.aircraft_compared,
}


def popularity_changed() -> None:
    cache.set(POPULARITY_STAMP, uuid.uuid4().hex[:12], None)


def _ref(plane: Aircraft) -> dict:
    return {"id": plane.pk, "slug": plane.slug, "designation": plane.designation, "maker": plane.manufacturer.slug}


def _plane(ref: dict) -> Aircraft:
    return Aircraft(
        pk=ref["id"], slug=ref["slug"], designation=ref["designation"], manufacturer=Manufacturer(slug=ref["maker"])
    )


def emit(request: HttpRequest, name: str, **payload) -> None:
    """Send a catalogue signal now, and remember it for replay on cache hits."""
    _SIGNALS[name].send(sender=Aircraft, request=request, **payload)
    recorded = dict(payload)
    if "aircraft" in recorded:
        value = recorded["aircraft"]
        recorded["aircraft"] = [_ref(p) for p in value] if isinstance(value, list) else _ref(value)
    request._catalogue_signals = [*getattr(request, "_catalogue_signals", []), (name, recorded)]


def _replay(request: HttpRequest, recorded: list) -> None:
    for name, payload in recorded:
        payload = dict(payload)
        if "aircraft" in payload:
            value = payload["aircraft"]
            payload["aircraft"] = [_plane(r) for r in value] if isinstance(value, list) else _plane(value)
        _SIGNALS[name].send(sender=Aircraft, request=request, **payload)


def _stamps() -> tuple[str, str]:
    from .selectors import catalogue_stamp_refresh

    found = cache.get_many([CATALOGUE_STAMP, POPULARITY_STAMP])
    catalogue = found.get(CATALOGUE_STAMP) or catalogue_stamp_refresh()
    return catalogue, found.get(POPULARITY_STAMP, "-")


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie"])
    # Revalidate every time: an ETag match is cheap, and staff edits show at once.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def cached_page(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        catalogue, popularity = _stamps()
        # Scheme and host too: API responses carry absolute links.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        path = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
        key = f"page:{catalogue}:{popularity}:{preferred_units(request)}:{path}"
        hit = cache.get(key)
        if hit is not None:
            _replay(request, hit["signals"])
            response = HttpResponse(hit["content"], content_type=hit["content_type"])
            return _finish(response, hit["etag"])
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        etag = '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"'
        cache.set(
            key,
            {
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": etag,
                "signals": getattr(request, "_catalogue_signals", []),
            },
            settings.PAGE_CACHE_SECONDS,
        )
        return _finish(response, etag)

    return wrapper
