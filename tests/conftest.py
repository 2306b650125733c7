import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from events import schema_store


@pytest.fixture(scope="session", autouse=True)
def broker_schemas():
    """The embedded broker validates this run's topics too: their names carry the
    run's prefix, so their schemas are added to the broker's registry under it."""
    directory = os.environ.get("HANGARSTACK_BROKER_SCHEMAS")
    if not directory:  # an external broker (KAFKA_BOOTSTRAP_SERVERS): nothing to add
        yield None
        return
    written = schema_store.write_broker_registry(directory, prefix=settings.KAFKA["TOPIC_PREFIX"])
    yield directory
    for path in written:
        path.unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def create_kafka_topics(broker_schemas, django_db_setup, django_db_blocker):
    """Topics exist before any page is viewed, as `make run` ensures: a broker
    that auto-creates topics on first produce would otherwise pick their shape."""
    if not connection.settings_dict["NAME"].startswith("test_"):
        # No test in this run uses the database (pytest-django then creates no
        # test database), so nothing views a page: leave the real one alone.
        return
    with django_db_blocker.unblock():
        call_command("create_topics", stdout=StringIO())


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache is a real, shared Redis: start every test from a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, for tests that store files (photos)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def published(monkeypatch):
    """Events handed to the producer, kept for inspection (the producer itself is tested against the broker)."""
    from events import receivers
    from events.envelope import Deferred

    events = []

    def publish(event):
        # A visit's event is made by the producer's delivery thread; here, at once, as it would be.
        events.append(event.make() if isinstance(event, Deferred) else event)

    monkeypatch.setattr(receivers.producer, "publish", publish)
    return events
