from django.apps import AppConfig


class HangarstackConfig(AppConfig):
    """Project-wide pieces: rate limits and sign-in lock-out receivers."""

    name = "hangarstack"
    verbose_name = "HangarStack"

    def ready(self) -> None:
        from . import ratelimits  # noqa: F401  (connects the sign-in receivers)
