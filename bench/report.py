"""Turn a benchmark run's results into targets met or missed, and a Markdown report.

Pure functions of the results dict that bench/run.py builds (and writes as
JSON), so a report can be re-rendered from any saved run:

    python -m bench.report bench/results/latest.json

and issue 13's targets judged on the median of several full runs:

    python -m bench.report --median bench/results/2026*.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

START = "<!-- bench:latest:start -->"
END = "<!-- bench:latest:end -->"
SEARCH_START = "<!-- bench:search:start -->"
SEARCH_END = "<!-- bench:search:end -->"
SCALE_PAGES = ("list", "search", "api-list")
PAGE_NAMES = {
    "detail": "aircraft detail",
    "manufacturer": "manufacturer",
    "list": "catalogue list + filters",
    "search": "search",
    "compare": "compare",
    "api-list": "API list",
    "api-detail": "API detail",
}


# Where a run keeps the floor measured in the detail page's rounds, by size.
FLOOR_BESIDE = "beside_detail"


def floor_rps(results: dict) -> float | None:
    """The floor: the bare Django view, averaged over its runs before and after the pages."""
    runs = [results["floor"].get(when, {}).get("floor") for when in ("before", "after")]
    values = [run["rps"] for run in runs if run and run.get("rps")]
    return statistics.mean(values) if values else None


def detail_floor_rps(results: dict, size: int) -> float | None:
    """The floor the detail page is judged against at a size: the one measured in its
    rounds, seconds from it, where the run has one (runs before 2026-12-01 have not);
    otherwise the bracket's mean."""
    beside = results["floor"].get(FLOOR_BESIDE, {}).get(str(size))
    return beside["rps"] if beside and beside.get("rps") else floor_rps(results)


# Latencies where the worse half is kept: a tail is not averaged away.
_WORST_OF_HALVES = ("90", "99", "99.9", "max")
_SUMMED = ("requests", "errors", "non_2xx_3xx", "retried", "workers_replaced", "warm_requests", "requests_total")


def combine_halves(halves: list[dict]) -> dict:
    """One page's row from the runs of its halves (bench.run measures events on, off, off, on).

    Throughput is all requests over all measured seconds; a median or mean latency
    and the CPU per request are weighted by requests; a tail latency (p90 and up) is
    the worse half's. The first half's other fields stand for the page."""
    requests = sum(half["requests"] for half in halves)
    if not requests:
        return {**halves[0], "halves_rps": [half["rps"] for half in halves]}
    seconds = sum(half["requests"] / half["rps"] for half in halves if half["rps"])

    def weighted(values: list[float]) -> float:
        return sum(value * half["requests"] for value, half in zip(values, halves, strict=True)) / requests

    latency = {}
    for key in halves[0]["latency_ms"]:
        values = [half["latency_ms"].get(key, 0.0) for half in halves]
        latency[key] = max(values) if key in _WORST_OF_HALVES else round(weighted(values), 3)
    cpu = {
        role: round(weighted([half["cpu_us_per_request"].get(role, 0.0) for half in halves]), 1)
        for role in dict.fromkeys(role for half in halves for role in half["cpu_us_per_request"])
    }
    return {
        **halves[0],
        **{key: sum(half.get(key, 0) for half in halves) for key in _SUMMED},
        "rps": round(requests / seconds, 1),
        "latency_ms": latency,
        "cpu_us_per_request": cpu,
        "cpu_busy_load": round(weighted([half["cpu_busy_load"] for half in halves]), 3),
        "cpu_other_work": max(half["cpu_other_work"] for half in halves),
        "cpu_stolen": max(half.get("cpu_stolen", 0.0) for half in halves),
        "cpu_busy_idle": max(half["cpu_busy_idle"] for half in halves),
        "halves_rps": [half["rps"] for half in halves],
    }


def page_row(results: dict, page: str, size: int, events: str) -> dict | None:
    for row in results["pages"]:
        if row["page"] == page and row["size"] == size and row["events"] == events:
            return row
    return None


def _target(name: str, goal: str, measured: str, met: bool | None, note: str = "") -> dict:
    return {"target": name, "goal": goal, "measured": measured, "met": met, "note": note}


def evaluate(results: dict) -> list[dict]:
    """Each target of issue 5, met (True), missed (False) or not measured in this run (None)."""
    sizes = sorted(results["meta"]["sizes"])
    smallest, largest = sizes[0], sizes[-1]
    floor = floor_rps(results)
    targets = []

    detail = page_row(results, "detail", smallest, "on")
    if detail and floor:
        beside = detail_floor_rps(results, smallest)
        share = detail["rps"] / beside
        targets.append(
            _target(
                "Aircraft detail, events on, vs the floor",
                ">= 75%",
                f"{share:.0%} ({detail['rps']:.0f} of {beside:.0f} req/s)",
                share >= 0.75,
            )
        )
        p99 = detail["latency_ms"].get("99")
        targets.append(_target("Aircraft detail p99, events on", "<= 10 ms", f"{p99:.1f} ms", p99 <= 10))
    else:
        targets.append(_target("Aircraft detail, events on, vs the floor", ">= 75%", "not measured", None))
        targets.append(_target("Aircraft detail p99, events on", "<= 10 ms", "not measured", None))

    shares = []
    for size in sizes:
        for page in PAGE_NAMES:
            on, off = page_row(results, page, size, "on"), page_row(results, page, size, "off")
            if on and off and off["rps"]:
                shares.append((on["rps"] / off["rps"], page, size))
    if shares:
        worst = min(shares)
        detail_shares = [s for s in shares if s[1] == "detail"]
        note = "; ".join(f"{PAGE_NAMES[p]} at {s:,}: {v:.0%}" for v, p, s in sorted(shares)[:3])
        measured = f"worst {worst[0]:.0%} ({PAGE_NAMES[worst[1]]}, {worst[2]:,} aircraft)"
        if detail_shares:
            measured += f"; detail {min(detail_shares)[0]:.0%}"
        targets.append(_target("Events on vs off, req/s", ">= 95%", measured, worst[0] >= 0.95, note))
    else:
        targets.append(_target("Events on vs off, req/s", ">= 95%", "not measured", None))

    if largest >= 100_000 and smallest <= 100 and largest != smallest:
        ratios = []
        for page in SCALE_PAGES:
            low, high = page_row(results, page, smallest, "on"), page_row(results, page, largest, "on")
            if low and high:
                for q in ("50", "99"):
                    ratios.append((high["latency_ms"][q] / low["latency_ms"][q], page, q))
        if ratios:
            worst = max(ratios)
            measured = ", ".join(f"{PAGE_NAMES[p]} p{q} x{r:.2f}" for r, p, q in ratios)
            targets.append(
                _target(f"List/filter/search latency at {largest:,} vs {smallest:,}", "<= 2x", measured, worst[0] <= 2)
            )
        queries = results.get("queries", {})
        low_q, high_q = queries.get(str(smallest), {}), queries.get(str(largest), {})
        changed = [
            f"{PAGE_NAMES[p]} {low_q[p]['queries_cold']} -> {high_q[p]['queries_cold']}"
            for p in PAGE_NAMES
            if p in low_q and p in high_q and low_q[p]["queries_cold"] != high_q[p]["queries_cold"]
        ]
        targets.append(
            _target(
                f"Queries per page at {largest:,} vs {smallest:,}",
                "unchanged",
                "; ".join(changed) if changed else "unchanged on every page",
                not changed,
            )
        )
    else:
        targets.append(_target("List/filter/search latency at 100,000 vs 100", "<= 2x", "not measured", None))
        targets.append(_target("Queries per page at 100,000 vs 100", "unchanged", "not measured", None))

    targets += issue13_targets(results, sizes)
    targets += search_targets(results, smallest, largest)

    events = results.get("events", {})
    stages = (
        ("Producer, events/s per process", "producer", "delivered_per_s", 20_000),
        ("Relay drain, events/s", "relay", "drain_per_s", 5_000),
        ("Consumer aggregation, events/s", "consumer", "apply_per_s", 5_000),
    )
    for name, stage, key, goal in stages:
        value = events.get(stage, {}).get(key)
        if value is None:
            targets.append(_target(name, f">= {goal:,}", "not measured", None))
        else:
            targets.append(_target(name, f">= {goal:,}", f"{value:,.0f}", value >= goal))

    delay = results.get("view_to_count", {})
    on_site = delay.get("on_site_s") or []
    if on_site:
        worst = None if any(v is None for v in on_site) else max(on_site)
        measured = (
            f"max {worst:.2f} s, median {statistics.median(on_site):.2f} s over {len(on_site)} views"
            if worst is not None
            else "some views were not counted within 30 s"
        )
        targets.append(_target("Page view counted on the site", "<= 5 s", measured, worst is not None and worst <= 5))
    else:
        targets.append(_target("Page view counted on the site", "<= 5 s", delay.get("error", "not measured"), None))
    return targets


# Issue 13's detail-page targets: (name, goal as shown, how a value is shown, what a value must meet).
ISSUE13_DETAIL = (
    ("detail vs the floor (events on)", ">= 50%", "{:.0%}", lambda value: value >= 0.5),
    ("detail p99 (events on)", "<= 10 ms", "{:.1f} ms", lambda value: value <= 10),
    ("detail events on vs off", ">= 90%", "{:.0%}", lambda value: value >= 0.9),
)
OTHER_PAGES_GOAL = 0.45


def issue13_measures(results: dict, sizes: list[int]) -> dict[str, dict]:
    """What issue 13 judges in one run: {detail target name: {size: value}} and, under
    "others", {(page, events, size): share of the floor} for every other page."""
    floor = floor_rps(results)
    if not floor:
        return {}
    measures: dict[str, dict] = {name: {} for name, *_ in ISSUE13_DETAIL}
    for size in sizes:
        on, off = page_row(results, "detail", size, "on"), page_row(results, "detail", size, "off")
        if not on:
            continue
        measures["detail vs the floor (events on)"][size] = on["rps"] / detail_floor_rps(results, size)
        measures["detail p99 (events on)"][size] = on["latency_ms"]["99"]
        if off and off["rps"]:
            measures["detail events on vs off"][size] = on["rps"] / off["rps"]
    measures["others"] = {
        (row["page"], row["events"], row["size"]): row["rps"] / floor
        for row in results["pages"]
        if row["page"] != "detail" and row["size"] in sizes
    }
    return measures


def _precise(shown: str) -> str:
    """A share to a tenth of a percent: a median of 89.6% must not read as 90%."""
    return shown.replace("{:.0%}", "{:.1%}")


def _issue13_verdicts(measures: dict[str, dict], how: str = "", precise: bool = False) -> list[dict]:
    """Issue 13's targets judged on measures (one run's, or the medians of several)."""
    targets = []
    if not any(measures.get(name) for name, *_ in ISSUE13_DETAIL):
        return []
    for name, goal, shown, meets in ISSUE13_DETAIL:
        values = measures[name]
        shown = _precise(shown) if precise else shown
        if values:
            measured = ", ".join(f"{shown.format(value)} at {size:,}" for size, value in values.items())
            met = all(meets(value) for value in values.values())
            targets.append(_target(f"Issue 13: {name}, every size{how}", goal, measured, met))
    others = sorted(
        (share, PAGE_NAMES[page], events, size) for (page, events, size), share in measures["others"].items()
    )
    if others:
        below = [other for other in others if other[0] < OTHER_PAGES_GOAL]
        lowest = others[0]
        measured = (
            f"lowest {lowest[0]:.0%} ({lowest[1]}, events {lowest[2]}, {lowest[3]:,})"
            + (f"; {len(below)} of {len(others)} below 45%: " if below else "; none below 45%")
            + "; ".join(f"{n} events {e} at {s:,} {v:.0%}" for v, n, e, s in below[:6])
            + ("; ..." if len(below) > 6 else "")
        )
        targets.append(_target(f"Issue 13: other pages vs the floor, every size{how}", ">= 45%", measured, not below))
    return targets


def issue13_targets(results: dict, sizes: list[int]) -> list[dict]:
    """Issue 13's targets in one run, at every size: the detail page with events on
    against the floor (>= 50%), its p99 (<= 10 ms) and against events off (>= 90%);
    every other page, events on and off, against the floor (>= 45%)."""
    return _issue13_verdicts(issue13_measures(results, sizes))


def median_of_runs(runs: list[dict]) -> dict:
    """Issue 13's measures in several runs, and their medians, at the sizes every run
    measured: {"sizes", "values": {name: {key: [one value per run]}}, "medians", "targets"}.
    A single run can be lucky or unlucky on a shared machine; the median of a few is
    what holds still."""
    sizes = sorted(set.intersection(*(set(run["meta"]["sizes"]) for run in runs)))
    measured = [issue13_measures(run, sizes) for run in runs]
    if not all(measured):
        raise ValueError("a run without a floor cannot be judged against it")
    values: dict[str, dict] = {}
    for name in measured[0]:
        shared = set.intersection(*(set(one[name]) for one in measured))
        values[name] = {key: [one[name][key] for one in measured] for key in sorted(shared, key=str)}
    medians = {name: {key: statistics.median(each) for key, each in by_key.items()} for name, by_key in values.items()}
    return {
        "sizes": sizes,
        "values": values,
        "medians": medians,
        "targets": _issue13_verdicts(medians, how=f", median of {len(runs)} runs", precise=True),
    }


def search_targets(results: dict, smallest: int, largest: int) -> list[dict]:
    """Issue 12: uncached search (the database's work, not the page cache's) at the
    largest catalogue within 2x of the smallest, and corrected queries within 2x
    of queries found as typed."""
    search = results.get("search", {})
    low, high = search.get(str(smallest)), search.get(str(largest))
    targets = []
    if low and high and largest != smallest:
        ratios = [
            (high[f"{kind}_median_ms"] / low[f"{kind}_median_ms"], kind)
            for kind in ("exact", "corrected")
            if low.get(f"{kind}_median_ms")
        ]
        measured = ", ".join(
            f"{kind} {low[kind + '_median_ms']:.1f} -> {high[kind + '_median_ms']:.1f} ms (x{r:.2f})"
            for r, kind in ratios
        )
        targets.append(
            _target(
                f"Search uncached at {largest:,} vs {smallest:,}",
                "<= 2x",
                measured,
                bool(ratios) and max(ratios)[0] <= 2,
            )
        )
    else:
        targets.append(_target("Search uncached at 100,000 vs 100", "<= 2x", "not measured", None))
    if search:
        worst = max((row["corrected_vs_exact"], int(size)) for size, row in search.items())
        measured = ", ".join(
            f"x{row['corrected_vs_exact']:.2f} at {int(size):,}"
            for size, row in sorted(search.items(), key=lambda i: int(i[0]))
        )
        targets.append(_target("Corrected vs exact search, uncached", "<= 2x", measured, worst[0] <= 2))
    else:
        targets.append(_target("Corrected vs exact search, uncached", "<= 2x", "not measured", None))
    return targets


def search_ratios(results: dict) -> dict:
    """The two ratios of issue 12, from the medians: each kind at the largest
    size against the smallest, and corrected against exact at each size."""
    search = results.get("search", {})
    sizes = sorted(search, key=int)
    ratios = {"growth": {}, "corrected_vs_exact": {}, "smallest": None, "largest": None}
    if not sizes:
        return ratios
    low, high = search[sizes[0]], search[sizes[-1]]
    ratios.update(smallest=int(sizes[0]), largest=int(sizes[-1]))
    if len(sizes) > 1:
        for kind in ("exact", "corrected"):
            for measure in ("ms", "sql_ms"):
                key = f"{kind}_median_{measure}" if measure == "sql_ms" else f"{kind}_median_ms"
                if low.get(key) and high.get(key) is not None:
                    ratios["growth"][f"{kind}_{measure}"] = round(high[key] / low[key], 2)
    for size in sizes:
        ratios["corrected_vs_exact"][size] = search[size]["corrected_vs_exact"]
    return ratios


def _search_table(results: dict) -> list[str]:
    search = results.get("search", {})
    if not search:
        return []
    sizes = sorted(search, key=int)
    repeats = search[sizes[0]].get("repeats", 5)
    aircraft = [search[s].get("aircraft", int(s)) for s in sizes]
    ratios = search_ratios(results)
    lines = ["", "#### Search, uncached: the ratios", ""]
    if len(sizes) > 1:
        growth = ratios["growth"]
        lines += [
            f"| | {aircraft[0]:,} aircraft ms | {aircraft[-1]:,} aircraft ms "
            f"| x at {aircraft[-1]:,} vs {aircraft[0]:,} (target <= 2) | SQL ms, same sizes | SQL x |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind in ("exact", "corrected"):
            low, high = search[sizes[0]], search[sizes[-1]]
            sql = (
                f"{_ms(low.get(f'{kind}_median_sql_ms'))} / {_ms(high.get(f'{kind}_median_sql_ms'))}"
                if low.get(f"{kind}_median_sql_ms") is not None
                else "–"
            )
            sql_growth = growth.get(f"{kind}_sql_ms")
            lines.append(
                f"| {kind} queries, median | {_ms(low[f'{kind}_median_ms'])} | {_ms(high[f'{kind}_median_ms'])} | "
                f"**x{growth.get(f'{kind}_ms', 0):.2f}** | {sql} | "
                + ("–" if sql_growth is None else f"x{sql_growth:.2f}")
                + " |"
            )
        for kind in ("exact", "corrected"):
            worst = max(
                (search[sizes[-1]][kind][q]["ms"] / row["ms"], q)
                for q, row in search[sizes[0]][kind].items()
                if row.get("ms") and q in search[sizes[-1]][kind]
            )
            lines.append(f"| {kind}: the query that grew most (not a target) | | | x{worst[0]:.2f} ({worst[1]}) | | |")
        lines.append("")
    if "cpu_busy_during" in search[sizes[0]]:
        busy = ", ".join(
            f"{a:,}: {search[s]['cpu_busy_before']:.0%} / {search[s]['cpu_busy_during']:.0%}"
            for s, a in zip(sizes, aircraft, strict=True)
        )
        lines += [f"Whole machine's CPUs busy before / during the probe (the probe itself included): {busy}.", ""]
    lines += [
        "| corrected vs exact (target <= 2) | " + " | ".join(f"{a:,} aircraft" for a in aircraft) + " |",
        "|---|" + "---:|" * len(sizes),
        "| median corrected / median exact | "
        + " | ".join(f"**x{ratios['corrected_vs_exact'][s]:.2f}**" for s in sizes)
        + " |",
        "",
        f"#### Search, uncached (median of {repeats} rounds per query, server time through the full middleware "
        "stack; SQL: the time of the request's queries)",
        "",
        "| query | kind | "
        + " | ".join(f"{a:,}: ms / SQL ms" for a in aircraft)
        + (f" | x at {aircraft[-1]:,}" if len(sizes) > 1 else "")
        + " | results | searched for |",
        "|---|---|" + "---:|" * len(sizes) + ("---:|" if len(sizes) > 1 else "") + "---:|---|",
    ]
    first, last = search[sizes[0]], search[sizes[-1]]
    for kind in ("exact", "corrected"):
        for query, row in first[kind].items():
            rows = [search[s][kind].get(query, {}) for s in sizes]
            cells = [f"{_ms(r.get('ms'))} / {_ms(r.get('sql_ms'))}" for r in rows]
            growth = ""
            if len(sizes) > 1:
                high = last[kind].get(query, {}).get("ms")
                growth = " | –" if not high or not row.get("ms") else f" | x{high / row['ms']:.2f}"
            found = rows[-1].get("results", "–")
            if rows[-1].get("more"):
                found = f"more than {last.get('candidates', 0):,}"
            lines.append(
                f"| {query} | {kind} | "
                + " | ".join(cells)
                + growth
                + f" | {found} | {row['corrected'] or 'as typed'} |"
            )
        medians = [
            f"{_ms(search[s][f'{kind}_median_ms'])} / {_ms(search[s].get(f'{kind}_median_sql_ms'))}" for s in sizes
        ]
        growth = ""
        if len(sizes) > 1:
            growth = f" | x{ratios['growth'].get(f'{kind}_ms', 0):.2f}"
        lines.append(f"| **median** | {kind} | " + " | ".join(medians) + growth + " | | |")
    return lines


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _rps(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pct(part: float | None, whole: float | None) -> str:
    return "–" if not part or not whole else f"{part / whole:.0%}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def _target_line(target: dict) -> str:
    return f"| {target['target']} | {target['goal']} | {target['measured']} | {_verdict(target['met'])} |"


def _broker_line(meta: dict) -> str:
    check = meta.get("broker_schema_check", "unrecorded")
    if check is None:
        return "Broker: the one `KAFKA_BOOTSTRAP_SERVERS` names (not started by the benchmark)."
    if check == "unrecorded":  # runs from before the option
        return "Broker: the embedded broker, checking every record against its JSON Schema."
    if check:
        return (
            "Broker: the embedded broker, checking every record against its JSON Schema (`--broker-schema-check on`)."
        )
    return (
        "Broker: the embedded broker **without its per-record JSON Schema check** (the default, "
        "`--broker-schema-check off`), as Apache Kafka and Confluent Cloud run by default; `make test` keeps "
        "the check on. With it on, each event cost the broker about 150 us more CPU on this machine "
        "(bench/README.md)."
    )


def _tuned_lines(meta: dict) -> list[str]:
    tuned = meta.get("tuned")
    if not tuned:  # the settings' defaults (or a run from before they were recorded)
        return []
    settings = ", ".join(f"`{name}={value}`" for name, value in sorted(tuned.items()))
    return ["", f"**Tuned for this run**, from the environment rather than the settings' defaults: {settings}."]


def _median_steal(results: dict) -> float | None:
    """The hypervisor's share of the CPU time in the median page run; None for runs from before it was recorded."""
    shares = sorted(row["cpu_stolen"] for row in results["pages"] if "cpu_stolen" in row)
    return shares[len(shares) // 2] if shares else None


def _steal_lines(results: dict) -> list[str]:
    """How much of the machine the hypervisor gave away during the measured runs (runs before it was recorded: none)."""
    median = _median_steal(results)
    if median is None:
        return []
    worst = max((row for row in results["pages"] if "cpu_stolen" in row), key=lambda row: row["cpu_stolen"])
    return [
        "",
        f"Steal: the hypervisor gave {median:.0%} of this machine's CPU time to other machines "
        f"in the median page run, {worst['cpu_stolen']:.0%} in the worst ({PAGE_NAMES[worst['page']]}, "
        f"{worst['size']:,} aircraft, events {worst['events']}; the worse half of a page's halves; /proc/stat). "
        "Throughput ratios within a run hold only as far as that share stayed even.",
    ]


ROLES = ("site", "redis", "kafka", "consumer", "postgres", "relay", "wrk")


def _cpu_table(results: dict, sizes: list[int], pages: list[str], modes: list[str]) -> list[str]:
    """CPU time per request of each process (bench/run.py cpu_us_per_request)."""
    if not any(row.get("cpu_us_per_request") for row in results["pages"]):
        return []
    lines = [
        "",
        "#### CPU per request, by process (us)",
        "",
        "Each process's CPU time (utime + stime, all threads, from /proc) during the measured run, divided by "
        "the requests served: site = gunicorn's master and workers (librdkafka's threads included), "
        "kafka = the broker, postgres = the server and its backends, consumer and relay = the two "
        "commands, wrk = the load generator. 10 ms clock ticks: about +-2 us per request in a 10 s run. "
        "A run in which gunicorn replaced a worker (max_requests) misses that worker's CPU (marked *).",
        "",
        "| size | page | events | " + " | ".join(ROLES) + " | total |",
        "|---:|---|---|" + "---:|" * (len(ROLES) + 1),
    ]
    for size in sizes:
        for page in pages:
            for events in modes:
                row = page_row(results, page, size, events)
                if not row or not row.get("cpu_us_per_request"):
                    continue
                cpu = row["cpu_us_per_request"]
                mark = "*" if row.get("workers_replaced") else ""
                lines.append(
                    f"| {size:,} | {PAGE_NAMES[page]} | {events} | "
                    + " | ".join(f"{cpu.get(r, 0):.0f}" + (mark if r == "site" else "") for r in ROLES)
                    + f" | {sum(cpu.get(r, 0) for r in ROLES):.0f} |"
                )
    return lines


def search_markdown(results: dict) -> str:
    """A search-only run (python -m bench.run --search-only)."""
    meta = results["meta"]
    versions = meta["versions"]
    lines = [
        f"### Search benchmark of {meta['started'][:16].replace('T', ' ')} UTC",
        "",
        f"{meta['cpu_count']} CPUs ({meta['cpu_model']}), {meta['memory_gb']} GB; Python {versions['python']}, "
        f"Django {versions['django']}, PostgreSQL {versions['postgresql']}; settings {meta['settings']}. "
        f"Commit {meta['git']}; the run took {meta.get('duration_s', 0) / 60:.1f} min. "
        "`python -m bench.run --search-only` (bench/probe.py search): each catalogue size in turn, every query "
        "of the list once per round, the catalogue stamp refreshed before each request so no page is cached.",
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
    ]
    targets = results.get("targets") or search_targets(results, min(meta["sizes"]), max(meta["sizes"]))
    lines += [_target_line(t) for t in targets]
    lines += _search_table(results)
    return "\n".join(lines) + "\n"


def markdown(results: dict) -> str:
    meta = results["meta"]
    versions = meta["versions"]
    floor = floor_rps(results)
    sizes = sorted(meta["sizes"])
    lines = [
        f"### Benchmark run of {meta['started'][:16].replace('T', ' ')} UTC"
        + (" (quick)" if meta.get("quick") else ""),
        "",
        f"{meta['cpu_count']} CPUs ({meta['cpu_model']}), {meta['memory_gb']} GB; "
        f"Python {versions['python']}, Django {versions['django']}, gunicorn {versions['gunicorn']} "
        f"({meta['gunicorn']['WEB_CONCURRENCY']} sync workers, `{meta['gunicorn']['config']}`), "
        f"PostgreSQL {versions['postgresql']}, librdkafka {versions['librdkafka']}, {versions['broker']}; "
        f"{versions['wrk']}, {meta['wrk']['threads']} threads, {meta['wrk']['connections']} connections, "
        f"{meta['wrk']['duration_s']:g} s per page after {meta['wrk']['warmup_s']:g} s warm-up. "
        f"Commit {meta['git']}; the whole run took {meta.get('duration_s', 0) / 60:.1f} min.",
        "",
        _broker_line(meta),
        *_tuned_lines(meta),
        *_steal_lines(results),
        "",
        "#### Targets",
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
    ]
    lines += [_target_line(t) for t in results.get("targets") or evaluate(results)]

    lines += ["", "#### The floor", "", "| reference | req/s | p50 ms | p99 ms | bytes |", "|---|---:|---:|---:|---:|"]
    for when in ("before", "after"):
        for name, row in results["floor"].get(when, {}).items():
            lines.append(
                f"| {name} ({when} the pages) | {_rps(row['rps'])} | {_ms(row['latency_ms'].get('50'))} | "
                f"{_ms(row['latency_ms'].get('99'))} | {row['bytes_per_response']:,} |"
            )
    beside = results["floor"].get(FLOOR_BESIDE, {})
    for size, row in sorted(beside.items(), key=lambda item: int(item[0])):
        lines.append(
            f"| floor (beside the detail page, {int(size):,} aircraft) | {_rps(row['rps'])} | "
            f"{_ms(row['latency_ms'].get('50'))} | {_ms(row['latency_ms'].get('99'))} | {row['bytes_per_response']:,} |"
        )
    lines.append(
        f"\nPercentages below are of the floor's mean, {_rps(floor)} req/s"
        + (
            "; the detail page's share of the floor in the targets is of the floor measured in its own rounds."
            if beside
            else "."
        )
    )

    modes = meta.get("events_modes", ["on", "off"])
    for size in sizes:
        queries = results.get("queries", {}).get(str(size), {})
        aircraft = queries.get("aircraft", size)
        lines += [
            "",
            f"#### Pages at {aircraft:,} aircraft",
            "",
            "| page | events | req/s | of floor | p50 ms | p99 ms | on/off | queries uncached / cached "
            "| uncached ms | errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for page in meta["pages"]:
            q = queries.get(page, {})
            for events in modes:
                row = page_row(results, page, size, events)
                if row is None:
                    continue
                other = page_row(results, page, size, "off") if events == "on" else None
                lines.append(
                    f"| {PAGE_NAMES[page]} | {events} | {_rps(row['rps'])} | {_pct(row['rps'], floor)} | "
                    f"{_ms(row['latency_ms'].get('50'))} | {_ms(row['latency_ms'].get('99'))} | "
                    f"{_pct(row['rps'], other['rps']) if other else ''} | "
                    f"{q.get('queries_cold', '–')} / {q.get('queries_warm', '–')} | {_ms(q.get('uncached_ms'))} | "
                    f"{row['errors']} |"
                )
        if str(size) in beside:
            shares = [
                f"{_pct(row['rps'], beside[str(size)]['rps'])} of it with events {events}"
                for events in modes
                if (row := page_row(results, "detail", size, events))
            ]
            lines.append(
                f"\nThe floor measured in the detail page's rounds: {_rps(beside[str(size)]['rps'])} req/s; "
                f"the detail page is {', '.join(shares)}."
            )

    if len(sizes) > 1:
        lines += [
            "",
            "#### Scale (events on)",
            "",
            "| page | " + " | ".join(f"{s:,}: p50 / p99 ms" for s in sizes) + f" | p99 x at {sizes[-1]:,} "
            "| uncached ms: "
            + " / ".join(f"{s:,}" for s in sizes)
            + " | queries: "
            + " / ".join(f"{s:,}" for s in sizes)
            + " |",
            "|---|" + "---:|" * (len(sizes) + 3),
        ]
        for page in meta["pages"]:
            rows = [page_row(results, page, s, "on") for s in sizes]
            qs = [results.get("queries", {}).get(str(s), {}).get(page, {}) for s in sizes]
            cells = [f"{_ms(r['latency_ms'].get('50'))} / {_ms(r['latency_ms'].get('99'))}" if r else "–" for r in rows]
            growth = (
                f"{rows[-1]['latency_ms']['99'] / rows[0]['latency_ms']['99']:.2f}" if rows[0] and rows[-1] else "–"
            )
            lines.append(
                f"| {PAGE_NAMES[page]} | "
                + " | ".join(cells)
                + f" | {growth} | "
                + " / ".join(_ms(q.get("uncached_ms")) for q in qs)
                + " | "
                + " / ".join(str(q.get("queries_cold", "–")) for q in qs)
                + " |"
            )

    lines += _cpu_table(results, sizes, meta["pages"], modes)
    lines += _search_table(results)

    events = results.get("events", {})
    producer, relay, consumer = events.get("producer", {}), events.get("relay", {}), events.get("consumer", {})
    delay = results.get("view_to_count", {})
    lines += ["", "#### Event pipeline", "", "| stage | events | events/s | detail |", "|---|---:|---:|---|"]
    if producer:
        lines.append(
            f"| producer (one process) | {producer['events']:,} | {producer['delivered_per_s']:,} | noted "
            f"{producer['note_per_s']:,}/s, publish {producer['publish_per_s']:,}/s, flush (envelopes made and sent) "
            f"{producer['flush_seconds']} s; {producer['not_acknowledged']} unacknowledged, "
            f"{producer['spooled_to_outbox']} spooled |"
        )
    if relay:
        lines.append(
            f"| relay drain | {relay['delivered']:,} | {relay['drain_per_s']:,} | outbox insert "
            f"{relay['outbox_store_per_s']:,}/s; {relay['failed']} failed |"
        )
    if consumer:
        lines.append(
            f"| consumer aggregation | {consumer['applied'] + consumer['duplicates']:,} | {consumer['apply_per_s']:,} "
            f"| {consumer['batches']} batches; {consumer['method']} |"
        )
    if delay.get("on_site_s"):
        lines.append(
            f"| page view -> count | {len(delay['on_site_s'])} | | on the site (API) after "
            f"{', '.join(_ms(v) for v in delay['on_site_s'])} s; in the database after "
            f"{', '.join(_ms(v) for v in delay['in_database_s'])} s; the first view, which waited for the "
            f"consumer group to join, {delay['first_view_incl_group_join_s']} s |"
        )
    for pipeline in results.get("pipeline", []):
        lines.append(
            f"| after the events-on pages at {pipeline['size']:,} | {pipeline['views_counted']:,} views counted "
            f"| | {pipeline['detail_requests_completed']:,} detail pages served; consumer lag "
            f"{pipeline['lag_at_end_of_run']:,} at the end, drained in {pipeline['drained_in_s']} s "
            f"(left: {pipeline['lag_left']}, outbox {pipeline['outbox_left']}) |"
        )
    return "\n".join(lines) + "\n"


def median_markdown(runs: list[dict], names: list[str]) -> str:
    """Issue 13's targets judged on the median of several saved runs, each run's
    value beside it, and what the runs differ in (machine, commit, steal)."""
    summary = median_of_runs(runs)
    sizes = summary["sizes"]
    lines = [
        f"### Issue 13 over {len(runs)} full runs: the median",
        "",
        "| run | started (UTC) | commit | machine | floor req/s | steal, median page run |",
        "|---|---|---|---|---:|---:|",
    ]
    for name, run in zip(names, runs, strict=True):
        meta, steal = run["meta"], _median_steal(run)
        lines.append(
            f"| {name} | {meta['started'][:16].replace('T', ' ')} | {meta['git']} | {meta['cpu_model']} "
            f"| {_rps(floor_rps(run))} | {'not recorded' if steal is None else f'{steal:.0%}'} |"
        )
    machines = {run["meta"]["cpu_model"] for run in runs}
    commits = {run["meta"]["git"] for run in runs}
    if len(machines) > 1 or len(commits) > 1:
        lines += [
            "",
            "**These runs differ in "
            + " and ".join(
                what for what, differs in (("machine", len(machines) > 1), ("commit", len(commits) > 1)) if differs
            )
            + "**: their median mixes them, so read each run's column too.",
        ]
    lines += ["", "| target | goal | median | |", "|---|---|---|---|"]
    lines += [_target_line(t) for t in summary["targets"]]
    lines += [
        "",
        "| measure | " + " | ".join(names) + " | median |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for name, goal, shown, meets in ISSUE13_DETAIL:
        shown = _precise(shown)
        for size, each in summary["values"][name].items():
            median = summary["medians"][name][size]
            mark = "" if meets(median) else " **(missed)**"
            lines.append(
                f"| {name} at {size:,} ({goal}) | "
                + " | ".join(shown.format(value) for value in each)
                + f" | {shown.format(median)}{mark} |"
            )
    others = sorted(summary["medians"]["others"].items(), key=lambda item: item[1])
    for (page, events, size), median in others[:5]:
        each = summary["values"]["others"][(page, events, size)]
        mark = "" if median >= OTHER_PAGES_GOAL else " **(missed)**"
        lines.append(
            f"| {PAGE_NAMES[page]}, events {events}, at {size:,}, of the floor (>= 45%) | "
            + " | ".join(f"{value:.1%}" for value in each)
            + f" | {median:.1%}{mark} |"
        )
    lines += [
        "",
        f"Sizes every run measured: {', '.join(f'{size:,}' for size in sizes)}. The other pages: the five lowest "
        "medians. Each ratio is taken within its own run (against that run's floor, or its own events-off "
        "page), then the median across runs; the p99 is each run's worse half.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", default=["bench/results/latest.json"], help="saved runs (JSON)")
    parser.add_argument(
        "--median", action="store_true", help="judge issue 13's targets on the median of the runs given"
    )
    args = parser.parse_args(argv)
    try:
        runs = [json.loads(Path(name).read_text()) for name in args.results]
    except (OSError, ValueError) as error:
        parser.error(f"cannot read a run: {error}")
    if args.median:
        if len(runs) < 2:
            parser.error("--median needs two runs or more")
        if any(run["meta"].get("quick") for run in runs):
            parser.error("--median takes full runs only: a quick run measures one size for 3 s")
        try:
            print(median_markdown(runs, [Path(name).stem for name in args.results]))
        except ValueError as error:
            parser.error(str(error))
        return 0
    if len(runs) != 1:
        parser.error("one run at a time, or several with --median")
    runs[0]["targets"] = evaluate(runs[0])
    print(markdown(runs[0]))
    return 0


def replace_section(document: str, section: str, start: str = START, end: str = END) -> str:
    """Put section between the README's markers (appended, with markers, if there are none)."""
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in document and end in document:
        before, rest = document.split(start, 1)
        _old, after = rest.split(end, 1)
        return before + block + after
    return document.rstrip() + "\n\n" + block + "\n"


if __name__ == "__main__":
    sys.exit(main())
