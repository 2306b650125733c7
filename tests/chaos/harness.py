"""The fault suite's machinery: real servers, real gunicorn, relay and consumer, a bounded load.

Everything runs on 127.0.0.1. Every process started here is stopped by the
fixtures that started it (the servers by devstack's Stack, the site's processes
by Site.stop), whatever the outcome of a test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]

# What the suite promises, stated once: after a fault ends, every view counted
# within this many seconds, with no manual step.
RECOVERY_SECONDS = 45.0
# A restarted consumer takes its first batch within this (issue 14: "within 30 s").
CONSUMER_RESUME_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout:.0f}s (last: {last!r})")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str, params=()):
        with psycopg.connect(self.url, connect_timeout=3, autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def views(self, slug: str) -> int:
        rows = self.query(
            "SELECT t.views FROM aircraft_aircraftviewtotal t JOIN aircraft_aircraft a ON a.id = t.aircraft_id "
            "WHERE a.slug = %s",
            [slug],
        )
        return rows[0][0] if rows else 0

    def outbox(self) -> int:
        return self.query("SELECT count(*) FROM events_outboxevent")[0][0]

    def slugs(self, count: int) -> list[str]:
        return [row[0] for row in self.query("SELECT slug FROM aircraft_aircraft ORDER BY id LIMIT %s", [count])]


@dataclass
class Result:
    path: str
    method: str
    status: int  # 0: no answer (connection reset or refused)
    seconds: float
    headers: dict = field(default_factory=dict)
    body: bytes = b""


def request(port: int, method: str, path: str, timeout: float = 20.0, headers: dict | None = None) -> Result:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return Result(path, method, response.status, time.monotonic() - started, dict(response.getheaders()), body)
    except (OSError, http.client.HTTPException):
        return Result(path, method, 0, time.monotonic() - started)
    finally:
        conn.close()


class Load:
    """A steady, bounded load: `rate` requests a second over `threads` threads,
    cycling through `requests` [(method, path)], for at most `seconds` and `limit` requests."""

    def __init__(self, port: int, requests: list[tuple[str, str]], *, rate: float = 20, threads: int = 4):
        self.port = port
        self.requests = requests
        self.rate = rate
        self.threads = threads
        self.results: list[tuple[float, Result]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._next = 0
        self._workers: list[threading.Thread] = []

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        for _ in range(self.threads):
            worker = threading.Thread(target=self._run, daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def _run(self) -> None:
        interval = self.threads / self.rate
        while not self._stop.is_set():
            with self._lock:
                if self._next >= 5000:  # bounded whatever happens
                    return
                method, path = self.requests[self._next % len(self.requests)]
                self._next += 1
            began = time.monotonic()
            result = request(self.port, method, path)
            with self._lock:
                self.results.append((began - self.started, result))
            self._stop.wait(max(0.0, interval - (time.monotonic() - began)))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def statuses(self, path_prefix: str = "", method: str | None = None) -> Counter:
        return Counter(
            r.status
            for _t, r in self.results
            if r.path.startswith(path_prefix) and (method is None or r.method == method)
        )

    def ok(self, path_prefix: str, method: str | None = None) -> int:
        return sum(n for status, n in self.statuses(path_prefix, method).items() if 200 <= status < 300)


class Site:
    """gunicorn (production settings, 2 workers), relay_events and consume_events."""

    def __init__(self, servers: dict[str, str], state_dir: Path) -> None:
        self.port = free_port()
        self.logs = state_dir / "log"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.spool_dir = state_dir / "spool"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "PYTHONPATH")},
            **servers,
            "DJANGO_SETTINGS_MODULE": "hangarstack.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "EVENTS_IP_HASH_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_FORMAT": "plain",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_TIMEOUT": "30",
            "KAFKA_TOPIC_PARTITIONS": "3",
            "KAFKA_TOPIC_REPLICATION_FACTOR": "1",
            # Shorter than production's 10 s so that each fault costs the suite less time.
            "KAFKA_MESSAGE_TIMEOUT_MS": "3000",
            "KAFKA_CONSUMER_INSTANCE_ID": "chaos-consumer",
            "RATELIMIT_PUBLIC": "100000/h",
            "RATELIMIT_VIEW_BEACON": "100000/h",
            "EVENTS_SPOOL_DIR": str(self.spool_dir),
            "DATABASE_CONNECT_TIMEOUT": "2",
            "PYTHONPATH": str(ROOT),
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc.log_file = log
        self.procs[name] = proc
        return proc

    def start(self) -> None:
        self._start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "hangarstack.wsgi:application",
            ],
        )
        self.start_relay()
        self.start_consumer()
        wait_until(lambda: self.get("/health").status == 200, 60, what="gunicorn answering")

    def start_relay(self) -> subprocess.Popen:
        return self._start("relay", [sys.executable, "manage.py", "relay_events"])

    def start_consumer(self) -> subprocess.Popen:
        return self._start("consumer", [sys.executable, "manage.py", "consume_events"])

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def gunicorn_workers(self) -> list[int]:
        master = self.procs["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
        proc.log_file.close()

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            proc.log_file.close()

    def get(self, path: str, **kwargs) -> Result:
        return request(self.port, "GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Result:
        return request(self.port, "POST", path, **kwargs)

    def readiness(self) -> dict:
        result = self.get("/health/ready")
        return {"status_code": result.status, **json.loads(result.body or b"{}")}

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def spooled_lines(self) -> int:
        if not self.spool_dir.exists():
            return 0
        return sum(p.read_bytes().count(b"\n") for p in self.spool_dir.glob("events-*.jsonl"))
