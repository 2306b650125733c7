"""Write the catalogue back out in the fixture's format.

Staff edit the catalogue in the admin; this brings those edits back into
fixtures/aircraft.json (or any PATH) for review, and doubles as a backup.
Exporting and then loading the result changes nothing.
"""

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aircraft import fixture
from aircraft.services import catalogue_export


class Command(BaseCommand):
    help = "Export the catalogue as JSON to PATH (or '-' for standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="output file, or '-' for stdout (default)")
        parser.add_argument("--catalogue-version", help="version to write in the header (default: the loaded one)")
        parser.add_argument("--dry-run", action="store_true", help="build and validate the export, write nothing")

    def handle(self, *args, path: str, catalogue_version: str | None, dry_run: bool, **options):
        document = catalogue_export(version=catalogue_version)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        try:
            fixture.parse(text)  # never write a file the loader would refuse
        except fixture.FixtureError as exc:
            raise CommandError("the exported catalogue does not validate:\n  " + "\n  ".join(exc.problems)) from exc
        summary = f"{len(document['aircraft'])} aircraft, {len(document['manufacturers'])} manufacturers"
        if dry_run:
            self.stdout.write(f"Dry run: export of {summary} validates; nothing written.")
            return
        if path == "-":
            self.stdout.write(text, ending="")
            return
        target = Path(path)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            self.stdout.write(f"Nothing to do; {path} already holds this catalogue ({summary}).")
            return
        # Write beside the target and rename, so a crash never leaves half a file.
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
        self.stdout.write(self.style.SUCCESS(f"Exported {summary} to {path}"))
