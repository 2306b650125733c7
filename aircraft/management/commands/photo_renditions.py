"""Make the resized copies (WebP and JPEG at several widths) of photos that lack them.

Photos get their renditions when saved in the admin or loaded by load_aircraft.
This command covers the rest: photos restored from a backup into new storage,
rows written some other way, or new rendition sizes after a code change (--all).
"""

from django.core.management.base import BaseCommand

from aircraft.models import AircraftPhoto
from aircraft.photos import photo_renditions_build, photo_renditions_current


class Command(BaseCommand):
    help = "Make missing photo renditions (or all of them with --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="remake every photo's renditions")
        parser.add_argument("--dry-run", action="store_true", help="say what would be made, make nothing")

    def handle(self, *args, all: bool, dry_run: bool, **options):
        photos = AircraftPhoto.objects.select_related("aircraft__manufacturer").order_by("pk")
        todo = [p for p in photos if all or not photo_renditions_current(p)]
        if not todo:
            self.stdout.write("Nothing to do; every photo has its renditions.")
            return
        noun = "photo" if len(todo) == 1 else "photos"
        if dry_run:
            self.stdout.write(f"Dry run: would make renditions for {len(todo)} {noun}.")
            return
        for index, photo in enumerate(todo, 1):
            photo_renditions_build(photo=photo)
            if options["verbosity"] > 1:
                self.stdout.write(f"  {index}/{len(todo)} {photo}")
        self.stdout.write(self.style.SUCCESS(f"Made renditions for {len(todo)} {noun}."))
