"""The catalogue's own signals, and its stamp kept up to date.

These signals are the seam with the events app: the catalogue announces what
happened and never imports `events`. They carry plain values (ids, slugs,
numbers), never model instances, so a cached page sends them again as they
are (core.pages). Each also sends `request`, so receivers can read the
client's context; receivers must not raise or block.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from core import pages

from .models import Aircraft, AircraftPhoto, AircraftSource, Figure, Manufacturer
from .stamps import catalogue_stamp_refresh

# aircraft_id: int, slug: str, designation: str, manufacturer: str (its slug),
# via: "page" | "api" | "beacon", request: HttpRequest
aircraft_viewed = pages.page_signal("aircraft.viewed")
# query: str (normalised), result_count: int, top_result: int | None (the first
# aircraft found, by id), request: HttpRequest
search_performed = pages.page_signal("aircraft.search-performed")
# slugs: list[str], request: HttpRequest
aircraft_compared = pages.page_signal("aircraft.compared")
# version: str, report: services.LoadReport, path: str; sent after the load commits
catalogue_loaded = Signal()


def send_viewed(request: HttpRequest, plane: Aircraft, via: str) -> None:
    pages.send(
        request,
        aircraft_viewed,
        aircraft_id=plane.pk,
        slug=plane.slug,
        designation=plane.designation,
        manufacturer=plane.manufacturer.slug,
        via=via,
    )


@receiver(post_save, sender=Aircraft)
@receiver(post_delete, sender=Aircraft)
@receiver(post_save, sender=Manufacturer)
@receiver(post_delete, sender=Manufacturer)
@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
@receiver(post_save, sender=AircraftSource)
@receiver(post_delete, sender=AircraftSource)
@receiver(post_save, sender=AircraftPhoto)
@receiver(post_delete, sender=AircraftPhoto)
def invalidate_catalogue_cache(**kwargs) -> None:
    # After commit: another worker must not re-cache the old data in between.
    transaction.on_commit(catalogue_stamp_refresh)
