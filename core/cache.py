"""Redis as a cache, not a dependency: django-redis behind a circuit breaker.

Every call has short socket timeouts (CACHE_SOCKET_TIMEOUT, 0.1 s by default:
Redis answers in well under a millisecond, so only a hung or unreachable Redis
ever reaches it). The first failure opens the breaker for CACHE_BREAKER_SECONDS
(5 s): while it is open no call goes to Redis at all, reads are misses and
writes are dropped, so a page is rendered uncached at full speed instead of
waiting on a socket. After that the next call tries Redis again.

The breaker is per process (all threads of a gunicorn worker, the consumer...).
One log line when it opens and one when Redis answers again. A process that
dropped writes while Redis was away sends `cache_recovered` once it is back:
the page cache then starts a new catalogue stamp (an admin save may have been
lost) and the consumer rewrites the view counts it could not store.
"""

import logging
import threading
import time

from django.dispatch import Signal
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted as RedisInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FAILURES = (RedisError, RedisInterrupted, OSError)

cache_recovered = Signal()


class Breaker:
    def __init__(self, location: str, open_seconds: float) -> None:
        self.location = location
        self.open_seconds = open_seconds
        self.open_until = 0.0
        self.failing = False
        self.dropped_writes = False
        self.last_error = ""
        self._lock = threading.Lock()

    def allow(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self, exc: BaseException) -> None:
        with self._lock:
            self.open_until = time.monotonic() + self.open_seconds
            self.last_error = type(exc).__name__
            first = not self.failing
            self.failing = True
        if first:
            logger.warning(
                "cache: Redis unavailable (%s); serving without the cache, retrying every %.0f s",
                self.last_error,
                self.open_seconds,
            )

    def succeeded(self) -> None:
        if not self.failing:
            return
        with self._lock:
            recovered, self.failing = self.failing, False
            dropped, self.dropped_writes = self.dropped_writes, False
        if recovered:
            logger.warning("cache: Redis answering again")
            if dropped:
                cache_recovered.send(sender=Breaker)

    def state(self) -> dict:
        if not self.failing:
            return {"status": "ok"}
        return {
            "status": "degraded",
            "error": f"circuit open after {self.last_error}; pages served uncached",
            "retry_in_s": round(max(0.0, self.open_until - time.monotonic()), 1),
        }


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, open_seconds: float) -> Breaker:
    # Django makes one cache object per thread; the breaker is shared by them all.
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = Breaker(location, open_seconds)
        return _breakers[location]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self.breaker = breaker_for(str(server), float(params.get("BREAKER_SECONDS", 5.0)))

    def _guard(self, call, fallback, *, write: bool):
        breaker = self.breaker
        if not breaker.allow():
            if write:
                breaker.dropped_writes = True
            return fallback()
        try:
            result = call()
        except FAILURES as exc:
            if write:
                breaker.dropped_writes = True
            breaker.trip(exc)
            return fallback()
        breaker.succeeded()
        return result

    def set_counts(self, counts: dict[str, int]) -> None:
        """set_many(counts, None) in one MSET. django-redis's set_many makes, encodes
        and sends each key on its own, in a pipeline: several times the CPU a key,
        and the analytics consumer writes a view count for every aircraft a batch saw."""
        if any(type(value) is not int for value in counts.values()):  # not stored as plain digits
            self.set_many(counts, None)
            return
        if not counts:
            return
        client = self.client
        made = {client.make_key(key): value for key, value in counts.items()}
        self._guard(lambda: client.get_client(write=True).mset(made), lambda: None, write=True)

    # Reads: a miss while Redis is away.
    def get(self, key, default=None, version=None, client=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).get(key, default, version, client), lambda: default, write=False
        )


def _unavailable():
    raise ValueError("cache unavailable")


def _guarded(name: str, fallback, *, write: bool):
    def method(self, *args, **kwargs):
        parent = getattr(super(ResilientRedisCache, self), name)
        return self._guard(lambda: parent(*args, **kwargs), fallback, write=write)

    method.__name__ = name
    return method


for _name, _fallback in (("get_many", dict), ("has_key", lambda: False), ("ttl", lambda: None)):
    setattr(ResilientRedisCache, _name, _guarded(_name, _fallback, write=False))
# Writes are dropped while Redis is away (and remembered: see cache_recovered).
# Counters answer "no such key" (ValueError), as Django's API does for a missing
# counter: django-ratelimit then applies the limit's stated outage rule.
for _name, _fallback in (
    ("set", lambda: False),
    ("add", lambda: False),
    ("set_many", list),
    ("delete", lambda: False),
    ("delete_many", lambda: 0),
    ("touch", lambda: False),
    ("clear", lambda: None),
    ("expire", lambda: False),
    ("incr", _unavailable),
    ("decr", _unavailable),
):
    setattr(ResilientRedisCache, _name, _guarded(_name, _fallback, write=True))


def set_counts(counts: dict[str, int]) -> None:
    """Whole numbers, kept until replaced, in the default cache: one MSET on Redis."""
    from django.core.cache import caches

    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        backend.set_counts(counts)
    else:
        backend.set_many(counts, None)


def cache_state() -> dict:
    """The breaker's view of the default cache, for readiness."""
    from django.core.cache import cache

    breaker = getattr(cache, "breaker", None)
    return breaker.state() if breaker is not None else {"status": "ok"}


def cache_may_be_tried() -> bool:
    """The breaker is closed, or its open period is over: the next call goes to Redis."""
    from django.core.cache import cache

    breaker = getattr(cache, "breaker", None)
    return breaker is None or breaker.allow()


def cache_available() -> bool:
    from django.core.cache import cache

    breaker = getattr(cache, "breaker", None)
    return breaker is None or not breaker.failing
