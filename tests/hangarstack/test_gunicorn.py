"""The production server for real: gunicorn with gunicorn.conf.py and several workers."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from events import topics
from events.models import OutboxEvent
from tests.databases import database_url
from tests.events.conftest import events_in_outbox
from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, **env):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test",
            "DATABASE_URL": database_url(),
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "KAFKA_TOPIC_PREFIX": settings.KAFKA["TOPIC_PREFIX"],
            **env,
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "hangarstack.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/health")
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.proc.stdout.read().decode())

    def get(self, path, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __exit__(self, *exc):
        self.stop()


def metric_total(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_every_worker_including_recycled_ones():
    AircraftFactory()
    with Server(GUNICORN_MAX_REQUESTS="10") as server:  # workers recycle several times
        for _ in range(60):
            status, _headers, _body = server.get("/aircraft/", {"Connection": "close"})
            assert status == 200
        status, _headers, text = server.get("/metrics")
        assert status == 200
        assert metric_total(text, "hangarstack_requests_total", endpoint="aircraft:aircraft-list") == 60
        assert metric_total(text, "hangarstack_request_duration_seconds_count", endpoint="aircraft:aircraft-list") == 60
        assert "hangarstack_event_outbox_backlog" in text


def test_a_stopped_server_leaves_no_private_metrics_directory(tmp_path):
    def metrics_dirs() -> list:
        return list(tmp_path.glob("hangarstack-metrics-*"))

    with Server(TMPDIR=str(tmp_path)) as server:
        assert server.get("/metrics")[0] == 200
        assert len(metrics_dirs()) == 1  # no directory was given, so it made its own
    assert metrics_dirs() == []


def test_metrics_are_not_public():
    with Server(METRICS_ALLOWED_CIDRS="10.0.0.0/8", METRICS_TOKEN="s3cret-token") as server:
        assert server.get("/metrics")[0] == 403
        assert server.get("/metrics", {"Authorization": "Bearer wrong"})[0] == 403
        assert server.get("/metrics", {"Authorization": "Bearer s3cret-token"})[0] == 200


def test_rate_limit_holds_across_workers():
    with Server(RATELIMIT_PUBLIC="10/m") as server:
        statuses = [server.get("/health/ready")[0]]  # probes are never limited
        results = [server.get("/api/manufacturers/", {"Connection": "close"}) for _ in range(14)]
        statuses = [status for status, _h, _b in results]
        assert statuses.count(200) == 10
        assert statuses.count(429) == 4
        limited = next(r for r in results if r[0] == 429)
        assert int(limited[1]["Retry-After"]) > 0
        assert '"status": 429' in limited[2]  # JSON under /api/
        page = server.get("/aircraft/")
        assert page[0] == 429 and "Too many requests" in page[2]  # a page for the site


def test_readiness_fails_only_when_the_database_is_down():
    dead = free_port()
    with Server(DATABASE_URL=database_url(port=dead), DATABASE_CONNECT_TIMEOUT="1") as server:
        status, _headers, body = server.get("/health/ready")
        assert status == 503
        assert '"database": {"status": "down"' in body
        assert server.get("/health")[0] == 200


def test_graceful_stop_stores_pending_events():
    plane = AircraftFactory()
    OutboxEvent.objects.all().delete()
    with Server(
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}", KAFKA_MESSAGE_TIMEOUT_MS="600000", WEB_CONCURRENCY="1"
    ) as server:
        for _ in range(5):
            assert server.get(plane.get_absolute_url())[0] == 200
        assert OutboxEvent.objects.filter(origin="spooled").count() == 0  # waiting in the worker's memory
        server.stop()  # SIGTERM: the worker flushes what it can and spools the rest
    assert events_in_outbox(topics.VIEWS, origin="spooled") == 5  # in one batch or more


def test_without_the_database_pages_and_api_answer_the_designed_503():
    dead = free_port()
    with Server(DATABASE_URL=database_url(port=dead), DATABASE_CONNECT_TIMEOUT="1") as server:
        status, headers, body = server.get("/aircraft/")
        assert status == 503 and int(headers["Retry-After"]) > 0
        assert "Briefly unavailable" in body
        status, headers, body = server.get("/api/aircraft/")
        assert status == 503 and int(headers["Retry-After"]) > 0
        assert '"status": 503' in body
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/aircraft/x/view", method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("the beacon answered 2xx without a database")
        except urllib.error.HTTPError as error:
            assert error.code == 503
