"""Whole-page caching in the shared cache, never stale, still emitting every signal.

A page is cached under the catalogue stamp (changed on every catalogue save or
delete, after commit) and the popularity stamp (changed when the analytics
consumer applies a batch), so a change shows on the next load on every worker.
Signals a view sends (an aircraft viewed, a search made) are recorded with the
page and sent again on every cache hit: a cached page is still a view.
"""

import hashlib
import json
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers

from core import context
from core.cache import cache_recovered
from hangarstack.middleware import request_id_for
from hangarstack.ratelimits import limit_response

from . import signals
from .context_processors import preferred_units
from .models import Aircraft, Manufacturer

POPULARITY_STAMP = "catalogue:popularity-stamp"
LIVE_START, LIVE_END = b"<!--live:views-->", b"<!--/live:views-->"
CATALOGUE_STAMP = "catalogue:stamp"
_SIGNALS = {
    "aircraft_viewed": signals.aircraft_viewed,
    "search_performed": signals.search_performed,
    "aircraft_compared": signals.aircraft_compared,
}


def catalogue_stamp() -> str:
    """Changes whenever anything in the catalogue does; part of every cache key."""
    stamp = cache.get(CATALOGUE_STAMP)
    if stamp is None:
        stamp = catalogue_stamp_refresh()
    return stamp


def catalogue_stamp_refresh() -> str:
    """A new stamp makes every cached page and ETag of the old catalogue stale."""
    stamp = uuid.uuid4().hex[:16]
    cache.set(CATALOGUE_STAMP, stamp, None)
    return stamp


def popularity_changed(view_totals: dict[int, int] | None = None) -> None:
    """Called by the analytics consumer after it commits new counts."""
    if view_totals:
        cache.set_many({view_count_key(pk): total for pk, total in view_totals.items()}, None)
    cache.set(POPULARITY_STAMP, uuid.uuid4().hex[:12], None)


def rewrite_view_counts() -> int:
    """Every view count from the database into the cache, and a new popularity
    stamp: how the consumer catches the cache up after writes Redis missed."""
    from .models import AircraftViewTotal

    totals = list(AircraftViewTotal.objects.values_list("aircraft_id", "views"))
    for start in range(0, len(totals), 1000):
        cache.set_many({view_count_key(pk): total for pk, total in totals[start : start + 1000]}, None)
    cache.set(POPULARITY_STAMP, uuid.uuid4().hex[:12], None)
    return len(totals)


@receiver(cache_recovered)
def restamp_after_cache_outage(sender, **kwargs) -> None:
    """This process dropped cache writes while Redis was away, maybe a new
    catalogue stamp after an admin save: start new stamps so no page cached
    before the outage is served as current."""
    catalogue_stamp_refresh()
    cache.set(POPULARITY_STAMP, uuid.uuid4().hex[:12], None)


def view_count_key(aircraft_id: int) -> str:
    return f"catalogue:views:{aircraft_id}"


def live_view_count(request: HttpRequest, aircraft_id: int, views: int) -> None:
    """This page shows one aircraft's view count, which a cache hit refreshes
    in place, so the page need not go stale with every consumer batch."""
    request.live_views = aircraft_id
    request.live_views_count = views


def _with_count(entry: dict, count) -> tuple[bytes, str]:
    """The cached body and ETag with the view count brought up to date."""
    content, etag = entry["content"], entry["headers_etag"]
    if count is None or count == entry["views"]:
        return content, etag
    if entry["kind"] == "json":
        data = json.loads(content)
        data["views"] = count
        body = json.dumps(data).encode()
    else:
        fragment = render_to_string("includes/view_count.html", {"views": count}).strip().encode()
        head, rest = content.split(LIVE_START, 1)
        body = head + LIVE_START + fragment + LIVE_END + rest.split(LIVE_END, 1)[1]
    return body, etag[:-1] + f'-{count}"'


def _ref(plane: Aircraft) -> dict:
    return {"id": plane.pk, "slug": plane.slug, "designation": plane.designation, "maker": plane.manufacturer.slug}


def _plane(ref: dict) -> Aircraft:
    return Aircraft(
        pk=ref["id"], slug=ref["slug"], designation=ref["designation"], manufacturer=Manufacturer(slug=ref["maker"])
    )


def emit(request: HttpRequest, name: str, **payload) -> None:
    """Send a catalogue signal now, and remember it for replay on cache hits.

    A HEAD request (an uptime monitor, a link checker) reads nobody's page: it
    is no view and no search, so it sends nothing."""
    if request.method == "HEAD":
        return
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


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie"])
    # Revalidate every time: an ETag match is cheap, and staff edits show at once.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def private_page(request: HttpRequest) -> None:
    """This response holds something for the signed-in person only (a staff link):
    it is neither stored in the page cache nor marked cacheable by others."""
    request.page_private = True


def cached_page(view=None, *, shows_popularity: bool = False):
    """Mark a view's 200 responses as cacheable by PageCacheMiddleware.

    shows_popularity: the page shows view counts, so it also goes stale when
    the consumer applies new ones (a view can decide per request by setting
    request.shows_popularity).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.shows_popularity = shows_popularity
            response = view(request, *args, **kwargs)
            if getattr(request, "page_private", False):  # made for one signed-in person: never shared
                patch_vary_headers(response, ["Cookie"])
                patch_cache_control(response, private=True, no_cache=True)
            elif response.status_code == 200 and not response.streaming:
                etag = '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"'
                _finish(response, etag)
                request._page_cacheable = True
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


class PageCacheMiddleware:
    """Answers repeat visits before the rest of the stack runs.

    Placed near the top of MIDDLEWARE, so a hit skips URL resolution, the view
    and the inner middleware; what it stores is the finished response, headers
    and all. A hit still goes through the rate limit and replays the view's
    signals. Visitors with a session (staff) always get a fresh page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped_prefixes = tuple(
            "/" + prefix.lstrip("/")
            for prefix in (settings.STATIC_URL, settings.MEDIA_URL, settings.ADMIN_URL, "metrics")
        )

    def _key(self, request: HttpRequest) -> str | None:
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        if request.path.startswith(self.skipped_prefixes):  # never cached: no round trip to Redis
            return None
        try:
            # Scheme and host too: API responses carry absolute links.
            address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        except DisallowedHost:
            return None  # the normal stack answers with its 400
        # CORS headers depend on the Origin, so each origin gets its own copy.
        address += "|" + request.headers.get("Origin", "")
        digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
        return f"page:{preferred_units(request)}:{digest}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return without_body(request, self.get_response(request))
        found = cache.get_many([CATALOGUE_STAMP, POPULARITY_STAMP, key])  # one round trip
        stamps = (found.get(CATALOGUE_STAMP), found.get(POPULARITY_STAMP, "-"))
        entry = found.get(key)
        if entry is not None and stamps[0] is not None and self._fresh(entry, stamps):
            # A page with a live count costs one more, small, round trip.
            count = cache.get(view_count_key(entry["live"])) if entry["live"] else None
            return without_body(request, self._serve(request, entry, count))
        response = self.get_response(request)
        # A HEAD answer is never stored: its view sent no signals for hits to replay.
        if request.method == "GET" and getattr(request, "_page_cacheable", False) and not response.cookies:
            if stamps[0] is None:
                stamps = (catalogue_stamp(), stamps[1])
            live = getattr(request, "live_views", None)
            if not request.shows_popularity or live:
                stamps = (stamps[0], None)  # new view counts elsewhere do not change this page
            entry = {
                "live": live,
                "kind": "json" if response.get("Content-Type", "").startswith("application/json") else "html",
                "views": getattr(request, "live_views_count", None),
                "headers_etag": response.get("ETag", ""),
                "stamps": stamps,
                "status": response.status_code,
                "content": response.content,
                "headers": [(k, v) for k, v in response.items() if k.lower() not in PER_REQUEST_HEADERS],
                "signals": getattr(request, "_catalogue_signals", []),
                "endpoint": request.resolver_match.view_name if request.resolver_match else "",
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return without_body(request, response)

    @staticmethod
    def _fresh(entry: dict, stamps: tuple) -> bool:
        catalogue, popularity = entry["stamps"]
        return catalogue == stamps[0] and (popularity is None or popularity == stamps[1])

    def _serve(self, request: HttpRequest, entry: dict, count: int | None = None) -> HttpResponse:
        request.id = request_id_for(request)
        request._metrics_endpoint = entry["endpoint"]
        token = context.request_id.set(request.id)
        try:
            refused = limit_response(request)
            if refused is not None:
                refused["X-Request-ID"] = request.id
                return refused
            if request.method == "GET":  # HEAD is no view (see emit)
                _replay(request, entry["signals"])
        finally:
            context.request_id.reset(token)
        content, etag = _with_count(entry, count)
        headers = dict(entry["headers"], ETag=etag)
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponseNotModified()
            for name in ("ETag", "Cache-Control", "Vary"):
                response[name] = headers[name]
        else:
            response = HttpResponse(content, status=entry["status"])
            for name, value in headers.items():
                response[name] = value
            if "Content-Length" in response:
                response["Content-Length"] = str(len(content))
        response["X-Request-ID"] = request.id
        return response


def without_body(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """HEAD gets GET's headers, Content-Length included, and no body, whichever
    server runs the site (gunicorn and Django's own strip it; others may not)."""
    if request.method == "HEAD" and not response.streaming and response.content:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


# Written fresh for every response, never replayed from the cache.
PER_REQUEST_HEADERS = {"x-request-id", "set-cookie", "date"}
