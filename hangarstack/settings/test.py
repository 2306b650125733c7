"""pytest-django: the real PostgreSQL, Redis and broker `make test` starts."""

import tempfile
import uuid
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-" + "x" * 50
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "hangarstack-test"  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405

# Topics of this test run are prefixed so a broker shared with `make run`
# (devstack reuses a running one) never mixes the two; one broker, so RF 1.
# A test's subprocess (backup.sh, gunicorn) is given its run's prefix explicitly.
KAFKA["TOPIC_PREFIX"] = env("KAFKA_TOPIC_PREFIX", default=f"test{uuid.uuid4().hex[:8]}.")  # noqa: F405
KAFKA["TOPIC_PARTITIONS"] = 3  # noqa: F405
KAFKA["TOPIC_REPLICATION_FACTOR"] = 1  # noqa: F405
# Outage tests make librdkafka report every refused connection; the events
# code logs what matters.
LOGGING["loggers"]["librdkafka"] = {"level": "CRITICAL"}  # noqa: F405

# This run's own spool directory: a test that spools to the file finds only its own.
EVENTS_SPOOL_DIR = Path(tempfile.gettempdir()) / f"hangarstack-test-spool-{uuid.uuid4().hex[:8]}"

STATIC_ROOT = None  # whitenoise serves from the finders; nothing is collected in tests
WHITENOISE_USE_FINDERS = True
