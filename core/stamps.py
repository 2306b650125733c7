"""Stamps: named values in the shared cache that change whenever what they name does.

An app keeps its own stamps (the catalogue bumps "catalogue" on every change)
and a page declares the stamps it depends on (core.pages); the page cache
serves a stored page only while every stamp it was made under is unchanged.
A stamp knows nothing of what it names: it is a name and a random number.

Values are integers, which django-redis stores as plain numbers, so the page
cache's Redis script compares them byte for byte.
"""

import secrets

from django.core.cache import cache

_known: set[str] = set()
_sorted: tuple[str, ...] = ()


def register(*names: str) -> None:
    """Declare stamps, so that `bump_all` (after a cache outage) knows them."""
    global _sorted
    if not _known.issuperset(names):
        _known.update(names)
        _sorted = tuple(sorted(_known))


def known() -> frozenset[str]:
    return frozenset(_known)


def known_sorted() -> tuple[str, ...]:
    """Every known stamp in a fixed order, kept rather than sorted per request (read at every hit)."""
    return _sorted


def key(name: str) -> str:
    return f"stamp:{name}"


def _fresh() -> int:
    return secrets.randbits(52)


def bump(*names: str) -> None:
    """Whatever was made under these stamps is stale from now on, on every worker."""
    register(*names)
    cache.set_many({key(name): _fresh() for name in names}, None)


def bump_all() -> None:
    """Every known stamp anew: after Redis lost writes (maybe a bump), nothing
    made before is served as current."""
    if _known:
        bump(*_known)


def current(names) -> dict[str, int]:
    """Each stamp's value, starting the ones that have none yet."""
    names = list(names)
    found = cache.get_many([key(name) for name in names])
    values = {name: found.get(key(name)) for name in names}
    for name, value in values.items():
        if value is None:
            fresh = _fresh()
            # Another worker may start the same stamp at the same time: one value wins.
            values[name] = fresh if cache.add(key(name), fresh, None) else cache.get(key(name), fresh)
    return values
