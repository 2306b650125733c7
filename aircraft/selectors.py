"""Reads that pages and the API share. Each returns a bounded number of queries."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from . import search
from .caching import catalogue_stamp
from .models import (
    Aircraft,
    AircraftPhoto,
    AircraftViewTotal,
    CatalogueRelease,
    Manufacturer,
    SearchTotal,
    share_manufacturer,
)

SORTS = {
    "designation": ("designation",),
    "name": ("name", "designation"),
    "manufacturer": ("manufacturer__name", "designation"),
    "newest": (F("era_year").desc(nulls_last=True), "designation"),
    "oldest": (F("era_year").asc(nulls_last=True), "designation"),
    # One comparable measure each (see aircraft/digest.py); aircraft without it come last.
    "fastest": (F("rank_speed_mach").desc(nulls_last=True), "designation"),
    "heaviest": (F("rank_mtow_kg").desc(nulls_last=True), "designation"),
    "range": (F("rank_range_km").desc(nulls_last=True), "designation"),
    "popular": (F("view_total__views").desc(nulls_last=True), "designation"),
}


# A variant's page reads its base types' figures: fetch the chain with the aircraft.
LINEAGE = ("variant_of__variant_of__variant_of",)

# What each sort compares, said on the page beside the aircraft that lack it.
SORT_MEASURES = {
    "fastest": ("rank_speed_mach", "a maximum speed or Mach number"),
    "heaviest": ("rank_mtow_kg", "a maximum take-off weight"),
    "range": ("rank_range_km", "a typical range (ferry ranges and combat radii are not compared)"),
    "newest": ("era_year", "a first flight or entry-into-service year"),
    "oldest": ("era_year", "a first flight or entry-into-service year"),
}


@dataclass(frozen=True)
class CatalogueFilters:
    manufacturer: str = ""
    role: str = ""
    status: str = ""
    decade: int | None = None
    sort: str = "manufacturer"


def latest_release() -> CatalogueRelease | None:
    return CatalogueRelease.objects.order_by("-loaded_at").first()


def catalogue_counts() -> dict[str, int]:
    counts = Aircraft.objects.aggregate(
        aircraft=Count("pk"),
        active=Count("pk", filter=Q(status=Aircraft.Status.ACTIVE)),
        retired=Count("pk", filter=Q(status=Aircraft.Status.RETIRED)),
        in_development=Count("pk", filter=Q(status=Aircraft.Status.IN_DEVELOPMENT)),
    )
    counts["manufacturers"] = Manufacturer.objects.count()
    return counts


def manufacturers_with_counts() -> QuerySet[Manufacturer]:
    return (
        Manufacturer.objects.select_related("successor")
        .annotate(
            aircraft_count=Count("aircraft"),
            active_count=Count("aircraft", filter=Q(aircraft__status=Aircraft.Status.ACTIVE)),
            retired_count=Count("aircraft", filter=Q(aircraft__status=Aircraft.Status.RETIRED)),
            in_development_count=Count("aircraft", filter=Q(aircraft__status=Aircraft.Status.IN_DEVELOPMENT)),
        )
        .order_by("name")
    )


def manufacturer_aircraft(manufacturer: Manufacturer) -> QuerySet[Aircraft]:
    return manufacturer.aircraft.for_listing().order_by(F("era_year").asc(nulls_last=True), "designation")


def recently_updated(limit: int = 6) -> QuerySet[Aircraft]:
    return Aircraft.objects.for_listing().order_by("-updated_at", "designation")[:limit]


def aircraft_list(filters: CatalogueFilters) -> QuerySet[Aircraft]:
    queryset = filter_results(Aircraft.objects.for_listing(), filters)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["manufacturer"]))


def explore_aircraft(filters: CatalogueFilters) -> QuerySet[Aircraft]:
    """Every aircraft the explore plot may show, with what its axes read (the digest)."""
    return filter_results(Aircraft.objects.for_listing(), filters).order_by("manufacturer__name", "designation")


def sort_measure(filters: CatalogueFilters) -> dict | None:
    """For a sort on a figure: what it compares and how many aircraft lack it (they come last)."""
    if filters.sort not in SORT_MEASURES:
        return None
    column, what = SORT_MEASURES[filters.sort]
    lacking = filter_results(Aircraft.objects.all(), filters).filter(**{f"{column}__isnull": True}).count()
    return {"what": what, "lacking": lacking}


def filter_results(queryset: QuerySet[Aircraft], filters: CatalogueFilters) -> QuerySet[Aircraft]:
    if filters.manufacturer:
        queryset = queryset.by_manufacturer(filters.manufacturer)
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.decade is not None:
        queryset = queryset.in_decade(filters.decade)
    return queryset


def aircraft_detail(slug: str) -> Aircraft | None:
    plane = (
        Aircraft.objects.select_related("manufacturer", "view_total", *LINEAGE)
        .prefetch_related("variants", "photos")
        .filter(slug=slug)
        .first()
    )
    if plane is not None:  # variants are named as the page names the aircraft, at no extra query
        for variant in plane.variants.all():
            share_manufacturer(plane, variant)
    return plane


def photo_credits() -> QuerySet[AircraftPhoto]:
    return AircraftPhoto.objects.select_related("aircraft__manufacturer").order_by(
        "aircraft__manufacturer__name", "aircraft__designation", "position", "id"
    )


def aircraft_siblings(aircraft: Aircraft, limit: int = 8) -> QuerySet[Aircraft]:
    return manufacturer_aircraft(aircraft.manufacturer).exclude(pk=aircraft.pk)[:limit]


def aircraft_by_slugs(slugs: list[str]) -> list[Aircraft]:
    """In the order asked for; unknown slugs are skipped."""
    found = {a.slug: a for a in Aircraft.objects.select_related("manufacturer", *LINEAGE).filter(slug__in=slugs)}
    return [found[slug] for slug in dict.fromkeys(slugs) if slug in found]


COMPARE_CHOICES_LIMIT = 500


def compare_choices(selected: list[Aircraft]) -> list[Aircraft]:
    """The compare page's pickers: the whole catalogue while it is small, and a
    bounded list (plus what is already chosen) once it is not; a select with
    100,000 options made a 31 MB page."""
    choices = list(
        Aircraft.objects.select_related("manufacturer")
        .only("slug", "designation", "name", "manufacturer__name")
        .order_by("manufacturer__name", "designation")[:COMPARE_CHOICES_LIMIT]
    )
    shown = {plane.pk for plane in choices}
    extra = [plane for plane in selected if plane.pk not in shown]
    return sorted(choices + extra, key=lambda p: (p.manufacturer.name, p.designation))


def decades() -> list[int]:
    years = Aircraft.objects.filter(era_year__isnull=False).order_by().values_list("era_year", flat=True).distinct()
    return sorted({year // 10 * 10 for year in years})


# --- Search -------------------------------------------------------------------


@dataclass
class SearchResult:
    query: str
    results: QuerySet[Aircraft]
    corrected: str = ""


_vocabulary_memo: dict[str, search.Vocabulary] = {}


def _vocabulary() -> search.Vocabulary:
    """The catalogue's words, indexed once per process per catalogue version:
    building the trigram index for 100,000 aircraft takes about half a second."""
    stamp = catalogue_stamp()
    if stamp in _vocabulary_memo:
        return _vocabulary_memo[stamp]
    key = f"catalogue:vocabulary:{stamp}"
    words = cache.get(key)
    if words is None:
        words = set()
        for designation_key, name, maker in Aircraft.objects.values_list(
            "designation_key", "name", "manufacturer__name"
        ):
            words.add(designation_key)
            words.update(search.terms(name))
            words.update(search.terms(maker))
        cache.set(key, words, 24 * 3600)
    _vocabulary_memo.clear()
    _vocabulary_memo[stamp] = search.Vocabulary(words)
    return _vocabulary_memo[stamp]


def _matching(tokens: list[str]) -> QuerySet[Aircraft]:
    key = search.designation_key(tokens)
    query = SearchQuery(search.tsquery(tokens), search_type="raw", config="english")
    return (
        Aircraft.objects.for_listing()
        .filter(Q(search_vector=query) | Q(designation_key__startswith=key))
        .annotate(
            designation_match=Case(
                When(designation_key=key, then=Value(2)),
                When(designation_key__startswith=key, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            rank=SearchRank(F("search_vector"), query),
        )
        .order_by("-designation_match", "-rank", "designation")
    )


def aircraft_search(raw_query: str) -> SearchResult:
    query = search.normalise(raw_query)
    tokens = search.terms(query)
    if not tokens:
        return SearchResult(query=query, results=Aircraft.objects.none())
    results = _matching(tokens)
    if not results.exists():
        corrected = _vocabulary().correct(tokens)
        if corrected != tokens:
            return SearchResult(query=query, results=_matching(corrected), corrected=" ".join(corrected))
    return SearchResult(query=query, results=results)


# --- Popularity (filled by the events consumer) -------------------------------


def most_viewed(limit: int = 5) -> QuerySet[AircraftViewTotal]:
    return (
        AircraftViewTotal.objects.select_related("aircraft__manufacturer")
        .filter(views__gt=0)
        .order_by("-views")[:limit]
    )


def trending(days: int = 7, limit: int = 5) -> list[Aircraft]:
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    return list(
        Aircraft.objects.select_related("manufacturer")
        .filter(daily_views__day__gte=since)
        .annotate(recent_views=Sum("daily_views__views"))
        .order_by("-recent_views", "designation")[:limit]
    )


def popular_searches(limit: int = 6) -> QuerySet[SearchTotal]:
    return SearchTotal.objects.filter(last_result_count__gt=0).order_by("-searches", "query")[:limit]


def page_size() -> int:
    return settings.CATALOGUE_PAGE_SIZE
