"""What the long-running event commands (relay, consumer, tail) share."""

import contextlib
import logging
import signal

from django.core.management.base import BaseCommand
from prometheus_client import start_http_server


class ServiceCommand(BaseCommand):
    """Runs until SIGTERM or Ctrl-C, finishing the work in hand first."""

    stopping = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--metrics-port", type=int, default=0, help="serve this process's Prometheus metrics on this port"
        )

    def execute(self, *args, **options):
        self.stopping = False
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if options.get("metrics_port"):
                start_http_server(options["metrics_port"])
            return super().execute(*args, **options)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum, frame) -> None:
        self.stopping = True


class StateLog:
    """One log line per change of state ("database down", "delivering again"),
    not one per retry, for the long-running commands."""

    def __init__(self, logger, initial: str = "ok") -> None:
        self.logger = logger
        self.state = initial

    def set(self, state: str, message: str, *args, level: int = logging.WARNING) -> bool:
        if state == self.state:
            return False
        self.state = state
        self.logger.log(level, message, *args)
        return True


def forget_database_connection() -> None:
    """After a database error outside the request cycle, drop the connection so
    the next attempt opens a new one once PostgreSQL is back."""
    from django.db import connection

    with contextlib.suppress(Exception):
        connection.close()
