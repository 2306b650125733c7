from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Event streaming"

    def ready(self) -> None:
        # Only connects receivers. The Kafka producer is created lazily in each
        # process after fork (see events.producer), never here.
        from . import receivers  # noqa: F401
