"""The page cache: whole answers in the shared Redis, never stale, in one round trip.

Views say what their page depends on (core.pages: stamp names, signals to send
again, one live number); this module knows nothing of what the pages are about.

A GET or HEAD without a session costs one Redis round trip: one server-side
script (LOOKUP below) that counts the request against the client's rate limit
(django-ratelimit's own counter, so the limit is one limit whatever answers the
request), reads the stored page, checks that each of its stamps still has the
value the page was made under, and reads the page's live number. A hit then
sends the page's signals again (a cached page view is still a view), splices
the live number in and answers. Each stored page has a version, and a worker
keeps the pages it has read (HeldPages, within PAGE_CACHE_LOCAL_MB): when it
already holds the version Redis has, the script answers without the page, so
a busy page's body crosses the socket once per worker and version, not at
every hit. The stamps, the count and the live number are still read in Redis
every time, so a held page is never served stale. A miss goes down the stack with the request
already counted, and the answer is stored if the view declared it cacheable.

Two doors share that work (PageCache): under gunicorn, PageCacheFront wraps
Django's WSGI handler and answers a hit before Django builds its request
cycle (request signals, middleware, HttpResponse), which is most of what a
hit would otherwise cost; PageCacheMiddleware, near the top of MIDDLEWARE,
stores what views make, answers the refusals and misses the front hands it,
and serves hits itself where no front runs (Django's test client, runserver).

The script reads keys named inside the page (its stamps, its live number), so
all of them must live on one Redis server: a cluster would need hash tags.
Without Redis (a cache backend other than django-redis) nothing is cached.
"""

import hashlib
import json
import logging
import pickle
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django_ratelimit.core import EXPIRATION_FUDGE
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from core import context, ids, pages, process, stamps
from core.cache import cache_recovered

from . import metrics, ratelimits
from .middleware import request_id_for

logger = logging.getLogger(__name__)

LOOKUP = Script(
    None,
    b"""
-- KEYS[1]: the page (a hash); KEYS[2]: the client's rate-limit counter, or '' for none;
-- KEYS[3...]: every stamp this process knows, read only when the page is not served.
-- ARGV[1]: the counter's lifetime in seconds (django-ratelimit's: period + 5);
-- ARGV[2]: the version of this page the client holds, or ''.
local counted = false
if KEYS[2] ~= '' then
  counted = redis.call('INCR', KEYS[2])
  if counted == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
end
local page = redis.call('HMGET', KEYS[1], 'stamps', 'live', 'version')
local fresh = page[3] ~= false
if fresh then
  for stamp, value in string.gmatch(page[1], '(%S+) (%S+)') do
    if redis.call('GET', stamp) ~= value then
      fresh = false
      break
    end
  end
end
if fresh then
  local live = false
  if page[2] then live = redis.call('GET', page[2]) end
  if page[3] == ARGV[2] then return {counted, page[3], live} end
  local stored = redis.call('HMGET', KEYS[1], 'meta', 'body')
  return {counted, page[3], live, stored[1], stored[2]}
end
local reply = {counted, false}
for i = 3, #KEYS do reply[#reply + 1] = redis.call('GET', KEYS[i]) end
return reply
""",
)

# What a stored page's metadata looks like; a new release that changes it stores
# under new keys instead of misreading the old ones (they expire by themselves).
STORED_FORMAT = 3
# Written fresh for every response, never stored.
PER_REQUEST_HEADERS = {"x-request-id", "set-cookie", "date"}
_SENTINEL = "\x00live\x00"


@dataclass
class Lookup:
    key: str
    counter: ratelimits.Counter | None
    known: tuple[str, ...]
    # The script's reply: [counted, version, live] for a fresh page this process
    # holds (`held`), [counted, version, live, meta, body] for a fresh page it
    # does not, [counted, None, each known stamp] for none; None while Redis is away.
    found: list | None
    held: "Held | None" = None

    @property
    def fresh(self) -> bool:
        return self.found is not None and self.found[1] is not None

    @property
    def counted(self) -> int | None:
        return None if self.found is None or self.counter is None else self.found[0]

    @property
    def refused(self) -> bool:
        counted = self.counted
        return counted is not None and counted > self.counter.limit


@dataclass
class Answer:
    """A stored page as this request gets it: a 200 (or 304) with its headers,
    as HttpResponse keeps them (lower-case name: (name, value))."""

    status: int
    headers: dict[str, tuple[str, str]]
    body: bytes
    endpoint: str


class PageCache:
    """What the front and the middleware share: the key, the lookup, the hit, the store."""

    def __init__(self):
        self.skipped_prefixes = tuple(
            "/" + prefix.lstrip("/")
            for prefix in (settings.STATIC_URL, settings.MEDIA_URL, settings.ADMIN_URL, "metrics", "health")
        )
        self.vary_cookies = tuple(settings.PAGE_CACHE_VARY_COOKIES)
        self.seconds = settings.PAGE_CACHE_SECONDS

    def key(self, request: HttpRequest) -> str | None:
        if request.method not in ("GET", "HEAD") or request.path.startswith(self.skipped_prefixes):
            return None  # never cached: no round trip to Redis
        cookies = request.COOKIES if "HTTP_COOKIE" in request.META else {}
        if settings.SESSION_COOKIE_NAME in cookies:
            return None
        try:
            # Scheme and host too: API responses carry absolute links.
            address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        except DisallowedHost:
            return None  # the normal stack answers with its 400
        # CORS headers depend on the Origin, so each origin gets its own copy;
        # each preference a page reads from a cookie (the units) too.
        address += "|" + request.META.get("HTTP_ORIGIN", "")
        address += "|" + "|".join(cookies.get(name, "") for name in self.vary_cookies)
        return f"page:{STORED_FORMAT}:" + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()

    def lookup(self, request: HttpRequest) -> Lookup | None:
        """Count the request and look its page up, in one round trip; None for
        a request the cache never answers (nothing is counted then)."""
        key = self.key(request)
        if key is None:
            return None
        counter = ratelimits.hit_counter(request)
        known = stamps.known_sorted()
        held = held_pages.get(key)
        return Lookup(key, counter, known, _lookup(key, counter, known, held), held)

    def hit(self, request: HttpRequest, lookup: Lookup) -> Answer | None:
        """The stored page for this request, its signals sent again; None for a
        miss or a refusal."""
        if not lookup.fresh or lookup.refused:
            return None
        found = lookup.found
        version, live = found[1], found[2]
        if len(found) == 3:  # the version this process holds
            meta, body = lookup.held.meta, lookup.held.body
        else:
            meta, body = pickle.loads(found[3]), found[4]  # noqa: S301 - written by PageCache.store
            held_pages.keep(lookup.key, Held(version, meta, body))
        request.id = request_id_for(request)
        if meta["signals"] and request.method == "GET":  # HEAD is no view (core.pages.send)
            token = context.request_id.set(request.id)
            try:
                pages.replay(request, meta["signals"])
            finally:
                context.request_id.reset(token)
        etag = meta["etag"]
        if meta["live"] is not None:
            start, end, made_with, json_field, html = meta["live"]
            value = int(live) if live is not None else made_with
            if value != made_with:
                fragment = str(value).encode() if json_field else html(value).encode()
                whole = memoryview(body)  # one copy of the page, not one per slice
                body = b"".join((whole[:start], fragment, whole[end:]))
                etag = f'{etag[:-1]}-{value}"'
        stored = meta["headers"]
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            status, body = 304, b""
            headers = {name: stored[name] for name in ("cache-control", "vary") if name in stored}
        else:
            status, headers = meta["status"], dict(stored)
            if "content-length" in headers:
                headers["content-length"] = ("Content-Length", str(len(body)))
        headers["etag"] = ("ETag", etag)
        headers["x-request-id"] = ("X-Request-ID", request.id)
        return Answer(status, headers, body, meta["endpoint"])

    def store(self, lookup: Lookup, request: HttpRequest, response: HttpResponse) -> None:
        """Keep a view's answer, if it said it may be kept, under the stamps as
        they were before it was made (read by the lookup), so that a change made
        meanwhile leaves what is stored stale."""
        page = getattr(response, "page", None)
        # A HEAD answer is never stored: its view sent no signals for hits to send again.
        if page is None or lookup.found is None or lookup.fresh or request.method != "GET" or response.cookies:
            return
        before = {
            name: int(value) for name, value in zip(lookup.known, lookup.found[2:], strict=True) if value is not None
        }
        if len(before) < len(lookup.known):  # a stamp nobody has started yet
            before = stamps.current(lookup.known)
        if any(name not in before for name in page.stamps):
            return  # a stamp first heard of while this page was made: store the next one
        content = response.content
        meta = {
            "status": response.status_code,
            "etag": response.get("ETag", ""),
            # As HttpResponse keeps them, checked once here rather than header by header at every hit.
            "headers": {k: pair for k, pair in response.headers._store.items() if k not in PER_REQUEST_HEADERS},
            "endpoint": request.resolver_match.view_name if request.resolver_match else "",
            "signals": page.signals,
            "live": None,
        }
        fields = {
            "stamps": " ".join(f"{cache.make_key(stamps.key(name))} {before[name]}" for name in page.stamps),
            "body": content,
            "version": ids.random_hex(),
        }
        if page.live is not None:
            spliced = _live_span(page.live, content)
            if spliced is None:
                return
            fields["body"], start, end = spliced
            live = page.live
            meta["live"] = (start, end, live.value, live.json_field, live.html)
            fields["live"] = cache.make_key(live.key)
        fields["meta"] = pickle.dumps(meta, pickle.HIGHEST_PROTOCOL)
        full_key = cache.make_key(lookup.key)

        def write():
            pipe = cache.client.get_client(write=True).pipeline(transaction=True)
            pipe.delete(full_key)
            pipe.hset(full_key, mapping=fields)
            pipe.expire(full_key, self.seconds)
            pipe.execute()

        _guarded(write, write=True)


# The front's lookup, handed down to the middleware in the WSGI environ.
HANDED_DOWN = "hangarstack.pagecache.lookup"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pages = PageCache()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if HANDED_DOWN in request.META:  # the front looked it up: a miss or a refusal
            lookup = request.META.pop(HANDED_DOWN)
        else:
            lookup = self.pages.lookup(request)
            if lookup is not None and (answer := self.pages.hit(request, lookup)) is not None:
                request._metrics_endpoint = answer.endpoint
                return without_body(request, _response(answer))
        if lookup is None:
            return without_body(request, self.get_response(request))
        if lookup.counted is not None:
            request._rate_limit_checked = True  # RateLimitMiddleware counts it no more
            if lookup.refused:
                return without_body(request, self._refused(request, lookup.counter))
        response = self.get_response(request)
        self.pages.store(lookup, request, response)
        return without_body(request, response)

    def _refused(self, request: HttpRequest, counter) -> HttpResponse:
        request.id = request_id_for(request)
        refused = ratelimits.rate_limited(request, counter.window - int(time.time()))
        refused["X-Request-ID"] = request.id
        return refused


def _response(answer: Answer) -> HttpResponse:
    response = HttpResponseNotModified() if answer.status == 304 else HttpResponse(answer.body, status=answer.status)
    response.headers._store.update(answer.headers)
    return response


class PageCacheFront:
    """The WSGI application under gunicorn: Django's handler behind a door that
    answers fresh stored pages itself.

    A hit needs none of Django's request cycle: no request_started/finished
    (they close stale database connections; a hit opens none), no middleware
    (a stored page keeps the headers they set), no HttpResponse. Everything
    else, a miss, a refusal, a request the cache never answers, a failure in
    here, goes to Django as before, with the lookup handed down so the request
    is counted once."""

    def __init__(self, django_application):
        self.django = django_application
        self.pages = PageCache()

    def __call__(self, environ: dict, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not environ.get("PATH_INFO", "").startswith(
            self.pages.skipped_prefixes
        ):
            started = time.perf_counter()
            try:
                answer = self._hit(environ)
            except Exception:  # the stack answers instead, and logs what it sees
                logger.exception("page cache front failed; handing the request to Django")
                environ.pop(HANDED_DOWN, None)
                answer = None
            if answer is not None:
                metrics.observe(environ["REQUEST_METHOD"], answer.endpoint, answer.status, started)
                start_response(STATUS_LINES.get(answer.status) or str(answer.status), list(answer.headers.values()))
                return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]
        return self.django(environ, start_response)

    def _hit(self, environ: dict) -> Answer | None:
        request = WSGIRequest(environ)
        lookup = self.pages.lookup(request)
        if lookup is None:
            return None
        answer = self.pages.hit(request, lookup)
        if answer is None:
            environ[HANDED_DOWN] = lookup
        elif environ["REQUEST_METHOD"] == "HEAD" and answer.status == 200:
            answer.headers["content-length"] = ("Content-Length", str(len(answer.body)))
        return answer


STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


@dataclass(frozen=True, slots=True)
class Held:
    """One version of a stored page, as this process read it. Read only."""

    version: bytes
    meta: dict
    body: bytes


class HeldPages:
    """The stored pages this process has read, by page key, within a budget of
    body bytes (PAGE_CACHE_LOCAL_MB); the oldest kept goes first.

    Only ever a copy of what Redis holds: the lookup names the version held and
    Redis answers with the page whenever its own differs, so what is held can be
    old but is never served as current."""

    def __init__(self):
        self._pages: dict[str, Held] = {}
        self._size = 0
        self._lock = threading.Lock()  # runserver's threads; gunicorn's sync workers have one

    def get(self, key: str) -> Held | None:
        return self._pages.get(key)

    def keep(self, key: str, held: Held) -> None:
        budget = settings.PAGE_CACHE_LOCAL_MB * 1024 * 1024
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self._size -= len(old.body)
            if len(held.body) > budget:
                return
            while self._size + len(held.body) > budget:
                self._size -= len(self._pages.pop(next(iter(self._pages))).body)
            self._pages[key] = held
            self._size += len(held.body)


held_pages = HeldPages()


def _live_span(live: pages.Live, content: bytes) -> tuple[bytes, int, int] | None:
    """The body, and where in it the live number's text is (to be replaced at a hit)."""
    if live.json_field:
        data = json.loads(content)
        if not isinstance(data, dict) or live.json_field not in data:
            return None
        data[live.json_field] = _SENTINEL
        # As JsonResponse writes it, so the rest of the body is byte for byte the same.
        marked = json.dumps(data, cls=DjangoJSONEncoder).encode()
        mark = json.dumps(_SENTINEL).encode()
        start = marked.find(mark)
        value = json.dumps(live.value).encode()
        return marked[:start] + value + marked[start + len(mark) :], start, start + len(value)
    opening, closing = pages.live_markers(live.name)
    start = content.find(opening)
    end = content.find(closing, start + 1)
    if start < 0 or end < 0:
        return None
    return content, start + len(opening), end


def _guarded(call, *, write: bool):
    """Through the cache's circuit breaker (core.cache); None while Redis is away."""
    guard = getattr(cache, "_guard", None)
    if guard is None:
        return None  # not our Redis cache: no page cache
    return guard(call, lambda: None, write=write)


class _Link(threading.local):
    """This thread's own connection to the cache's Redis, for the lookup alone.

    A hit is the whole request, so it talks to Redis directly: no pool to
    check out from and no retry layers, just the command and its answer. A
    failure drops the connection (the next lookup opens a new one) and trips
    the cache's circuit breaker like any other cache call."""

    connection = None
    pid = 0

    def get(self):
        if self.connection is None or self.pid != process.pid():  # a new thread, or a forked worker
            pool = cache.client.get_client(write=True).connection_pool
            self.connection, self.pid = pool.connection_class(**pool.connection_kwargs), process.pid()
        return self.connection

    def run(self, *command):
        connection = self.get()
        try:
            try:
                connection.send_command(*command)
                return connection.read_response()
            except NoScriptError:  # Redis restarted: teach it the script again
                connection.send_command("SCRIPT", "LOAD", LOOKUP.script)
                connection.read_response()
                connection.send_command(*command)
                return connection.read_response()
        except BaseException:
            connection.disconnect()
            raise


_link = _Link()


def _lookup(key: str, counter, known: tuple[str, ...], held: Held | None) -> list | None:
    """One round trip: [requests counted (or None), version, live number] for a
    fresh page whose version is `held`, the same and its meta and body for another
    fresh page; [counted, None, each known stamp's value] when there is none; None
    when Redis is away."""
    make_key = cache.make_key
    limit, lifetime = ("", 0) if counter is None else (make_key(counter.key), counter.period + EXPIRATION_FUDGE)
    stamp_keys = _stamp_keys.get(known)
    if stamp_keys is None:
        stamp_keys = _stamp_keys[known] = tuple(make_key(stamps.key(name)) for name in known)
    return _guarded(
        lambda: _link.run(
            "EVALSHA",
            LOOKUP.sha,
            2 + len(stamp_keys),
            make_key(key),
            limit,
            *stamp_keys,
            lifetime,
            b"" if held is None else held.version,
        ),
        write=False,
    )


# The known stamps' cache keys, made once per set of stamps rather than at every lookup.
_stamp_keys: dict[tuple[str, ...], tuple[str, ...]] = {}


def without_body(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """HEAD gets GET's headers, Content-Length included, and no body, whichever
    server runs the site (gunicorn and Django's own strip it; others may not)."""
    if request.method == "HEAD" and not response.streaming and response.content:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


@receiver(cache_recovered)
def restamp_after_cache_outage(sender, **kwargs) -> None:
    """This process dropped cache writes while Redis was away, maybe a stamp
    bumped by an admin save: every stamp starts anew, so no page stored before
    the outage is served as current."""
    stamps.bump_all()
