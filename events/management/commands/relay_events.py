"""Deliver the durable outbox to Kafka.

Catalogue changes, and any view or search the broker could not take in time,
wait in PostgreSQL until this command has Kafka acknowledge them. Run it
continuously beside the web app (make run and the deployments do), or once
with --once to drain the backlog and exit.
"""

import time

from events import outbox
from events.management.service import ServiceCommand
from events.relay import Relay, backlog_event, backoff_delays, sleep_unless

BACKLOG_WARNING = 1000
WARNING_INTERVAL = 300.0


class Command(ServiceCommand):
    help = "Relay outbox events to Kafka, continuously or --once."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--once", action="store_true", help="drain the outbox once and exit")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")

    def handle(self, *args, once: bool, batch_size: int, interval: float, **options):
        relay = Relay(batch_size=batch_size)
        if once:
            result = relay.drain()
            self.stdout.write(f"relayed {result.delivered} events; {result.failed} not delivered")
            relay.close()
            if result.failed:
                raise SystemExit(1)
            return

        self.stdout.write("relaying outbox events to Kafka (Ctrl-C to stop)")
        delays = None
        last_warning = -WARNING_INTERVAL
        while not self.stopping:
            result = relay.drain()
            backlog = outbox.backlog()
            if options["verbosity"] >= 2 and result.delivered:
                self.stdout.write(f"relayed {result.delivered}; backlog {backlog}")
            if result.failed:
                delays = delays or backoff_delays()
                wait = next(delays)
                if backlog > BACKLOG_WARNING:
                    self.stderr.write(f"outbox backlog {backlog}; broker not accepting, retrying in {wait:.1f}s")
                    if time.monotonic() - last_warning > WARNING_INTERVAL:
                        last_warning = time.monotonic()
                        # Kept in the outbox like everything else: it arrives once the broker is back.
                        outbox.store([backlog_event(backlog)])
                sleep_unless(lambda: self.stopping, wait)
            else:
                delays = None
                if result.delivered == 0:
                    sleep_unless(lambda: self.stopping, interval)
        relay.close()
        self.stdout.write("relay stopped")
