"""Reads that pages and the API share. Each returns a bounded number of queries."""

import datetime
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import Case, CharField, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from . import search
from .models import (
    Aircraft,
    AircraftPhoto,
    AircraftViewTotal,
    CatalogueRelease,
    Manufacturer,
    SearchWord,
    share_manufacturer,
)

SORTS = {
    "designation": ("designation",),
    "name": ("name_order", "designation"),
    "manufacturer": ("manufacturer__name_order", "designation"),
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
    "range": ("rank_range_km", "a typical range (maximum and ferry ranges and combat radii are not compared)"),
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
        .order_by("name_order")
    )


def manufacturer_aircraft(manufacturer: Manufacturer) -> QuerySet[Aircraft]:
    return (
        manufacturer.aircraft.for_listing()
        .defer("search_keys")
        .order_by(F("era_year").asc(nulls_last=True), "designation")
    )


def recently_updated(limit: int = 6) -> QuerySet[Aircraft]:
    return Aircraft.objects.for_listing().order_by("-updated_at", "designation")[:limit]


def aircraft_list(filters: CatalogueFilters) -> QuerySet[Aircraft]:
    queryset = filter_results(Aircraft.objects.for_listing(), filters)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["manufacturer"]))


def explore_aircraft(filters: CatalogueFilters) -> QuerySet[Aircraft]:
    """Every aircraft the explore plot may show, with what its axes read (the digest)."""
    return filter_results(Aircraft.objects.for_listing(), filters).order_by(*SORTS["manufacturer"])


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
    found = aircraft_details([slug])
    return found[0] if found else None


def aircraft_details(slugs: list[str]) -> list[Aircraft]:
    """Aircraft with all that their pages show, in the order asked for, in three
    queries whatever their number (unknown slugs are skipped)."""
    planes = {
        plane.slug: plane
        for plane in Aircraft.objects.select_related("manufacturer", "view_total", *LINEAGE)
        .prefetch_related("variants", "photos")
        .filter(slug__in=slugs)
    }
    for plane in planes.values():  # variants are named as the page names the aircraft, at no extra query
        for variant in plane.variants.all():
            share_manufacturer(plane, variant)
    return [planes[slug] for slug in slugs if slug in planes]


def photo_credits() -> QuerySet[AircraftPhoto]:
    return AircraftPhoto.objects.select_related("aircraft__manufacturer").order_by(
        "aircraft__manufacturer__name_order", "aircraft__designation", "position", "id"
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
        .order_by(*SORTS["manufacturer"])[:COMPARE_CHOICES_LIMIT]
    )
    shown = {plane.pk for plane in choices}
    extra = [plane for plane in selected if plane.pk not in shown]
    return sorted(choices + extra, key=lambda p: (p.manufacturer.name, p.designation))


def decades() -> list[int]:
    years = Aircraft.objects.filter(era_year__isnull=False).order_by().values_list("era_year", flat=True).distinct()
    return sorted({year // 10 * 10 for year in years})


# --- Search -------------------------------------------------------------------
# Everything happens in PostgreSQL: the search document (migration 0014) holds
# every name, the maker, the role and the description, without accents; the
# word list (SearchWord) holds every word of it, for typo correction by trigram
# similarity through a GIN index.

SEARCH_CONFIG = "hangarstack_search"
# How alike (pg_trgm similarity, 0 to 1) a misspelt word and its correction must be.
CORRECTION_SIMILARITY = 0.35
# Rank tiers: the query is one of the aircraft's names; the designation starts
# with it; a designation-like fragment of it starts the designation.
EXACT, DESIGNATION_PREFIX, FRAGMENT, TEXT = 3, 2, 1, 0


@dataclass
class SearchResult:
    query: str
    results: QuerySet[Aircraft]
    # The words searched for instead when the query as typed found nothing, and
    # the corrected words found something: "Showing results for ...".
    corrected: str = ""
    # No aircraft has every word: these have most of them.
    partial: bool = False
    # How many results, counted once (None: not counted yet).
    count: int | None = None
    # More than SEARCH_CANDIDATES aircraft match: results holds the aircraft a
    # name or designation matches and SEARCH_CANDIDATES of the others, ranked.
    more: bool = False
    # Every matching aircraft, ranked (what the API filters further); None: results.
    everything: QuerySet[Aircraft] | None = None

    @property
    def searched(self) -> str:
        return self.corrected or self.query

    @property
    def candidates(self) -> int:
        return SEARCH_CANDIDATES

    @property
    def matching(self) -> QuerySet[Aircraft]:
        """Every aircraft the search found, best first, never bounded (for filters on top)."""
        return self.results if self.everything is None else self.everything


def _word(token: str) -> SearchQuery:
    """One query word, as a prefix, as typed and as its English stem: "fighters"
    finds "fighter", "lockh" finds "Lockheed". Tokens hold only letters and digits."""
    return SearchQuery(f"{token}:*", search_type="raw", config=SEARCH_CONFIG) | SearchQuery(
        f"{token}:*", search_type="raw", config="english"
    )


class _Lexemes(SearchQuery):
    """Any of these words of the document, whole: a tsquery of exact lexemes.
    The GIN index answers it by skipping through the words' posting lists,
    where a prefix ("transport:*") makes it read every list in full: at
    100,000 aircraft "lockheed transport" took 4 ms of index reading, 0.03 ms
    this way."""

    def __init__(self, words: Iterable[str]) -> None:
        super().__init__(" | ".join(_quoted(word) for word in words), search_type="raw")

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="%(expressions)s::tsquery")


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# A word that begins more catalogue words than this stays a prefix query.
EXPANSION_LIMIT = 50

EXPANSIONS_SQL = """
SELECT t.token, cfg.name, x.lexeme, x.lexeme ~ '[[:alpha:]]',
       ARRAY(SELECT w.word::text FROM aircraft_searchword w
              WHERE w.word ~>=~ x.lexeme AND w.word ~<~ (x.lexeme || chr(1114111)) LIMIT %s)
  FROM unnest(%s::text[]) AS t(token)
 CROSS JOIN (VALUES ('hangarstack_search'::regconfig, 'simple'), ('english'::regconfig, 'english')) AS cfg(config, name)
 CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(cfg.config, t.token))) AS x(lexeme)
"""


def _expansions(tokens: list[str]) -> dict[str, list[str]]:
    """Each query word as the whole catalogue words it begins, from the word list
    (SearchWord holds every word of every document that has a letter in it):
    one query for all the words. The same match as the prefix query of _word,
    so a word is left out (and stays a prefix) whenever that could differ: its
    normalised form is not one lexeme, has no letter (numbers are not in the
    word list), or begins more than EXPANSION_LIMIT words."""
    tokens = list(dict.fromkeys(tokens))
    if not tokens:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(EXPANSIONS_SQL, [EXPANSION_LIMIT + 1, tokens])
        rows = cursor.fetchall()
    forms: dict[str, dict[str, list[tuple[str, bool, list[str]]]]] = {}
    for token, config, lexeme, has_letter, words in rows:
        forms.setdefault(token, {}).setdefault(config, []).append((lexeme, has_letter, words))
    expanded = {}
    for token, by_config in forms.items():
        simple, english = by_config.get("simple", []), by_config.get("english", [])
        if len(simple) != 1 or len(english) > 1:
            continue
        found = [*simple, *english]
        if all(has_letter and len(words) <= EXPANSION_LIMIT for _lexeme, has_letter, words in found):
            # The lexemes themselves too: a one-letter word is not in the word list.
            expanded[token] = sorted({lexeme for lexeme, _, _ in found}.union(*(words for _, _, words in found)))
    return expanded


def _word_match(token: str, expansions: dict[str, list[str]]) -> SearchQuery:
    return _Lexemes(expansions[token]) if token in expansions else _word(token)


def _every_word(tokens: list[str], expansions: dict[str, list[str]] | None = None) -> SearchQuery:
    return reduce(operator.and_, (_word_match(token, expansions or {}) for token in tokens))


def _unit(piece: list[str], expansions: dict[str, list[str]] | None = None) -> Q:
    """A piece of the query as typed matches when all its words do, or, for a
    designation-like piece ("747-8", "F22"), when the designation starts with it:
    the document splits "747-8I" into words that "8" alone would not find."""
    matches = Q(search_vector=_every_word(piece, expansions))
    key = search.designation_key(piece)
    if search.is_designation_like(key):
        matches |= Q(designation_key__startswith=key)
    return matches


def _tokens(pieces: list[list[str]]) -> list[str]:
    return [token for piece in pieces for token in piece]


def _condition(
    pieces: list[list[str]], expansions: dict[str, list[str]] | None = None
) -> tuple[Q, list[Q], list[str], str, list[str]]:
    """What a match is: (every piece, or the whole query as a designation or a
    name), each piece's own condition, the tokens, the whole query as a key and
    its designation-like fragments."""
    tokens = _tokens(pieces)
    key = search.designation_key(tokens)
    each = [_unit(piece, expansions) for piece in pieces]
    whole = Q(designation_key__startswith=key) | Q(search_keys__contains=[key])
    return reduce(operator.and_, each) | whole, each, tokens, key, search.fragment_keys(tokens)


def _ranked(results: QuerySet[Aircraft], tokens: list[str], key: str, fragments: list[str]) -> QuerySet[Aircraft]:
    """Tiers first (a name, a designation prefix, a designation fragment), then
    full-text rank."""
    fragment_match = reduce(operator.or_, (Q(designation_key__startswith=f) for f in fragments), Q(pk__in=[]))
    return results.annotate(
        tier=Case(
            When(search_keys__contains=[key], then=Value(EXACT)),
            When(designation_key__startswith=key, then=Value(DESIGNATION_PREFIX)),
            When(fragment_match | Q(search_keys__overlap=fragments or [""]), then=Value(FRAGMENT)),
            default=Value(TEXT),
            output_field=IntegerField(),
        ),
        rank=SearchRank(F("search_vector"), reduce(operator.or_, (_word(token) for token in tokens))),
    )


# No trigram likeness of the titles in the order: over the 17,000 matches of a
# broad query at 100,000 aircraft it doubled the time of the sort.
ORDER = ("-tier", "-rank", "designation", "pk")


def _matching(pieces: list[list[str]], *, partial: bool = False) -> QuerySet[Aircraft]:
    """Every aircraft that matches, ranked: the whole match set (for the API's
    filters and for "most of the words"); the search page uses _found."""
    condition, each, tokens, key, fragments = _condition(pieces)
    results = Aircraft.objects.for_listing()
    if partial:
        # More than half of the pieces, the most first.
        results = results.annotate(
            words_matched=sum(
                (Case(When(unit, then=Value(1)), default=Value(0)) for unit in each),
                start=Value(0),
            )
        ).filter(reduce(operator.or_, each), words_matched__gt=len(each) // 2)
    else:
        results = results.filter(condition)
    results = _ranked(results, tokens, key, fragments)
    return results.order_by("-words_matched", *ORDER) if partial else results.order_by(*ORDER)


# A query that matches more aircraft than this (a role, "helicopter", at
# 100,000 aircraft matches 17,000) ranks the aircraft it names and this many of
# the others, and the page says "more than". Counting and ranking every match
# cost time in proportion to the catalogue (300 ms for "helicopter").
SEARCH_CANDIDATES = 1000


def _found(pieces: list[list[str]]) -> tuple[QuerySet[Aircraft], int, bool]:
    """The search page's results, their count and whether more matched.

    One query collects the ids: the first SEARCH_CANDIDATES + 1 matches in id
    order (the catalogue's longest-standing entries first; PostgreSQL stops
    there, or reads them through the GIN index when matches are few), plus every
    aircraft the query names exactly or whose designation it starts (the first
    tiers, through the search_keys GIN and the designation_key pattern index).
    Ranking then reads only those rows, by primary key. With up to
    SEARCH_CANDIDATES matches, that is every match, ranked as before."""
    condition, _each, tokens, key, fragments = _condition(pieces, _expansions(_tokens(pieces)))
    found = Aircraft.objects.filter(condition).order_by("pk").values_list("pk", Value(0))[: SEARCH_CANDIDATES + 1]
    # Part of the condition already ("whole"), so no full-text scan here.
    named = Aircraft.objects.filter(Q(search_keys__contains=[key]) | Q(designation_key__startswith=key))
    rows = list(found.union(named.order_by().values_list("pk", Value(1))[:SEARCH_CANDIDATES], all=True))
    matched = [pk for pk, part in rows if part == 0]
    more = len(matched) > SEARCH_CANDIDATES
    ids = list(dict.fromkeys([*matched[:SEARCH_CANDIDATES], *(pk for pk, part in rows if part == 1)]))
    if not ids:
        return Aircraft.objects.none(), 0, False
    results = _ranked(Aircraft.objects.for_listing().filter(pk__in=ids), tokens, key, fragments)
    return results.order_by(*ORDER), len(ids), more


def _nearest(token: str) -> QuerySet[SearchWord]:
    """The catalogue word nearest a query word: a word it begins first (prefixes
    match anyway, so such a word needs no correction), then the most similar.
    Prefixes come through the pattern index, near words through the GIN
    trigram index."""
    return (
        SearchWord.objects.filter(Q(word__startswith=token) | Q(word__trigram_similar=token))
        .annotate(
            token=Value(token, output_field=CharField()),
            prefix=Case(When(word__startswith=token, then=Value(1)), default=Value(0), output_field=IntegerField()),
            similarity=TrigramSimilarity("word", token),
        )
        .order_by("-prefix", "-similarity", "-aircraft", "word")
        .values_list("token", "word", "prefix", "similarity")[:1]
    )


def _corrections(tokens: list[str]) -> dict[str, str]:
    """Each word the catalogue does not know, and the nearest one it does; one
    query for all the words."""
    candidates = [
        token
        for token in dict.fromkeys(tokens)
        if len(token) >= search.MIN_KEY_LENGTH and not any(ch.isdigit() for ch in token)
    ]
    if not candidates:
        return {}
    nearest = [_nearest(token) for token in candidates]
    rows = nearest[0].union(*nearest[1:], all=True) if len(nearest) > 1 else nearest[0]
    return {
        token: word
        for token, word, prefix, similarity in rows
        if not prefix and similarity >= CORRECTION_SIMILARITY and word != token
    }


def _reworded(query: str, fixes: dict[str, str]) -> str:
    """The query as typed with the corrected words put in: what "Did you mean" shows."""
    return re.sub(r"[^\W_]+", lambda m: fixes.get(m.group(0).casefold(), m.group(0)), query)


def aircraft_search(raw_query: str) -> SearchResult:
    """Every word must match (as a prefix, anywhere in the document), or the query
    is a designation with or without its punctuation. When that finds nothing,
    misspelt words are corrected against the catalogue's words; when that finds
    nothing either, aircraft with most of the words are offered, and said to be.
    Each attempt counts its results once (at most SEARCH_CANDIDATES and the
    aircraft it names, see _found); the page's paginator reuses the count."""
    query = search.normalise(raw_query)
    pieces = search.units(query)
    if not pieces:
        return SearchResult(query=query, results=Aircraft.objects.none(), count=0)
    results, count, more = _found(pieces)
    if count:
        return SearchResult(query=query, results=results, count=count, more=more, everything=_matching(pieces))
    fixes = _corrections(_tokens(pieces))
    if fixes:
        fixed_pieces = [[fixes.get(token, token) for token in piece] for piece in pieces]
        fixed, fixed_count, more = _found(fixed_pieces)
        if fixed_count:
            return SearchResult(
                query=query,
                results=fixed,
                corrected=_reworded(query, fixes),
                count=fixed_count,
                more=more,
                everything=_matching(fixed_pieces),
            )
        pieces = fixed_pieces
    if len(pieces) >= 3:
        mostly = _matching(pieces, partial=True)
        if mostly_count := mostly.count():
            shown = _reworded(query, fixes) if fixes else ""
            return SearchResult(query=query, results=mostly, corrected=shown, partial=True, count=mostly_count)
    return SearchResult(query=query, results=results, count=0)


def clear_match(result: SearchResult, first: list[Aircraft]) -> Aircraft | None:
    """The one aircraft a query plainly means: the only result, or the only one
    the query names exactly. first: the first results, best first (the page
    already has them). Corrected and partial results are never clear."""
    if result.corrected or result.partial or not result.query or not first:
        return None
    if result.count == 1:
        return first[0]
    if len(first) >= 2 and first[0].tier == EXACT and first[1].tier < EXACT:
        return first[0]
    return None


SUGGESTIONS = 8


def search_suggestions(raw_query: str, limit: int = SUGGESTIONS) -> tuple[SearchResult, list[Aircraft]]:
    """The first few aircraft the search page would show, for suggestions as you type."""
    result = aircraft_search(raw_query)
    return result, list(result.results[:limit])


# --- Popularity (filled by the events consumer) -------------------------------


def most_viewed(limit: int = 5) -> QuerySet[AircraftViewTotal]:
    return (
        AircraftViewTotal.objects.select_related("aircraft__manufacturer")
        .filter(views__gt=0)
        .order_by("-views")[:limit]
    )


TRENDING_BASELINE_WEEKS = 3
TRENDING_MIN_VIEWS = 2
# Added to both sides of the rise, so that 0 -> 2 views does not outrank 100 -> 300.
TRENDING_SMOOTHING = 5


def trending(limit: int = 5, exclude: Iterable[int] = ()) -> list[Aircraft]:
    """Rising: views in the last 7 days against the weekly average of the
    three weeks before, highest rise first; only aircraft viewed more this week
    than in an average week before. exclude: aircraft shown elsewhere (the most
    viewed), so the two panels never repeat each other."""
    today = timezone.localdate()
    this_week = today - datetime.timedelta(days=6)
    since = this_week - datetime.timedelta(weeks=TRENDING_BASELINE_WEEKS)
    recent = Coalesce(Sum("daily_views__views", filter=Q(daily_views__day__gte=this_week)), 0)
    before = Coalesce(Sum("daily_views__views", filter=Q(daily_views__day__lt=this_week)), 0)
    weekly_before = Cast(before, FloatField()) / TRENDING_BASELINE_WEEKS
    return list(
        Aircraft.objects.select_related("manufacturer")
        .defer("description", "search_vector", "search_keys")
        .filter(daily_views__day__gte=since, daily_views__day__lte=today)
        .exclude(pk__in=list(exclude))
        .annotate(recent_views=recent, weekly_before=weekly_before)
        .filter(recent_views__gte=TRENDING_MIN_VIEWS, recent_views__gt=F("weekly_before"))
        .annotate(
            rise=(Cast(F("recent_views"), FloatField()) + TRENDING_SMOOTHING)
            / (F("weekly_before") + TRENDING_SMOOTHING)
        )
        .order_by("-rise", "-recent_views", "designation")[:limit]
    )


def popular_searches(limit: int = 6) -> list[Aircraft]:
    """What visitors search for, published as the aircraft their searches found
    first: never the text anyone typed. Queries that found nothing, and queries
    staff have hidden, do not count."""
    return list(
        Aircraft.objects.select_related("manufacturer")
        .defer("description", "search_vector", "search_keys")
        .filter(search_totals__hidden=False, search_totals__last_result_count__gt=0)
        .annotate(searches=Sum("search_totals__searches"))
        .order_by("-searches", "designation")[:limit]
    )


def page_size() -> int:
    return settings.CATALOGUE_PAGE_SIZE
