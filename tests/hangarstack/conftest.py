"""Shared by the page cache's tests: what reached Redis."""

import contextlib
import uuid

import redis
from django.conf import settings


@contextlib.contextmanager
def redis_commands():
    """Every command clients send to the real Redis meanwhile (MONITOR), each as
    its words; commands a server-side script runs are not round trips, and left out."""
    # Connections of its own, opened first: the site's stay as they are.
    watcher, marker_sender = redis.Redis.from_url(settings.CACHE_URL), redis.Redis.from_url(settings.CACHE_URL)
    marker_sender.ping()
    seen = []
    with watcher.monitor() as monitor:
        yield seen
        marker = f"end-{uuid.uuid4().hex}"
        marker_sender.echo(marker)
        while True:
            command = monitor.next_command()
            if marker in command["command"]:
                break
            if command.get("client_type") != "lua":
                seen.append(command["command"])
