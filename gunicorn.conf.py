"""Gunicorn settings for HangarStack (production and the benchmark).

    gunicorn -c gunicorn.conf.py hangarstack.wsgi:application

Environment: PORT (8000), WEB_CONCURRENCY (workers; default 2 x CPUs + 1),
GUNICORN_MAX_REQUESTS (50000), GUNICORN_TIMEOUT (30), GUNICORN_GRACEFUL_TIMEOUT (25),
GUNICORN_PRELOAD (on), GUNICORN_ACCESS_LOG (off; - for stdout),
PROMETHEUS_MULTIPROC_DIR (metrics from every worker).
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Within Kubernetes' 60 s termination grace (after a 10 s preStop sleep), with
# time left for worker_exit to flush or spool pending events.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Recycle workers now and then (memory growth); jitter so they do not all restart
# together. Not too often: at a few thousand requests/s a limit of 2,000 restarts
# each worker every second, and the restarts dominate latency (the benchmark saw it).
# Jitter of half the limit: evenly loaded workers started together reach their
# limits seconds apart, not in the same second (with a tenth, the benchmark saw
# both of its workers leave at once, every page stalled behind their exit).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 2
# Load the app once in the master so a recycled worker is a cheap fork, not a
# fresh Django start. Safe: connections are closed before fork (pre_fork) and the
# Kafka producer is only ever created inside a worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes")
limit_request_line = 4094
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk (gunicorn docs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Off unless asked for (GUNICORN_ACCESS_LOG=- for stdout, or a file): nginx or
# the ingress in front already logs every request with its id, status and
# timing, and a second line per request from gunicorn cost the benchmark's
# cached pages a few percent of a worker's time (bench/README.md, "Profile").
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Request id (from nginx or our middleware), status, size and duration in ms.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s ua="%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


# Every worker must write metrics to a shared directory for /metrics to count
# them all; default to a private one when the deployment did not choose. Wiped
# here, when the config loads: a preloaded app registers its metrics before any
# server hook runs, so the directory must exist (and be clean) by then.
private_metrics_dir = None
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
else:
    private_metrics_dir = tempfile.mkdtemp(prefix="hangarstack-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = private_metrics_dir


def pre_fork(server, worker):
    # With a preloaded app the master may hold database connections; a forked
    # child must never share a socket with its parent.
    if preload_app:
        from django.db import connections

        connections.close_all()


def worker_exit(server, worker):
    # Graceful exit (SIGTERM, max_requests recycling): flush what the broker
    # can take in a few seconds and store the rest in the durable outbox.
    # (The producer itself is created lazily in each worker, after the fork:
    # librdkafka's threads do not survive fork.)
    try:
        from events import producer
    except Exception:  # events not installed, or the worker died before loading the app
        return
    producer.shutdown(timeout=min(5.0, graceful_timeout / 2))


def child_exit(server, worker):
    # Keep the dead worker's counters, drop its live gauges (prometheus_client docs).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    # A private directory goes with the master that made it; otherwise every
    # start leaves one behind in the temporary directory.
    if private_metrics_dir:
        shutil.rmtree(private_metrics_dir, ignore_errors=True)
