"""Each fault of issue 14, staged against real servers and gunicorn under a steady load.

What every test asserts: no 5xx where the site promised none (cached pages
during a Redis or PostgreSQL outage; every page during a broker fault), the
designed 503 (page, or JSON with Retry-After under /api/) where the database is
needed, every process still running, and after the fault, with no manual step,
the exact view count within RECOVERY_SECONDS.
"""

import json
import os
import signal
import time

import pytest

from .harness import CONSUMER_RESUME_SECONDS, RECOVERY_SECONDS, Load, wait_until


def counted(slug: str) -> list[tuple[str, str]]:
    """A page view and a view beacon: each 2xx answer is exactly one view event."""
    return [("GET", f"/aircraft/{slug}/"), ("POST", f"/api/aircraft/{slug}/view")]


def expected_views(load: Load, slug: str) -> int:
    return load.ok(f"/aircraft/{slug}/", "GET") + load.ok(f"/api/aircraft/{slug}/view", "POST")


def settle(site, slug: str, expected: int, started: float | None = None) -> float:
    """Wait for the exact count, an empty outbox and an empty spool; never more than expected."""
    started = started or time.monotonic()

    def done():
        views = site.db.views(slug)
        assert views <= expected, f"{slug} counted {views} views, {expected} sent: something counted twice"
        return views == expected and site.db.outbox() == 0 and site.spooled_lines() == 0

    try:
        wait_until(done, RECOVERY_SECONDS, what=f"{expected} views of {slug} counted, outbox and spool empty")
    except AssertionError as exc:
        state = f"views {site.db.views(slug)}, outbox {site.db.outbox()}, spool {site.spooled_lines()}"
        raise AssertionError(f"{exc}; {state}") from None
    elapsed = time.monotonic() - started
    print(f"{expected} views of {slug} counted, outbox and spool empty {elapsed:.1f}s after the fault ended")
    return elapsed


def assert_processes_alive(site) -> None:
    for name in ("gunicorn", "relay", "consumer"):
        assert site.alive(name), f"{name} exited:\n{site.log(name)[-3000:]}"


def assert_no_5xx(load: Load, prefix: str = "") -> None:
    statuses = load.statuses(prefix)
    assert not [s for s in statuses if s >= 500 or s == 0], statuses


def assert_designed_503(result) -> None:
    assert result.status == 503
    assert int(result.headers["Retry-After"]) > 0
    if result.path.startswith("/api/"):
        assert json.loads(result.body)["error"]["status"] == 503
    else:
        assert b"Briefly unavailable" in result.body


def hang(proc, seconds: float) -> None:
    """The server stops answering (SIGSTOP: connections stay open, nothing moves), then goes on."""
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(proc.pid, signal.SIGCONT)


def warm(site, *paths: str) -> None:
    for path in paths:
        assert site.get(path).status == 200


def test_broker_hung_then_back_heals_every_producer(site, servers, plane):
    """Broker SIGSTOPped for 60 s, as in the issue: long enough for librdkafka's
    requests to time out, after which the resumed broker fenced the old producer
    ids for ever (a 12 s hang did not show it). Every producer is replaced, and
    everything arrives."""
    with Load(site.port, counted(plane), rate=16) as load:
        time.sleep(2)
        hang(servers.process("kafka"), 60)
        back = time.monotonic()
        time.sleep(4)
    assert_no_5xx(load)
    settle(site, plane, expected_views(load, plane), started=back)
    assert_processes_alive(site)


def test_broker_restarted_on_the_same_port(site, servers, plane):
    """A restarted broker knows none of the producer ids the web workers and the
    relay hold (UNKNOWN_PRODUCER_ID, PRODUCER_FENCED) nor the consumer's member id.

    The embedded broker keeps everything in memory, so a restart also loses
    what it had acknowledged and its topics (a real Kafka keeps both on disk):
    the first load is counted before the restart, and the topics are created
    again right after it, standing in for the storage the embedded broker lacks."""
    with Load(site.port, counted(plane), rate=16) as before:
        time.sleep(3)
    settle(site, plane, expected_views(before, plane))
    servers.halt("kafka")
    servers.resume("kafka")
    site.manage("create_topics")
    back = time.monotonic()
    with Load(site.port, counted(plane), rate=16) as after:
        time.sleep(6)
    assert_no_5xx(before)
    assert_no_5xx(after)
    settle(site, plane, expected_views(before, plane) + expected_views(after, plane), started=back)
    assert_processes_alive(site)


def test_redis_stopped_pages_uncached_then_cache_caught_up(site, servers, plane):
    warm(site, f"/api/aircraft/{plane}/")
    with Load(site.port, [*counted(plane), ("GET", "/aircraft/"), ("GET", f"/api/aircraft/{plane}/")]) as load:
        time.sleep(2)
        servers.halt("redis")
        try:
            time.sleep(3)
            ready = site.readiness()
            time.sleep(5)
        finally:
            servers.resume("redis")
        back = time.monotonic()
        time.sleep(3)
    assert_no_5xx(load)
    assert ready["status_code"] == 200
    assert ready["degraded"] == ["cache"] and ready["down"] == [], ready
    expected = expected_views(load, plane)
    settle(site, plane, expected, started=back)
    assert_processes_alive(site)
    # The consumer rewrote what Redis missed: the cached API page shows the count.
    wait_until(
        lambda: json.loads(site.get(f"/api/aircraft/{plane}/").body)["views"] == expected,
        RECOVERY_SECONDS,
        what="the cached view count caught up",
    )


def test_redis_hung_costs_requests_no_more_than_the_socket_timeout(site, servers, plane):
    with Load(site.port, [*counted(plane), ("GET", "/aircraft/")]) as load:
        time.sleep(2)
        hang(servers.process("redis"), 8)
        back = time.monotonic()
        time.sleep(3)
    assert_no_5xx(load)
    # Not a benchmark: a bound on the design (0.1 s socket timeout, then the
    # breaker skips Redis); before it, requests waited 9-15 s on 1 s timeouts.
    slowest = max(r.seconds for _t, r in load.results)
    assert slowest < 3.0, f"a request took {slowest:.1f}s while Redis was hung"
    settle(site, plane, expected_views(load, plane), started=back)
    assert_processes_alive(site)


def test_postgres_stopped_cached_pages_served_the_rest_designed_503(site, servers, plane):
    detail = f"/aircraft/{plane}/"
    warm(site, detail)
    uncached = [("GET", f"/manufacturers/?chaos={n}") for n in range(40)]
    beacon = ("POST", f"/api/aircraft/{plane}/view")
    traffic = [item for n in range(40) for item in (("GET", detail), beacon, uncached[n])]
    with Load(site.port, traffic, rate=16) as load:
        time.sleep(1)
        servers.halt("postgres")
        try:
            time.sleep(4)
            ready = site.readiness()
            during = [site.get(f"/aircraft/?chaos-down={n}") for n in range(2)]
            during.append(site.post(f"/api/aircraft/{plane}/view"))
            time.sleep(4)
        finally:
            servers.resume("postgres")
        back = time.monotonic()
        time.sleep(3)
    assert load.statuses(detail, "GET") and set(load.statuses(detail, "GET")) == {200}, load.statuses(detail)
    for result in during:
        assert_designed_503(result)
    for _t, result in load.results:
        assert result.status in (200, 202) or result.status == 503, (result.path, result.status)
        if result.status == 503:
            assert_designed_503(result)
    assert ready["status_code"] == 503
    assert ready["down"] == ["database"], ready
    assert ready["checks"]["kafka"]["status"] == "ok", ready
    settle(site, plane, 1 + expected_views(load, plane), started=back)  # 1: the warming view
    assert_processes_alive(site)


def test_postgres_and_broker_down_events_wait_in_the_spool_file(site, servers, plane):
    """The broker hangs rather than restarts here, so that the in-memory broker
    loses nothing it acknowledged (the restart test covers a restart)."""
    detail = f"/aircraft/{plane}/"
    warm(site, detail)
    settle(site, plane, 1)
    spooled = 0
    kafka = servers.process("kafka")
    servers.halt("postgres")
    os.kill(kafka.pid, signal.SIGSTOP)
    with Load(site.port, [("GET", detail), ("POST", f"/api/aircraft/{plane}/view")], rate=12) as load:
        try:
            spooled = wait_until(site.spooled_lines, 20, what="events written to the spool file")
            time.sleep(2)
        finally:
            servers.resume("postgres")
            os.kill(kafka.pid, signal.SIGCONT)
        back = time.monotonic()
        time.sleep(3)
    assert spooled > 0
    assert set(load.statuses(detail)) == {200}, load.statuses(detail)  # cached pages
    for _t, result in load.results:
        if result.method == "POST" and result.status == 503:
            assert_designed_503(result)
    assert_no_5xx(load, detail)
    settle(site, plane, 1 + expected_views(load, plane), started=back)
    assert_processes_alive(site)


def test_restarted_consumer_resumes_within_30_seconds(site, plane):
    site.kill("consumer")
    site.start_consumer()
    restarted = time.monotonic()
    for _ in range(5):
        assert site.post(f"/api/aircraft/{plane}/view").status == 202
    wait_until(lambda: site.db.views(plane) == 5, CONSUMER_RESUME_SECONDS, what="the new consumer's first batch")
    resumed = time.monotonic() - restarted
    print(f"the restarted consumer applied its first batch {resumed:.1f}s after it started")
    assert resumed <= CONSUMER_RESUME_SECONDS
    time.sleep(2)
    assert site.db.views(plane) == 5  # nothing counted twice by the old member's uncommitted batch


def test_gunicorn_workers_killed_lose_at_most_the_linger_window(site, plane):
    kills = 3
    with Load(site.port, counted(plane), rate=20) as load:
        time.sleep(2)
        for _ in range(kills):
            os.kill(site.gunicorn_workers()[0], signal.SIGKILL)
            time.sleep(2)
        time.sleep(2)
    statuses = load.statuses()
    assert statuses[0] <= kills, statuses  # at most the request each killed worker had in hand
    assert not [s for s in statuses if s >= 500], statuses
    expected = expected_views(load, plane)

    def settled():
        return site.db.outbox() == 0 and site.spooled_lines() == 0

    wait_until(settled, RECOVERY_SECONDS, what="outbox and spool empty")
    time.sleep(5)  # let the consumer take the last batch
    views = site.db.views(plane)
    # The documented loss: what a SIGKILLed worker held in memory (EVENTS_BATCH_MS plus KAFKA_LINGER_MS).
    assert expected - kills <= views <= expected, (views, expected)
    assert_processes_alive(site)


@pytest.fixture(autouse=True)
def report_logs_on_failure(request, site):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for name in ("gunicorn", "relay", "consumer"):
            print(f"--- {name} log (tail) ---\n{site.log(name)[-4000:]}")
