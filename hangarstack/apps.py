from django.apps import AppConfig


class HangarstackConfig(AppConfig):
    """Project-wide pieces: rate limits, the page cache and sign-in lock-out receivers."""

    name = "hangarstack"
    verbose_name = "HangarStack"

    def ready(self) -> None:
        from . import pagecache, ratelimits  # noqa: F401  (connect the sign-in and cache-recovery receivers)
