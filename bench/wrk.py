"""Drive load with wrk, and read what it reports.

wrk runs in its own process (C, event loop), so the load generator's cost is
not the Python harness's. A small Lua script rotates through a list of paths
(so a page kind is many URLs, not one cached URL), adds the headers a TLS
proxy would, and prints exact latency percentiles as JSON when wrk finishes;
the human-readable --latency block is parsed too and serves as the fallback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

JSON_MARK = "BENCH_JSON "
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^\s*([\d.]+)(us|ms|s|m|h)\s*$")


@dataclass
class WrkResult:
    requests: int = 0
    duration_s: float = 0.0
    rps: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)  # "50", "75", "90", "99", "99.9", "mean", "max"
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0

    @property
    def p50(self) -> float | None:
        return self.latency_ms.get("50")

    @property
    def p99(self) -> float | None:
        return self.latency_ms.get("99")

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    def to_dict(self) -> dict:
        return asdict(self)


def duration_ms(text: str) -> float:
    """wrk's durations ("812.00us", "1.20ms", "2.00s") in milliseconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _size_bytes(text: str) -> int:
    match = re.match(r"([\d.]+)([KMGT]?B)", text.strip())
    if not match:
        return 0
    factor = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}[match.group(2)]
    return int(float(match.group(1)) * factor)


def parse_output(text: str) -> WrkResult:
    """Parse `wrk --latency` output, preferring the exact figures our Lua done() prints."""
    result = WrkResult()
    in_distribution = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Latency Distribution"):
            in_distribution = True
            continue
        if in_distribution:
            match = re.match(r"^([\d.]+)%\s+(\S+)$", stripped)
            if match:
                result.latency_ms[_percent_key(match.group(1))] = duration_ms(match.group(2))
                continue
            in_distribution = False
        if stripped.startswith("Latency") and "mean" not in result.latency_ms:
            parts = stripped.split()
            if len(parts) >= 4:
                result.latency_ms["mean"] = duration_ms(parts[1])
                result.latency_ms["max"] = duration_ms(parts[3])
        match = re.match(r"^(\d+) requests in ([\d.]+\w+), (\S+) read", stripped)
        if match:
            result.requests = int(match.group(1))
            result.duration_s = duration_ms(match.group(2)) / 1000
            result.bytes_read = _size_bytes(match.group(3))
        match = re.match(r"^Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", stripped)
        if match:
            result.socket_errors = dict(
                zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
            )
        match = re.match(r"^Non-2xx or 3xx responses: (\d+)", stripped)
        if match:
            result.non_2xx_3xx = int(match.group(1))
        match = re.match(r"^Requests/sec:\s+([\d.]+)", stripped)
        if match:
            result.rps = float(match.group(1))
        if stripped.startswith(JSON_MARK):
            _apply_json(result, json.loads(stripped[len(JSON_MARK) :]))
    return result


def _percent_key(text: str) -> str:
    value = float(text)
    return str(int(value)) if value == int(value) else str(value)


def _apply_json(result: WrkResult, data: dict) -> None:
    """The done() callback's figures: microseconds, exact rather than rounded for display."""
    result.requests = data["requests"]
    result.duration_s = data["duration_us"] / 1e6
    if result.duration_s:
        result.rps = result.requests / result.duration_s
    result.bytes_read = data.get("bytes", result.bytes_read)
    for key, value in data["latency_us"].items():
        result.latency_ms[key] = value / 1000
    errors = data.get("errors", {})
    result.socket_errors = {k: errors.get(k, 0) for k in ("connect", "read", "write", "timeout")}
    result.non_2xx_3xx = errors.get("status", result.non_2xx_3xx)


def lua_script(paths: list[str], headers: dict[str, str]) -> str:
    """A wrk script that cycles through paths, sets headers and reports exact percentiles."""
    if not paths:
        raise ValueError("at least one path is needed")
    quoted = ",\n  ".join(_lua_string(p) for p in paths)
    header_lines = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    return f"""-- generated by bench/wrk.py
local paths = {{
  {quoted}
}}
local counter = 0
{header_lines}

function setup(thread)
  thread:set("offset", math.random(0, #paths - 1))
end

function init(args)
  counter = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local p = {{}}
  for _, q in ipairs({{50, 75, 90, 99, 99.9}}) do
    p[#p + 1] = string.format('"%s": %.1f', tostring(q), latency:percentile(q))
  end
  p[#p + 1] = string.format('"mean": %.1f', latency.mean)
  p[#p + 1] = string.format('"max": %.1f', latency.max)
  local e = summary.errors
  io.write(string.format(
    '{JSON_MARK}{{"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "latency_us": {{%s}}, '
    .. '"errors": {{"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, "timeout": %.0f}}}}\\n',
    summary.requests, summary.duration, summary.bytes, table.concat(p, ", "),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def version() -> str:
    binary = shutil.which("wrk")
    if not binary:
        return "missing"
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0] if first else "unknown"


def run(
    base_url: str,
    paths: list[str],
    *,
    duration: float,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> WrkResult:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(lua_script(paths, headers or {}))
        argv = [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            f"--timeout={timeout:g}s",
            "--latency",
            f"--script={script}",
            base_url.rstrip("/") + paths[0],
        ]
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout}")
    return parse_output(completed.stdout)
