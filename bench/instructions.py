"""Instructions per cached page hit, events on and off: a count the host's speed barely moves.

`make bench` measures requests per second, and on these shared machines the
same code's "events on vs off" ratio moved by several points between runs
(bench/README.md). Valgrind's callgrind counts the instructions a process
executes, thread by thread, whatever else the machine is doing. This runs the
site's WSGI application in one process under callgrind, over every aircraft's
detail page (a cache hit each, real PostgreSQL, Redis and broker), once with
events off and once with events on, and reports the instructions per hit of:

- the request thread (the page, and noting the visit when events are on);
- the process's other Python threads (the producer's delivery thread, which
  makes the envelopes a batch at a time);
- librdkafka's threads (compressing and sending the batches).

It counts the web process only: not the kernel, the broker, the consumer or
PostgreSQL. Under callgrind a hit takes some fifty times longer, so the
intervals counted in wall-clock time are fifty times longer too: batches are
gathered for --batch-ms (5 s) rather than EVENTS_BATCH_MS's 100 ms, to hold
about as many events as a batch under load (1,500 views/s per worker), and
the interpreter passes the GIL between threads every --switch-ms (250 ms)
rather than every 5 ms. Left at 5 ms, the request thread gave the GIL up to
the delivery thread some fifty times as often per hit as it does natively,
and how often followed the host's load: its count with events on moved by
1,700 instructions a hit between an idle and a loaded run (90 at 250 ms).

    make instructions                         (needs Debian's valgrind)
    python -m bench.instructions --hits 2000 --warm 1000

It writes bench/results/instructions-<time>.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REQUEST_THREAD, PYTHON_THREADS, LIBRDKAFKA_THREADS = "request thread", "other Python threads", "librdkafka's threads"
GROUPS = (REQUEST_THREAD, PYTHON_THREADS, LIBRDKAFKA_THREADS)
# A thread that runs Python code executes the interpreter's evaluation loop.
_PYTHON_MARK = "_PyEval_EvalFrameDefault"


@dataclass
class Counted:
    """Instructions of one run, by group of threads, and the hits they served."""

    hits: int
    by_group: dict[str, int]

    def per_hit(self, group: str) -> float:
        return self.by_group.get(group, 0) / self.hits

    def total_per_hit(self) -> float:
        return sum(self.by_group.values()) / self.hits


def thread_totals(directory: Path, prefix: str) -> dict[str, int]:
    """Instructions by group from callgrind's per-thread dump files (`<prefix>-01` is the main thread)."""
    totals = dict.fromkeys(GROUPS, 0)
    for path in sorted(directory.glob(f"{prefix}-*")):
        number = path.name.rsplit("-", 1)[1]
        if not number.isdigit():
            continue
        text = path.read_text(errors="replace")
        summary = next((line for line in text.splitlines() if line.startswith(("summary:", "totals:"))), None)
        if summary is None:
            raise ValueError(f"{path} has no summary line: not a callgrind dump")
        count = int(summary.split()[1])
        if int(number) == 1:
            group = REQUEST_THREAD
        elif _PYTHON_MARK in text:
            group = PYTHON_THREADS
        else:
            group = LIBRDKAFKA_THREADS
        totals[group] += count
    return totals


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def markdown(off: Counted, on: Counted, meta: dict) -> str:
    lines = [
        f"### Instructions per cached detail hit, {meta['started']}",
        "",
        f"Commit {meta['commit']}; {meta['aircraft']} aircraft; {on.hits:,} measured hits per mode after "
        f"{meta['warm']:,} warm ones; events gathered for {meta['batch_ms']:,} ms a batch; "
        f"threads switched every {meta['switch_ms']:g} ms. "
        "Callgrind (valgrind) counts every instruction of the web process, by thread: not the kernel's, "
        "nor the broker's, the consumer's or PostgreSQL's (bench/instructions.py).",
        "",
        "| thread | events off | events on | on - off | of the hit with events off |",
        "|---|---:|---:|---:|---:|",
    ]
    off_total = off.total_per_hit()
    for group in GROUPS:
        before, after = off.per_hit(group), on.per_hit(group)
        lines.append(
            f"| {group} | {before:,.0f} | {after:,.0f} | {after - before:+,.0f} | {_share(after - before, off_total)} |"
        )
    on_total = on.total_per_hit()
    lines.append(
        f"| **the process** | {off_total:,.0f} | {on_total:,.0f} | {on_total - off_total:+,.0f} "
        f"| {_share(on_total - off_total, off_total)} |"
    )
    lines += [
        "",
        f"Events off / events on, in instructions: **{_share(off_total, on_total)}** "
        "(the web process's share of issue 13's `events on vs off` ratio, if time followed instructions).",
        "",
    ]
    return "\n".join(lines)


# --- the measured process (under callgrind) -------------------------------------------


def _child(args: argparse.Namespace) -> None:
    import io

    import django

    django.setup()
    from aircraft.models import Aircraft
    from hangarstack.wsgi import application

    from .run import PROXY_HEADERS

    paths = [f"/aircraft/{slug}/" for slug in Aircraft.objects.order_by("pk").values_list("slug", flat=True)]
    if not paths:
        raise SystemExit("no aircraft: load the catalogue first")

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(f"a detail page answered {status}")

    # The headers wrk sends in `make bench`, as WSGI names them.
    proxy_headers = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in PROXY_HEADERS.items()}

    def hit(count: int) -> None:
        for i in range(count):
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": paths[i % len(paths)],
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1",
                **proxy_headers,
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(),
                "wsgi.errors": sys.stderr,
            }
            response = application(environ, start_response)
            for _ in response:
                pass
            close = getattr(response, "close", None)  # a page cache hit answers with a plain list
            if close is not None:
                close()

    handshake = Path(args.handshake)

    def wait_for_parent(step: str) -> None:
        (handshake / step).touch()
        while not (handshake / f"{step}.done").exists():
            time.sleep(0.05)

    settle = args.batch_ms / 1000 + 2  # the batch gathered so far leaves
    sys.setswitchinterval(args.switch_ms / 1000)
    hit(len(paths))  # every page into the cache, uncounted
    wait_for_parent("instrument")
    hit(args.warm)
    time.sleep(settle)
    gc.collect()  # both modes start counting with nothing left to collect
    wait_for_parent("zero")
    hit(args.hits)
    time.sleep(settle)
    wait_for_parent("dump")
    print(len(paths))
    os._exit(0)  # not the interpreter's teardown: nothing after the dump is counted anyway


# --- the harness ------------------------------------------------------------------------


def _measure(env: dict[str, str], events: str, args: argparse.Namespace, log_dir: Path) -> tuple[Counted, int]:
    directory = log_dir / f"events-{events}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    out = directory / "callgrind.out"
    child_env = {
        **env,
        "EVENTS_ENABLED": "true" if events == "on" else "false",
        "EVENTS_BATCH_MS": str(args.batch_ms),
        # One string hash seed for every run: dictionary probing, and so the count, then repeats exactly.
        "PYTHONHASHSEED": "0",
    }
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--separate-threads=yes",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "bench.instructions",
        "--child",
        "--hits",
        str(args.hits),
        "--warm",
        str(args.warm),
        "--batch-ms",
        str(args.batch_ms),
        "--switch-ms",
        str(args.switch_ms),
        "--handshake",
        str(directory),
    ]
    log = (directory / "log").open("w")
    proc = subprocess.Popen(argv, cwd=ROOT, env=child_env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        for step, command in (("instrument", ["-i", "on"]), ("zero", ["-z"]), ("dump", ["-d"])):
            deadline = time.monotonic() + args.timeout
            while not (directory / step).exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"the measured process ended early; see {directory / 'log'}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no '{step}' from the measured process within {args.timeout} s")
                time.sleep(0.2)
            subprocess.run(["callgrind_control", *command, str(proc.pid)], check=True, capture_output=True)
            (directory / f"{step}.done").touch()
        stdout, _ = proc.communicate(timeout=args.timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    # The dump asked for by callgrind_control is part 1 of each thread's profile.
    return Counted(args.hits, thread_totals(directory, f"{out.name}.1")), int(stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hits", type=int, default=2000, help="measured hits per mode (default 2000)")
    parser.add_argument("--warm", type=int, default=1000, help="hits before counting (default 1000)")
    parser.add_argument("--batch-ms", type=int, default=5000, help="EVENTS_BATCH_MS under callgrind (default 5000)")
    parser.add_argument(
        "--switch-ms", type=float, default=250, help="the interpreter's thread switch interval (default 250)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for each step")
    parser.add_argument("--state-dir", default=str(ROOT / ".devstack" / "instructions"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--handshake", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt-get install valgrind")
    os.environ["HANGARSTACK_STATE_DIR"] = args.state_dir  # before devstack is imported
    from .run import Bench, Interrupted, git_revision, log, stopped_at_the_end

    bench = Bench(argparse.Namespace(search_only=False, workers=1))
    started = datetime.datetime.now(datetime.UTC)
    try:
        with stopped_at_the_end(bench):
            bench.start_servers()
            bench.prepare_database()
            counted, aircraft = {}, 0
            for events in ("off", "on"):
                log(f"events {events}: {args.warm:,} + {args.hits:,} hits under callgrind (minutes)")
                counted[events], aircraft = _measure(bench.env, events, args, bench.procs.log_dir / "instructions")
    except Interrupted:
        log("interrupted; stopping everything")
        return 130
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_revision(),
        "aircraft": aircraft,
        "warm": args.warm,
        "batch_ms": args.batch_ms,
        "switch_ms": args.switch_ms,
    }
    text = markdown(counted["off"], counted["on"], meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"instructions-{started.strftime('%Y%m%dT%H%M%SZ')}.md"
    path.write_text(text)
    print(text)
    log(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
