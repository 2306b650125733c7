"""`make run` (devstack serve) restarts a crashed relay or consumer instead of stopping the stack."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from .harness import ROOT, free_port, request, wait_until


def children(pid: int) -> dict[str, int]:
    """The supervisor's children by management command."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if len(argv) > 2 and argv[1].endswith(b"manage.py"):
                found[argv[2].decode()] = int(child)
    return found


def test_serve_restarts_a_crashed_consumer_and_relay(site):
    port = free_port()
    env = {
        k: v for k, v in site.env.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "PORT")
    }
    # Its own consumer group, so the suite's consumer keeps its partitions.
    env.update({"PORT": str(port), "KAFKA_CONSUMER_GROUP": "devstack-serve-check"})
    log = open(site.logs / "devstack-serve.log", "wb")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [sys.executable, "-m", "devstack", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(lambda: request(port, "GET", "/health").status == 200, 120, what="make run's site")
        first = wait_until(
            lambda: (c := children(serve.pid)) and "consume_events" in c and "relay_events" in c and c,
            30,
            what="relay and consumer started",
        )
        for name in ("consume_events", "relay_events"):
            os.kill(first[name], signal.SIGKILL)
            replaced = wait_until(
                lambda name=name: children(serve.pid).get(name, first[name]) != first[name] and children(serve.pid),
                15,
                what=f"{name} restarted",
            )
            assert replaced[name] != first[name]
        assert serve.poll() is None
        assert request(port, "GET", "/health").status == 200
        assert "restarting it" in (site.logs / "devstack-serve.log").read_text()
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGINT)  # what Ctrl-C sends: stops the site, relay and consumer
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
        log.close()
