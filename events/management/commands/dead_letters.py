"""List, and once fixed requeue, events set aside because they break their topic's schema.

A dead letter is an event the broker refused (or the Schema Registry serializer
would not frame) because it does not conform to its topic's JSON Schema. Such
an event is never retried on its own: either the release that emitted it or the
schema is wrong. After fixing that, --requeue moves every dead letter that now
conforms back to the outbox, and the relay delivers it.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count

from events.deadletter import schema_problems
from events.models import DeadLetterEvent, OutboxEvent


class Command(BaseCommand):
    help = "List dead-lettered events; --requeue moves those that now conform back to the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--requeue", action="store_true", help="move conforming dead letters to the outbox")
        parser.add_argument("--dry-run", action="store_true", help="with --requeue: report, change nothing")

    def handle(self, *args, requeue: bool, dry_run: bool, **options):
        by_topic = DeadLetterEvent.objects.values("topic").annotate(n=Count("pk")).order_by("topic")
        if not by_topic:
            self.stdout.write("No dead letters: nothing to do.")
            return
        for row in by_topic:
            self.stdout.write(f"{row['topic']}: {row['n']}")
        if options["verbosity"] > 1 or not requeue:
            for letter in DeadLetterEvent.objects.all()[:20]:
                self.stdout.write(f"  {letter.created_at:%Y-%m-%d %H:%M:%S} {letter.event_id} {letter.reason}")
        if requeue:
            self._requeue(dry_run=dry_run)

    def _requeue(self, *, dry_run: bool) -> None:
        with transaction.atomic():
            letters = list(DeadLetterEvent.objects.select_for_update().order_by("created_at", "pk"))
            ready = [letter for letter in letters if not schema_problems(letter.topic, letter.value)]
            still = len(letters) - len(ready)
            if not dry_run:
                OutboxEvent.objects.bulk_create(
                    [
                        OutboxEvent(
                            event_id=letter.event_id,
                            topic=letter.topic,
                            key=letter.key,
                            value=letter.value,
                            origin=OutboxEvent.Origin.SPOOLED,
                        )
                        for letter in ready
                    ],
                    ignore_conflicts=True,
                )
                DeadLetterEvent.objects.filter(pk__in=[letter.pk for letter in ready]).delete()
        verb = "would requeue" if dry_run else "requeued"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(ready)} events to the outbox"))
        if still:
            self.stdout.write(self.style.WARNING(f"{still} still break their schema and stay dead letters"))
