from django.db import models


class AircraftQuerySet(models.QuerySet):
    def for_listing(self) -> "AircraftQuerySet":
        """What every card needs: one query, and one more for the photos that lead cards."""
        return (
            self.select_related("manufacturer")
            .defer("description", "notes", "search_vector", "search_keys")
            .prefetch_related("photos")
        )

    def by_manufacturer(self, slug: str) -> "AircraftQuerySet":
        return self.filter(manufacturer__slug=slug)

    def in_decade(self, decade: int) -> "AircraftQuerySet":
        return self.filter(era_year__gte=decade, era_year__lt=decade + 10)
