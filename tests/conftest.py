from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def create_kafka_topics(django_db_setup, django_db_blocker):
    """Topics exist before any page is viewed, as `make run` ensures: a broker
    that auto-creates topics on first produce would otherwise pick their shape."""
    with django_db_blocker.unblock():
        call_command("create_topics", stdout=StringIO())


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache is a real, shared Redis: start every test from a clean one."""
    cache.clear()
    yield
    cache.clear()
