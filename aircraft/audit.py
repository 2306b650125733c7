"""What is wrong with, or missing from, the catalogue in the database.

`manage.py audit_catalogue` prints this report; CI fails it on contradictions.
The audit reads what a visitor sees: a variant's *effective* figures, dates and
powerplant (its own, else its base type's; see services.effective_figures).

Five parts, each a list the command can fail on:

- **completeness**: for each group of aircraft (fixed-wing, rotorcraft, every
  aircraft, airliners, retired types) the share that has each expected figure,
  and the aircraft missing it, also broken down by role;
- **contradictions**: figures that cannot all be true (see CONTRADICTIONS);
- **landing pages**: sources whose URL cannot be the page that holds a figure
  (see landing_page_reason for the rule);
- **unsourced**: a date, production or powerplant block with values but no source
  (a figure cannot lack one: the database refuses it);
- **duplicates**: aircraft that share a designation key or a display name.

A contradiction is reported on the aircraft that gives at least one of the
figures involved, so a base type's contradiction is not repeated on every variant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from .configuration import engine_misfit
from .models import CONFIGURATION_FIELDS, SOURCED_FIELDS, Aircraft, AircraftSource, Figure
from .services import effective_figures

# --- Speed against Mach --------------------------------------------------------

# ISA speed of sound, in knots, at sea level and from the tropopause (11,000 m) up.
SOUND_KN_SEA_LEVEL = 661.5
SOUND_KN_STRATOSPHERE = 573.6
TROPOPAUSE_M = 11_000.0
KMH_PER_KN = 1.852
# How far a Mach figure may sit outside the band its speed allows before it counts
# as a contradiction: sources round, and "Mach 2" is rarely exactly 2.00.
MACH_TOLERANCE = 0.05

_ALTITUDE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(ft|feet|foot|m|metres|meters)\b")
_FLIGHT_LEVEL = re.compile(r"\bfl\s?(\d{2,3})\b")


def speed_of_sound_kn(altitude_m: float) -> float:
    """ISA speed of sound at an altitude; constant from the tropopause up."""
    height = min(max(altitude_m, 0.0), TROPOPAUSE_M)
    temperature = 288.15 - 0.0065 * height
    return SOUND_KN_SEA_LEVEL * math.sqrt(temperature / 288.15)


def altitudes_m(condition: str) -> list[float]:
    """The altitudes a figure's condition states ("at 36,000 ft", "FL350", "at sea level")."""
    text = condition.casefold()
    found = [
        float(value.replace(",", "")) * (0.3048 if unit.startswith("f") else 1)
        for value, unit in _ALTITUDE.findall(text)
    ]
    found += [float(level) * 100 * 0.3048 for level in _FLIGHT_LEVEL.findall(text)]
    if "sea level" in text:
        found.append(0.0)
    return found


@dataclass(frozen=True)
class MachBand:
    """The Mach numbers a speed allows: low to high (None: no upper limit)."""

    low: float
    high: float | None

    def admits(self, mach: float, tolerance: float = MACH_TOLERANCE) -> bool:
        if mach < self.low * (1 - tolerance):
            return False
        return self.high is None or mach <= self.high * (1 + tolerance)

    def describe(self) -> str:
        if self.high is None:
            return f"at least Mach {self.low:.2f}"
        if math.isclose(self.low, self.high, rel_tol=1e-3):
            return f"Mach {self.low:.2f}"
        return f"Mach {self.low:.2f} to {self.high:.2f}"


def mach_band(speed_kn: float, *, sea_level: bool, condition: str = "") -> MachBand:
    """The Mach numbers consistent with a speed in knots.

    A speed at sea level fixes its own Mach number, and the aircraft's maximum
    Mach (reached higher up) can only be at least that. A speed at altitude is
    Mach speed / 661.5 if it was flown at sea level and speed / 573.6 at or above
    11,000 m; where the condition states the altitude, at that altitude.
    """
    if sea_level:
        return MachBand(speed_kn / SOUND_KN_SEA_LEVEL, None)
    stated = altitudes_m(condition)
    lowest, highest = (min(stated), max(stated)) if stated else (0.0, TROPOPAUSE_M)
    return MachBand(speed_kn / speed_of_sound_kn(lowest), speed_kn / speed_of_sound_kn(highest))


# --- Landing pages -------------------------------------------------------------

# A path segment that names a language or region: en, en-us, zh-hans, pt_BR.
_LOCALE = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$")
# A path segment that names a section of a site, never one aircraft.
SECTION_WORDS = frozenset(
    {
        "about", "about-us", "aboutus", "company", "corporate", "history", "our-history", "who-we-are",
        "heritage", "home", "index", "global", "international", "sitemap", "search",
        "products", "products-services", "our-products", "solutions", "what-we-do", "capabilities",
        "aircraft", "our-aircraft", "fleet", "civil", "commercial", "business", "defence", "defense",
        "military", "military-aircraft", "helicopters", "civil-helicopters", "military-helicopters", "aviation",
        "news", "media", "press", "newsroom", "resources", "documents", "document-library", "library", "downloads",
        "fact-sheets", "factsheets", "fact-files", "collections", "collection", "exhibits", "museum",
    }
)  # fmt: skip
_INDEX_FILE = re.compile(r"^(?:index|default|home)(?:\.[a-z]+)?$")
# Index pages that look specific but list documents instead of holding figures:
# (host without "www.", path without trailing slash, both lower case), matched exactly,
# so the documents under them (an individual TCDS, say) are not caught.
KNOWN_INDEX_PAGES = {
    ("easa.europa.eu", "/en/document-library/type-certificates"): "EASA's index of type certificates",
    ("boeing.com", "/commercial/airports/plan_manuals.page"): "Boeing's index of airport-planning documents",
    (
        "aircraft.airbus.com",
        "/en/customer-care/fleet-wide-care/airport-operations-and-aircraft-characteristics/aircraft-characteristics",
    ): "Airbus' general aircraft-characteristics page",
    ("nationalmuseum.af.mil", "/visit/museum-exhibits/fact-sheets"): "the museum's index of fact sheets",
}


def landing_page_reason(url: str) -> str | None:
    """Why a source URL is a landing or index page rather than one that holds figures; None if it is not.

    The rule, in order:
    1. a known index page (KNOWN_INDEX_PAGES), whatever its query string;
    2. otherwise a URL with a query string is taken as a document (``?id=123``);
    3. the path, once a trailing ``index.html``/``default.aspx`` is dropped, is empty or ``/``;
    4. every segment of the path is a language code or a section word (``/en/``, ``/products/``,
       ``/company/history``): such a path names a part of a site, never one aircraft.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.casefold().rstrip("/")
    known = KNOWN_INDEX_PAGES.get((host, path))
    if known:
        return f"a known index page ({known})"
    if parts.query:
        return None
    segments = [segment for segment in path.split("/") if segment]
    if segments and _INDEX_FILE.match(segments[-1]):
        segments.pop()
    if not segments:
        return "the site's home page"
    if all(_LOCALE.match(segment) or segment in SECTION_WORDS for segment in segments):
        return f"a section page ({'/'.join(segments)}/), not a page about one aircraft"
    return None


# --- What every record should have -------------------------------------------------

FIXED_WING, ROTORCRAFT, EVERY, AIRLINERS, RETIRED = "fixed-wing", "rotorcraft", "all", "airliners", "retired"
COMPLETENESS_TARGET = 0.9  # issue 10: nine in ten
WHY_NO_SERVICE = (Aircraft.Status.IN_DEVELOPMENT, Aircraft.Status.CANCELLED, Aircraft.Status.RESEARCH)


@dataclass
class Facts:
    """One aircraft as a visitor sees it: own values, else its base type's."""

    plane: Aircraft
    figures: dict[tuple[str, str], Figure]

    def has(self, quantity: str, kind: str | None = None) -> bool:
        return any(q == quantity and (kind is None or k == kind) for q, k in self.figures)

    def value(self, attribute: str):
        return self.plane.inherited(attribute)[0]

    def block(self, fields: tuple[str, ...]) -> Aircraft | None:
        """The aircraft whose production or powerplant block applies (the first in the lineage that has one)."""
        return next((m for m in self.plane.lineage() if any(getattr(m, f) not in (None, "") for f in fields)), None)

    def block_value(self, fields: tuple[str, ...], attribute: str):
        holder = self.block(fields)
        return getattr(holder, attribute) if holder else None


PRODUCTION = ("production_first_year", "production_last_year", "number_built", "number_built_year")
POWERPLANT = ("engine_count", "engine_model", "engine_type")


@dataclass(frozen=True)
class Requirement:
    group: str
    code: str
    label: str
    met: Callable[[Facts], bool]


def _group_of(plane: Aircraft) -> tuple[str, ...]:
    groups = [ROTORCRAFT if plane.is_rotorcraft else FIXED_WING, EVERY]
    if plane.role in (Aircraft.Role.AIRLINER, Aircraft.Role.REGIONAL):
        groups.append(AIRLINERS)
    if plane.status == Aircraft.Status.RETIRED:
        groups.append(RETIRED)
    return tuple(groups)


REQUIREMENTS = (
    Requirement(FIXED_WING, "length", "length", lambda f: f.has("length")),
    Requirement(FIXED_WING, "wingspan", "wingspan", lambda f: f.has("wingspan")),
    Requirement(FIXED_WING, "height", "height", lambda f: f.has("height")),
    Requirement(FIXED_WING, "max_takeoff_weight", "max take-off weight", lambda f: f.has("max_takeoff_weight")),
    Requirement(
        FIXED_WING,
        "max_speed",
        "maximum speed or Mach",
        lambda f: f.has("max_speed") or f.has("mach", "maximum"),
    ),
    Requirement(FIXED_WING, "range", "range (any kind)", lambda f: f.has("range")),
    Requirement(FIXED_WING, "service_ceiling", "service ceiling", lambda f: f.has("service_ceiling")),
    Requirement(FIXED_WING, "first_flight", "first flight", lambda f: f.value("first_flight_year") is not None),
    Requirement(
        FIXED_WING,
        "entered_service",
        "entry into service (or a status saying why not)",
        lambda f: f.value("entered_service_year") is not None or f.plane.status in WHY_NO_SERVICE,
    ),
    Requirement(ROTORCRAFT, "rotor_diameter", "rotor diameter", lambda f: f.has("rotor_diameter")),
    Requirement(ROTORCRAFT, "length", "length", lambda f: f.has("length")),
    Requirement(ROTORCRAFT, "max_takeoff_weight", "max take-off weight", lambda f: f.has("max_takeoff_weight")),
    Requirement(ROTORCRAFT, "max_speed", "maximum speed", lambda f: f.has("max_speed")),
    Requirement(ROTORCRAFT, "range", "range (any kind)", lambda f: f.has("range")),
    Requirement(ROTORCRAFT, "service_ceiling", "service ceiling", lambda f: f.has("service_ceiling")),
    Requirement(EVERY, "engine_count", "engine count", lambda f: f.block_value(POWERPLANT, "engine_count") is not None),
    Requirement(EVERY, "engine_model", "engine model", lambda f: bool(f.block_value(POWERPLANT, "engine_model"))),
    Requirement(EVERY, "crew", "crew", lambda f: f.has("crew")),
    Requirement(AIRLINERS, "passengers", "passengers", lambda f: f.has("passengers")),
    Requirement(RETIRED, "retired", "retirement year", lambda f: f.value("retired_year") is not None),
)
GROUP_LABELS = {
    FIXED_WING: "Fixed-wing",
    ROTORCRAFT: "Rotorcraft (helicopters, tiltrotors)",
    EVERY: "Every aircraft",
    AIRLINERS: "Airliners and regional airliners",
    RETIRED: "Retired types",
}


# --- The report --------------------------------------------------------------------

CONTRADICTIONS, LANDING_PAGES, UNSOURCED, DUPLICATES, COMPLETENESS = (
    "contradictions",
    "landing-pages",
    "unsourced",
    "duplicates",
    "completeness",
)
CATEGORIES = (CONTRADICTIONS, LANDING_PAGES, UNSOURCED, DUPLICATES, COMPLETENESS)


@dataclass(frozen=True)
class Finding:
    check: str  # e.g. "speed-vs-mach", "landing-page"
    aircraft: tuple[str, ...]  # slugs
    message: str

    def line(self) -> str:
        return f"{', '.join(self.aircraft)}: {self.message}"


@dataclass
class Coverage:
    """How many aircraft of a group have one expected figure."""

    group: str
    field: str
    label: str
    total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return self.total - len(self.missing)

    @property
    def share(self) -> float:
        return self.filled / self.total if self.total else 1.0

    @property
    def meets_target(self) -> bool:
        return self.share >= COMPLETENESS_TARGET


@dataclass
class GroupCompleteness:
    group: str
    total: int = 0
    complete: int = 0  # aircraft with every field of the group
    fields: list[Coverage] = field(default_factory=list)


@dataclass
class AuditReport:
    aircraft: int = 0
    sources: int = 0
    figures: int = 0
    completeness: list[GroupCompleteness] = field(default_factory=list)
    missing_by_role: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # role -> field -> slugs
    role_totals: dict[str, int] = field(default_factory=dict)
    contradictions: list[Finding] = field(default_factory=list)
    landing_pages: list[Finding] = field(default_factory=list)
    unsourced: list[Finding] = field(default_factory=list)
    duplicates: list[Finding] = field(default_factory=list)

    def below_target(self) -> list[Finding]:
        return [
            Finding(
                "below-target",
                (),
                f"{group.group}: {coverage.label} {coverage.share:.0%} ({coverage.filled}/{coverage.total}),"
                f" below {COMPLETENESS_TARGET:.0%}",
            )
            for group in self.completeness
            for coverage in group.fields
            if not coverage.meets_target
        ]

    def findings(self, category: str) -> list[Finding]:
        return {
            CONTRADICTIONS: self.contradictions,
            LANDING_PAGES: self.landing_pages,
            UNSOURCED: self.unsourced,
            DUPLICATES: self.duplicates,
            COMPLETENESS: self.below_target(),
        }[category]

    def counts(self) -> dict[str, int]:
        return {category: len(self.findings(category)) for category in CATEGORIES}

    def failures(self, categories: Iterable[str]) -> dict[str, list[Finding]]:
        """The findings of each category asked about that has any."""
        return {category: self.findings(category) for category in categories if self.findings(category)}

    def as_dict(self) -> dict:
        return {
            "aircraft": self.aircraft,
            "sources": self.sources,
            "figures": self.figures,
            "counts": self.counts(),
            "completeness": [
                {
                    "group": group.group,
                    "aircraft": group.total,
                    "complete": group.complete,
                    "fields": [
                        {
                            "field": c.field,
                            "label": c.label,
                            "filled": c.filled,
                            "total": c.total,
                            "share": round(c.share, 4),
                            "meets_target": c.meets_target,
                            "missing": c.missing,
                        }
                        for c in group.fields
                    ],
                }
                for group in self.completeness
            ],
            "missing_by_role": {
                role: {"aircraft": self.role_totals[role], "missing": fields}
                for role, fields in self.missing_by_role.items()
            },
            **{
                category.replace("-", "_"): [asdict(finding) for finding in self.findings(category)]
                for category in (CONTRADICTIONS, LANDING_PAGES, UNSOURCED, DUPLICATES)
            },
            "below_target": [finding.message for finding in self.below_target()],
        }


# --- The checks ----------------------------------------------------------------------


def _contradictions(plane: Aircraft, facts: Facts, sources: dict[int, AircraftSource]) -> list[Finding]:
    found: list[Finding] = []
    slug = (plane.slug,)

    def own(*figures: Figure) -> bool:
        return any(figure.aircraft_id == plane.pk for figure in figures)

    def says(figure: Figure) -> str:
        value = f"Mach {figure.value}" if figure.unit == "mach" else f"{figure.value} {figure.unit}"
        condition = f" {figure.condition}" if figure.condition else ""
        return value + condition + ("" if figure.aircraft_id == plane.pk else " (inherited)")

    for speed_key, mach_key, check in (
        (("max_speed", "at-altitude"), ("mach", "maximum"), "speed-vs-mach"),
        (("max_speed", "sea-level"), ("mach", "maximum"), "speed-vs-mach"),
        (("max_speed", "unstated"), ("mach", "maximum"), "speed-vs-mach"),  # anywhere from sea level up
        (("cruise_speed", "typical"), ("mach", "cruise"), "cruise-vs-mach"),
    ):
        speed, mach = facts.figures.get(speed_key), facts.figures.get(mach_key)
        if not (speed and mach and own(speed, mach)):
            continue
        knots = float(speed.metric_value) / KMH_PER_KN
        band = mach_band(knots, sea_level=speed_key[1] == "sea-level", condition=speed.condition)
        if not band.admits(float(mach.metric_value)):
            found.append(
                Finding(
                    check,
                    slug,
                    f"{speed.label} {says(speed)} ({knots:,.0f} kn) is {band.describe()}, but the"
                    f" {mach.spec.kind_label(mach.kind)} Mach is {says(mach)},"
                    f" beyond what altitude explains (±{MACH_TOLERANCE:.0%})",
                )
            )

    mtow = facts.figures.get(("max_takeoff_weight", "overall"))
    for kind in ("empty", "operating"):
        empty = facts.figures.get(("empty_weight", kind))
        if empty and mtow and own(empty, mtow) and empty.metric_value > mtow.metric_value:
            found.append(
                Finding(
                    "empty-above-mtow",
                    slug,
                    f"{empty.label} {says(empty)} is more than the max take-off weight {says(mtow)}",
                )
            )

    def event(prefix: str):
        """(year, date or None, from the aircraft itself?) of an inherited date."""
        year, member = plane.inherited(f"{prefix}_year")
        if year is None:
            return None
        return year, getattr(member, f"{prefix}_date"), member.pk == plane.pk

    def before(a, b) -> bool:
        return a[1] < b[1] if a[1] and b[1] else a[0] < b[0]

    def shown(e) -> str:
        return (e[1].isoformat() if e[1] else str(e[0])) + ("" if e[2] else " (inherited)")

    first, service, retired = event("first_flight"), event("entered_service"), event("retired")
    if first and service and (first[2] or service[2]) and before(service, first):
        found.append(
            Finding(
                "service-before-first-flight",
                slug,
                f"entry into service {shown(service)} is before the first flight {shown(first)}",
            )
        )
    for name, earlier in (("entry into service", service), ("first flight", first)):
        if retired and earlier and (retired[2] or earlier[2]) and before(retired, earlier):
            found.append(
                Finding(
                    "retired-before-service",
                    slug,
                    f"retirement {shown(retired)} is before the {name} {shown(earlier)}",
                )
            )
            break
    if retired and plane.status == Aircraft.Status.ACTIVE:
        found.append(Finding("retired-but-active", slug, f"status is active but it retired in {shown(retired)}"))
    if (
        plane.production_first_year
        and plane.production_last_year
        and plane.production_last_year < plane.production_first_year
    ):
        found.append(
            Finding(
                "production-ends-before-start",
                slug,
                f"production ends in {plane.production_last_year}, before it starts ({plane.production_first_year})",
            )
        )

    # As the drawing reads them: each the first along the lineage that is set; reported where the record gives one.
    count = facts.value("engine_count")
    misfit = engine_misfit(facts.value("engine_placement"), count)
    if (plane.engine_placement or plane.engine_count) and misfit:
        found.append(Finding("engines-vs-layout", slug, f"{count} engine(s) {misfit}: the drawing leaves them out"))

    cited = [(f"figure {figure.label}", figure.source_id) for figure in facts.figures.values() if own(figure)]
    cited += [(name.removesuffix("_source").replace("_", " "), getattr(plane, f"{name}_id")) for name in SOURCED_FIELDS]
    for what, source_id in cited:
        source = sources.get(source_id) if source_id else None
        if source and source.aircraft_id != plane.pk:
            owner = source.aircraft.slug if source.aircraft_id else "?"
            found.append(
                Finding(
                    "source-of-another-aircraft",
                    slug,
                    f"the {what} cites source {source.key!r}, which belongs to {owner}",
                )
            )
    return found


def _unsourced(plane: Aircraft) -> list[Finding]:
    found = []
    for prefix, label in (
        ("first_flight", "first flight"),
        ("entered_service", "entry into service"),
        ("retired", "retirement"),
    ):
        year = getattr(plane, f"{prefix}_year")
        if year is not None and not getattr(plane, f"{prefix}_source_id"):
            found.append(Finding("unsourced-date", (plane.slug,), f"the {label} ({year}) names no source"))
    for name, fields in (
        ("production", PRODUCTION),
        ("powerplant", POWERPLANT),
        ("configuration", CONFIGURATION_FIELDS),
    ):
        values = [f"{f.replace('_', ' ')} {getattr(plane, f)}" for f in fields if getattr(plane, f) not in (None, "")]
        if values and not getattr(plane, f"{name}_source_id"):
            found.append(
                Finding(f"unsourced-{name}", (plane.slug,), f"the {name} ({'; '.join(values)}) names no source")
            )
    return found


def _landing_pages(plane: Aircraft, own_sources: list[AircraftSource], own_figures: list[Figure]) -> list[Finding]:
    found = []
    for source in own_sources:
        reason = landing_page_reason(source.url)
        if reason:
            cited = sum(1 for figure in own_figures if figure.source_id == source.pk)
            found.append(
                Finding(
                    "landing-page",
                    (plane.slug,),
                    f"source {source.key!r} {source.url} is {reason}; {cited} figure(s) cite it",
                )
            )
    return found


def _duplicates(planes: list[Aircraft]) -> list[Finding]:
    found = []
    reported: set[frozenset[int]] = set()
    for check, key, label in (
        ("duplicate-designation", lambda p: p.designation_key, "designation"),
        ("duplicate-name", lambda p: p.display_name.casefold(), "name"),
    ):
        groups: dict[str, list[Aircraft]] = {}
        for plane in planes:
            if key(plane):
                groups.setdefault(key(plane), []).append(plane)
        for value, members in sorted(groups.items()):
            ids = frozenset(p.pk for p in members)
            if len(members) < 2 or ids in reported:
                continue
            reported.add(ids)
            found.append(
                Finding(
                    check,
                    tuple(p.slug for p in members),
                    f"{len(members)} aircraft share the {label} {value!r}: "
                    + "; ".join(f"{p.manufacturer.name} {p.display_name}" for p in members),
                )
            )
    return found


def _field_order(role: str) -> list[str]:
    """The expected fields of a role's groups, in the order REQUIREMENTS lists them."""
    shape = ROTORCRAFT if role in Aircraft.ROTORCRAFT_ROLES else FIXED_WING
    return [r.code for group in (shape, EVERY, AIRLINERS, RETIRED) for r in REQUIREMENTS if r.group == group]


def audit(planes: list[Aircraft], sources: list[AircraftSource], figures: list[Figure]) -> AuditReport:
    """The report over aircraft already in memory, with variant_of and manufacturer resolved."""
    by_plane: dict[int, list[Figure]] = {}
    for figure in figures:
        by_plane.setdefault(figure.aircraft_id, []).append(figure)
    sources_by_id = {source.pk: source for source in sources}
    sources_by_plane: dict[int, list[AircraftSource]] = {}
    for source in sources:
        sources_by_plane.setdefault(source.aircraft_id, []).append(source)

    report = AuditReport(aircraft=len(planes), sources=len(sources), figures=len(figures))
    coverage = {(r.group, r.code): Coverage(r.group, r.code, r.label) for r in REQUIREMENTS}
    groups = {group: GroupCompleteness(group) for group in GROUP_LABELS}
    for plane in sorted(planes, key=lambda p: p.slug):
        facts = Facts(plane, effective_figures(plane, by_plane))
        report.role_totals[plane.role] = report.role_totals.get(plane.role, 0) + 1
        for group in _group_of(plane):
            missing = []
            for requirement in (r for r in REQUIREMENTS if r.group == group):
                entry = coverage[(group, requirement.code)]
                entry.total += 1
                if not requirement.met(facts):
                    entry.missing.append(plane.slug)
                    missing.append(requirement.code)
                    role = report.missing_by_role.setdefault(plane.role, {})
                    role.setdefault(requirement.code, []).append(plane.slug)
            groups[group].total += 1
            groups[group].complete += not missing
        report.contradictions += _contradictions(plane, facts, sources_by_id)
        report.unsourced += _unsourced(plane)
        report.landing_pages += _landing_pages(plane, sources_by_plane.get(plane.pk, []), by_plane.get(plane.pk, []))
    for group in groups.values():
        group.fields = [c for c in coverage.values() if c.group == group.group]
    report.completeness = [group for group in groups.values() if group.total]
    report.missing_by_role = {
        role: dict(sorted(fields.items(), key=lambda item: _field_order(role).index(item[0])))
        for role, fields in sorted(report.missing_by_role.items())
    }
    report.role_totals = dict(sorted(report.role_totals.items()))
    report.duplicates = _duplicates(sorted(planes, key=lambda p: p.slug))
    return report


def catalogue_audit() -> AuditReport:
    """Audit the catalogue in the database, in three queries whatever its size."""
    planes = list(
        Aircraft.objects.select_related("manufacturer").defer("description", "notes", "search_vector", "digest")
    )
    by_id = {plane.pk: plane for plane in planes}
    for plane in planes:  # resolve every lineage in memory instead of one query per base type
        if plane.variant_of_id in by_id:
            plane.variant_of = by_id[plane.variant_of_id]
    sources = list(AircraftSource.objects.all())
    for source in sources:
        if source.aircraft_id in by_id:
            source.aircraft = by_id[source.aircraft_id]
    figures = list(Figure.objects.all())
    sources_by_id = {source.pk: source for source in sources}
    for figure in figures:
        figure.source = sources_by_id[figure.source_id]
        figure.aircraft = by_id[figure.aircraft_id]
    return audit(planes, sources, figures)
