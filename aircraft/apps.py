from django.apps import AppConfig


class AircraftConfig(AppConfig):
    name = "aircraft"
    verbose_name = "Aircraft catalogue"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (cache invalidation receivers)
