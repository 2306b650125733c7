"""Inside-Django measurements for the harness: which URLs to load, and queries per page.

Run as `python -m bench.probe COMMAND` with the same settings and database as
the site under test; reads JSON arguments on stdin, prints JSON on stdout.

    sample    the URLs of each page kind (real catalogue records only, so the
              same pages are measured at every catalogue size)
    queries   per page kind: SQL queries and server time of an uncached request
              (catalogue stamp refreshed first, as after any catalogue change)
              and of the cached request that follows, through the full
              middleware stack with Django's test client (no HTTP)
    search    server time of uncached search pages, queries found as typed
              against queries with misspelt words (corrected in PostgreSQL),
              median of several rounds each, and the time of their SQL
"""

import json
import os
import statistics
import sys
import time

SEARCHES = ["raptor", "boeing 737", "f22", "helicopter", "tanker", "lightning", "eurofighter typhoon", "herculs"]
# Found as typed, and with misspelt words that PostgreSQL corrects (pg_trgm over the word list).
EXACT_SEARCHES = ["raptor", "f22 raptor", "boeing 747-8", "lockheed transport", "helicopter", "eurofighter typhoon"]
CORRECTED_SEARCHES = ["raptr", "globmaster", "dreamlinr", "lokheed tranport", "chinok", "eurofightr typhon"]
SEARCH_REPEATS = 7
LIST_FILTERS = [
    "?role=fighter",
    "?status=active&sort=newest",
    "?role=helicopter&status=active",
    "?decade=1990",
    "?role=airliner&sort=range",
    "?status=retired&sort=oldest",
    "?status=active&page=2",
    "?sort=fastest",
]
API_FILTERS = ["?role=fighter", "?status=active", "?role=airliner&sort=newest", "?decade=1980", "?q=raptor"]
HEADERS = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_USER_AGENT": "hangarstack-bench"}


def sample(_args: dict) -> dict:
    from django.db import connection

    from aircraft.models import Aircraft, Manufacturer
    from bench.generator import MAKER_PREFIX

    real = Aircraft.objects.exclude(manufacturer__name__startswith=MAKER_PREFIX + " ").order_by("slug")
    slugs = list(real.values_list("slug", flat=True))
    makers = list(
        Manufacturer.objects.exclude(name__startswith=MAKER_PREFIX + " ")
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    pairs = [(slugs[i], slugs[(i * 7 + 3) % len(slugs)]) for i in range(0, len(slugs), max(1, len(slugs) // 8))]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "aircraft": Aircraft.objects.count(),
        "real_aircraft": len(slugs),
        "postgres": postgres,
        "paths": {
            "detail": [f"/aircraft/{s}/" for s in slugs],
            "manufacturer": [f"/manufacturers/{m}/" for m in makers],
            "list": [f"/aircraft/{f}" for f in LIST_FILTERS],
            # all=1: the results page even where one clear match would redirect to the aircraft
            "search": [f"/search/?q={q.replace(' ', '+')}&all=1" for q in SEARCHES],
            "compare": [f"/compare/?a={a}&a={b}" for a, b in pairs if a != b],
            "api-list": [f"/api/aircraft/{f}" for f in API_FILTERS],
            "api-detail": [f"/api/aircraft/{s}/" for s in slugs],
        },
    }


def queries(args: dict) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aircraft.stamps import catalogue_stamp_refresh

    client = Client(**HEADERS)
    report = {}
    for page, paths in args["paths"].items():
        rows = []
        for path in paths[: args.get("per_page", 3)]:
            catalogue_stamp_refresh()  # every cached page and the search vocabulary go stale
            row = {"path": path}
            for phase in ("cold", "warm"):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - started
                if phase == "cold":
                    cold_queries = list(captured.captured_queries)
                row[phase] = {
                    "status": response.status_code,
                    "queries": len(captured.captured_queries),
                    "ms": round(elapsed * 1000, 2),
                    "bytes": len(response.content),
                }
            if args.get("show_sql"):  # the cold request's queries, with their times
                row["sql"] = [(round(float(q["time"]) * 1000, 2), q["sql"][:400]) for q in cold_queries]
            rows.append(row)
        report[page] = {
            "paths": rows,
            "queries_cold": max(r["cold"]["queries"] for r in rows),
            "queries_warm": max(r["warm"]["queries"] for r in rows),
            "uncached_ms": round(statistics.median(r["cold"]["ms"] for r in rows), 2),
            "cached_ms": round(statistics.median(r["warm"]["ms"] for r in rows), 2),
            "statuses": sorted({r[p]["status"] for r in rows for p in ("cold", "warm")}),
        }
    return report


class _SqlTimer:
    """A database execute wrapper: how many queries a request made and how long
    they took, to the microsecond (CaptureQueriesContext rounds to the millisecond)."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def search(args: dict) -> dict:
    """Each query's uncached search page, several rounds; every round runs every
    query once (so a burst of other work on a shared machine falls on all of
    them rather than on one), each request after a catalogue stamp refresh.
    Per query: the median server time and the median time its SQL took."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client

    from aircraft import selectors
    from aircraft.stamps import catalogue_stamp_refresh

    candidates = getattr(selectors, "SEARCH_CANDIDATES", None)  # None: every match is ranked (before the bound)

    client = Client(**HEADERS)
    kinds = (("exact", EXACT_SEARCHES), ("corrected", CORRECTED_SEARCHES))
    times = {query: [] for _kind, searches in kinds for query in searches}
    sql_times = {query: [] for query in times}
    queries = {}
    for query in times:  # once, unmeasured: the first request of a process pays for imports and connections
        client.get(f"/search/?{urlencode({'q': query, 'all': 1})}")
    for _round in range(args.get("repeats", SEARCH_REPEATS)):
        for query in times:
            catalogue_stamp_refresh()  # never served from the page cache
            timer = _SqlTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(f"/search/?{urlencode({'q': query, 'all': 1})}")
                times[query].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
            sql_times[query].append(timer.seconds * 1000)
            queries[query] = timer.queries
    report = {"repeats": args.get("repeats", SEARCH_REPEATS), "candidates": candidates}
    for kind, searches in kinds:
        rows = {}
        for query in searches:
            result = selectors.aircraft_search(query)
            rows[query] = {
                "ms": round(statistics.median(times[query]), 2),
                "sql_ms": round(statistics.median(sql_times[query]), 2),
                "queries": queries[query],
                "corrected": result.corrected,
                "results": result.count,
                "more": getattr(result, "more", False),
            }
        report[kind] = rows
        report[f"{kind}_median_ms"] = round(statistics.median(r["ms"] for r in rows.values()), 2)
        report[f"{kind}_median_sql_ms"] = round(statistics.median(r["sql_ms"] for r in rows.values()), 2)
    report["corrected_vs_exact"] = round(report["corrected_median_ms"] / report["exact_median_ms"], 2)
    return report


COMMANDS = {"sample": sample, "queries": queries, "search": search}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangarstack.settings.prod")
    import django

    django.setup()
    args = json.loads(sys.stdin.read() or "{}")
    json.dump(COMMANDS[argv[0]](args), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
