"""The catalogue's own signals, and cache invalidation.

These signals are the seam with the events app: the catalogue announces what
happened and never imports `events`. Every signal sends `request` so receivers
can read the client's context; receivers must not raise or block.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import Aircraft, AircraftPhoto, AircraftSource, Figure, Manufacturer

# aircraft: Aircraft, request: HttpRequest, via: "page" | "api" | "beacon"
aircraft_viewed = Signal()
# query: str (normalised), result_count: int, top_result: int | None (the first
# aircraft found, by id), request: HttpRequest
search_performed = Signal()
# aircraft: list[Aircraft], request: HttpRequest
aircraft_compared = Signal()
# version: str, report: services.LoadReport, path: str; sent after the load commits
catalogue_loaded = Signal()


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
    from .caching import catalogue_stamp_refresh

    # After commit: another worker must not re-cache the old data in between.
    transaction.on_commit(catalogue_stamp_refresh)
