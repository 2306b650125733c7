"""The catalogue's own stamps, and the view counts its pages show live.

"catalogue" changes whenever anything in the catalogue does (signals.py bumps
it after every save or delete commits); "popularity" when the analytics
consumer applies new counts. A page declares which it depends on (core.pages),
so a change shows on the next load on every worker. The view count on an
aircraft's page is live: read afresh at every cache hit, so the page itself
need not go stale with every consumer batch.
"""

from django.utils.safestring import mark_safe

from core import pages, stamps
from core.cache import set_counts

CATALOGUE = "catalogue"
POPULARITY = "popularity"
stamps.register(CATALOGUE, POPULARITY)


def cached_page(view=None, *, shows_popularity: bool = False):
    """A catalogue page, stored until the catalogue changes (or, when it shows
    view counts or popular searches, until the consumer applies new ones)."""
    return pages.cacheable(view, stamps=(CATALOGUE, POPULARITY) if shows_popularity else (CATALOGUE,))


def shows_popularity() -> None:
    """This page, decided while it is made, shows popularity too (a list sorted by views)."""
    pages.depends_on(POPULARITY)


def catalogue_stamp() -> int:
    """Changes whenever anything in the catalogue does."""
    return stamps.current([CATALOGUE])[CATALOGUE]


def catalogue_stamp_refresh() -> None:
    """Every cached page and ETag of the old catalogue is stale from now on."""
    stamps.bump(CATALOGUE)


def view_count_key(aircraft_id: int) -> str:
    return f"catalogue:views:{aircraft_id}"


def live_view_count(aircraft_id: int, views: int, *, json_field: str = "") -> None:
    """This page shows one aircraft's view count, read afresh at every cache hit."""
    pages.live_count(view_count_key(aircraft_id), views, json_field=json_field, html=view_count_html, name="views")


def view_count_html(views: int) -> str:
    """The detail page's view count (the `view_count` filter), also written by cache hits."""
    if not views:
        return ""
    # A number and fixed text: nothing to escape, and a busy page's hits write it often.
    count = int(views)
    return mark_safe(f'<p class="view-count"><strong>{count}</strong> view{"" if count == 1 else "s"}</p>')  # noqa: S308


def popularity_changed(view_totals: dict[int, int] | None = None) -> None:
    """Called by the analytics consumer after it commits new counts."""
    if view_totals:
        set_counts({view_count_key(pk): total for pk, total in view_totals.items()})
    stamps.bump(POPULARITY)


def rewrite_view_counts() -> int:
    """Every view count from the database into the cache, and a new popularity
    stamp: how the consumer catches the cache up after writes Redis missed."""
    from .models import AircraftViewTotal

    totals = list(AircraftViewTotal.objects.values_list("aircraft_id", "views"))
    for start in range(0, len(totals), 1000):
        set_counts({view_count_key(pk): total for pk, total in totals[start : start + 1000]})
    stamps.bump(POPULARITY)
    return len(totals)
