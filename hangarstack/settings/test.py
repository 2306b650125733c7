"""pytest-django: the real PostgreSQL, Redis and broker `make test` starts."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-" + "x" * 50
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "hangarstack-test"  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
