"""Local development: `make run` and manage.py commands run by hand."""

import environ

# A .env file helps locally; variables already in the environment win.
environ.Env.read_env(environ.Path(__file__) - 3 + ".env", overwrite=False)

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# A development cluster often has fewer brokers than production's replication
# factor: create_topics lowers it to the broker count, with a warning.
KAFKA["CAP_REPLICATION_AT_BROKERS"] = True  # noqa: F405

LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
if not CACHE_URL:  # noqa: F405
    # A manage.py command run while `make run` is down: no shared cache to count
    # rate limits in, and none needed for a one-off command.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
