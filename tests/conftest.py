import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache is a real, shared Redis: start every test from a clean one."""
    cache.clear()
    yield
    cache.clear()
