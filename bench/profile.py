"""Where the time goes: py-spy samples every gunicorn worker while wrk drives a page.

py-spy (pip install py-spy; not a project dependency) attaches to running
processes from outside, so the site runs unmodified. Its collapsed stacks are
summarised as the functions with the most samples on-CPU ("self") and on the
stack ("inclusive"), the numbers bench/README.md quotes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def executable() -> str | None:
    beside_python = Path(sys.executable).with_name("py-spy")
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def available() -> bool:
    return executable() is not None


def record(pid: int, seconds: float, output: Path, rate: int = 250) -> subprocess.Popen:
    """Start sampling pid and its children (the gunicorn master and workers) in the background."""
    return subprocess.Popen(
        [
            executable() or "py-spy",
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--format",
            "raw",
            "--rate",
            str(rate),
            "--duration",
            str(max(1, round(seconds))),
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _function(frame: str) -> str:
    # py-spy frames look like "get_response (django/core/handlers/base.py:140)"; drop the line number.
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})" if path else name


def summarise(collapsed: str, top: int = 60) -> str:
    """Top functions by self and inclusive samples from py-spy's raw (collapsed) output."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        # The first frame is the process ("process 123:\"gunicorn: worker\""), not code.
        frames = [_function(f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        total += samples
        own[frames[-1]] += samples
        for name in set(frames):
            inclusive[name] += samples
    if not total:
        return "no samples\n"
    lines = [f"{total} samples", "", "self %   function"]
    lines += [f"{100 * n / total:6.1f}   {name}" for name, n in own.most_common(top)]
    lines += ["", "incl %   function"]
    lines += [f"{100 * n / total:6.1f}   {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"
