"""Load the aircraft catalogue from its JSON file into the database.

The fixture is the catalogue's source of truth in the repository; this command
brings a database up to date with it. It checks the whole file first, then
upserts everything in one transaction keyed on (manufacturer, designation), so a
bad file changes nothing and a second run reports "nothing to do".
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aircraft import fixture
from aircraft.services import catalogue_load
from aircraft.signals import catalogue_loaded
from core.context import acting_as


class Command(BaseCommand):
    help = "Validate and load fixtures/aircraft.json (or PATH) into the catalogue."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.CATALOGUE_FIXTURE), help="catalogue JSON file")
        parser.add_argument("--dry-run", action="store_true", help="validate and report without writing")
        parser.add_argument("--prune", action="store_true", help="delete aircraft and manufacturers not in the file")

    def handle(self, *args, path: str, dry_run: bool, prune: bool, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            document = fixture.parse(text)
            if options["verbosity"] >= 2:
                self.stdout.write(
                    f"{path}: {len(document.aircraft)} aircraft, {len(document.manufacturers)} manufacturers; schema OK"
                )
            with acting_as("command:load_aircraft"):
                report = catalogue_load(document=document, prune=prune, dry_run=dry_run)
        except fixture.FixtureError as exc:
            listed = "\n  ".join(exc.problems[:50])
            more = f"\n  ... and {len(exc.problems) - 50} more" if len(exc.problems) > 50 else ""
            raise CommandError(
                f"{path} was not loaded; the database is unchanged. {len(exc.problems)} problem(s):\n  {listed}{more}"
            ) from exc

        makers = report.manufacturers
        summary = (
            f"aircraft: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            + (f", {report.deleted} deleted" if prune else "")
            + f"; manufacturers: {makers['created']} created, {makers['updated']} updated,"
            + f" {makers['unchanged']} unchanged"
            + (f", {makers['deleted']} deleted" if prune else "")
        )
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing written. Would have: {summary}"))
        elif not report.changed:
            self.stdout.write(f"Nothing to do; the catalogue already matches {path}. ({summary})")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {document.catalogue['version']}: {summary}"))
            with acting_as("command:load_aircraft"):
                catalogue_loaded.send(
                    sender=self.__class__, version=document.catalogue["version"], report=report, path=path
                )
