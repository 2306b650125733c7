"""What the long-running event commands (relay, consumer, tail) share."""

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
