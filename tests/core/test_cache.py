"""Redis as a cache, not a dependency: the breaker against a Redis that is not there.

Not a mock: the cache points at a real closed port on 127.0.0.1.
"""

import socket

import pytest
from django.core.cache import caches

from core.cache import ResilientRedisCache, breaker_for


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_cache():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    cache = ResilientRedisCache(
        location,
        {"BREAKER_SECONDS": 30, "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1}},
    )
    yield cache
    breaker_for(location, 30).open_until = 0.0


def test_reads_miss_and_writes_drop_without_raising(dead_cache):
    assert dead_cache.get("k", "default") == "default"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set("k", 1) is False
    assert dead_cache.add("k", 1) is False
    with pytest.raises(ValueError):
        dead_cache.incr("counter")  # "no such counter": what Django's API says for a missing key


def test_the_breaker_opens_after_a_failure_and_reports_degraded(dead_cache):
    dead_cache.get("k")
    state = dead_cache.breaker.state()
    assert state["status"] == "degraded" and "circuit open" in state["error"]
    assert not dead_cache.breaker.allow()  # no call goes to Redis until it half-opens
    assert dead_cache.breaker.dropped_writes is False
    dead_cache.set("k", 1)
    assert dead_cache.breaker.dropped_writes is True


def test_the_real_cache_is_healthy(db):
    cache = caches["default"]
    cache.set("k", 1)
    assert cache.get("k") == 1 and cache.breaker.state() == {"status": "ok"}


def test_pages_render_uncached_with_redis_away(client, db):
    from django.core.cache import cache as default_cache

    from tests.factories import AircraftFactory

    plane = AircraftFactory()
    breaker = default_cache.breaker
    breaker.open_until = float("inf")  # as after a failure: Redis is not asked
    breaker.failing = True
    try:
        assert client.get(plane.get_absolute_url()).status_code == 200
        assert client.get("/api/aircraft/").status_code == 200
        response = client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["degraded"] == ["cache"]
    finally:
        breaker.open_until = 0.0
        breaker.failing = False
        breaker.dropped_writes = False


def test_counts_are_kept_as_plain_numbers_that_cache_reads_give_back(db):
    from core.cache import set_counts

    cache = caches["default"]
    cache.set("count:a", 1, timeout=60)  # an expiry the new count must not keep
    set_counts({"count:a": 41, "count:b": 2**40})
    assert cache.get_many(["count:a", "count:b"]) == {"count:a": 41, "count:b": 2**40}
    assert cache.ttl("count:a") is None and cache.ttl("count:b") is None  # kept until replaced
    raw = cache.client.get_client().get(cache.make_key("count:a"))
    assert raw == b"41"  # what the page cache's script reads and splices in
    set_counts({})  # nothing to write is not an error


def test_a_count_that_is_no_plain_number_is_stored_as_set_many_would(db):
    from core.cache import set_counts

    cache = caches["default"]
    set_counts({"count:flag": True, "count:n": 3})
    assert cache.get("count:flag") is True and cache.get("count:n") == 3


def test_counts_are_dropped_and_remembered_with_redis_away(dead_cache):
    dead_cache.set_counts({"count:a": 1})  # no exception: a page or a batch goes on
    assert dead_cache.breaker.dropped_writes is True  # so the consumer rewrites them once Redis is back
