"""Deliver the durable outbox to Kafka.

Catalogue changes, and any view or search the broker could not take in time,
wait in PostgreSQL until this command has Kafka acknowledge them. Run it
continuously beside the web app (make run and the deployments do), or once
with --once to drain the backlog and exit.

It never exits on an outage: with the broker or PostgreSQL away it retries
with backoff (0.5 s doubling to 10 s) and logs one line when the state changes
("broker not accepting", "database unavailable", "delivering again"). It also
moves the local spool file (events neither the broker nor PostgreSQL took)
into the outbox once PostgreSQL answers.
"""

import logging
import time

from django.db import DatabaseError

from events import outbox, spool
from events.management.service import ServiceCommand, StateLog, forget_database_connection
from events.relay import Relay, backlog_event, backoff_delays, sleep_unless

logger = logging.getLogger("events.relay")

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
            spool.drain()
            result = relay.drain()
            self.stdout.write(f"relayed {result.delivered} events; {result.failed} not delivered")
            relay.close()
            if result.failed:
                raise SystemExit(1)
            return

        self.stdout.write("relaying outbox events to Kafka (Ctrl-C to stop)")
        state = StateLog(logger)
        delays = None
        last_warning = -WARNING_INTERVAL
        while not self.stopping:
            try:
                spool.drain()
                result = relay.drain()
                backlog = outbox.backlog()
            except DatabaseError as exc:
                forget_database_connection()
                delays = delays or backoff_delays()
                state.set("database", "relay: database unavailable (%s); retrying with backoff", type(exc).__name__)
                sleep_unless(lambda: self.stopping, next(delays))
                continue
            if options["verbosity"] >= 2 and result.delivered:
                self.stdout.write(f"relayed {result.delivered}; backlog {backlog}")
            if result.failed:
                delays = delays or backoff_delays()
                state.set(
                    "broker",
                    "relay: broker not accepting (%s); %d events wait in the outbox; retrying with backoff",
                    result.error,
                    backlog,
                )
                if backlog > BACKLOG_WARNING and time.monotonic() - last_warning > WARNING_INTERVAL:
                    last_warning = time.monotonic()
                    self._backlog_event(backlog)
                sleep_unless(lambda: self.stopping, next(delays))
            else:
                delays = None
                state.set("ok", "relay: delivering again; backlog %d", backlog)
                if result.delivered == 0:
                    sleep_unless(lambda: self.stopping, interval)
        relay.close()
        self.stdout.write("relay stopped")

    @staticmethod
    def _backlog_event(backlog: int) -> None:
        # Kept in the outbox like everything else: it arrives once the broker is back.
        try:
            outbox.store([backlog_event(backlog)])
        except DatabaseError:
            forget_database_connection()
