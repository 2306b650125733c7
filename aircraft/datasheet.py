"""An aircraft's figures as a reference shows them: grouped, each with its kind,
its condition and a numbered marker pointing at the source it was read in, and
with a variant's inherited figures filled in from its base type."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import quantities
from .models import CONFIGURATION_FIELDS, Aircraft, AircraftSource, Figure

GROUPS = (
    ("Dimensions", ("length", "wingspan", "rotor_diameter", "height")),
    ("Weights", ("empty_weight", "max_takeoff_weight", "payload")),
    ("Performance", ("max_speed", "mach", "cruise_speed", "range", "service_ceiling")),
    ("Powerplant", ("thrust", "power")),
    ("Capacity", ("crew", "passengers")),
)
# What a reader expects on every data sheet; a gap is said out loud, not hidden.
EXPECTED_FIXED_WING = ("length", "wingspan", "height", "max_takeoff_weight", "max_speed", "range", "service_ceiling")
EXPECTED_ROTORCRAFT = ("rotor_diameter", "length", "height", "max_takeoff_weight", "max_speed", "range")


@dataclass
class SourceEntry:
    marker: int
    source: AircraftSource
    via: Aircraft | None  # the base type it was inherited from


@dataclass
class Row:
    quantity: str
    kind: str
    label: str
    display: dict[str, str] | None  # None: not in the catalogue yet, or not published
    figure: Figure | None = None
    marker: int | None = None
    via: Aircraft | None = None
    unpublished: bool = False  # a source says the figure is not published

    @property
    def key(self) -> str:
        return f"{self.quantity}:{self.kind}"

    @property
    def metric_value(self):
        return self.figure.metric_value if self.figure else None


@dataclass
class Fact:
    """A date, production run or powerplant, with its source marker."""

    value: object
    marker: int | None
    via: Aircraft | None


@dataclass
class Datasheet:
    aircraft: Aircraft
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    facts: dict[str, Fact] = field(default_factory=dict)
    sources: list[SourceEntry] = field(default_factory=list)

    def rows(self) -> list[Row]:
        return [row for _, rows in self.groups for row in rows]

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows() if row.key == key), None)

    @property
    def known(self) -> dict[str, Row]:
        return {row.key: row for row in self.rows() if row.figure}


class _Markers:
    def __init__(self, planes_by_id: dict[int, Aircraft], owner: Aircraft):
        self.entries: dict[int, SourceEntry] = {}
        self.planes = planes_by_id
        self.owner = owner

    def mark(self, source: AircraftSource | None) -> int | None:
        if source is None:
            return None
        if source.pk not in self.entries:
            via = None if source.aircraft_id == self.owner.pk else self.planes.get(source.aircraft_id)
            self.entries[source.pk] = SourceEntry(len(self.entries) + 1, source, via)
        return self.entries[source.pk].marker


def datasheets(aircraft: list[Aircraft]) -> list[Datasheet]:
    """Data sheets for several aircraft in two queries, whatever their number."""
    lineages = {plane.pk: plane.lineage() for plane in aircraft}
    planes_by_id = {member.pk: member for chain in lineages.values() for member in chain}
    sources = {s.pk: s for s in AircraftSource.objects.filter(aircraft__in=planes_by_id).order_by("position", "pk")}
    figures: dict[int, list[Figure]] = {}
    for figure in Figure.objects.filter(aircraft__in=planes_by_id):
        figure.source = sources[figure.source_id]
        figures.setdefault(figure.aircraft_id, []).append(figure)
    # Each aircraft's own sources, in order: looking through all of them for each
    # aircraft made a sheet of the whole catalogue quadratic.
    sources_of: dict[int, list[AircraftSource]] = {}
    for source in sources.values():
        sources_of.setdefault(source.aircraft_id, []).append(source)
    return [
        _datasheet(plane, lineages[plane.pk], figures, sources, sources_of.get(plane.pk, ()), planes_by_id)
        for plane in aircraft
    ]


def datasheet(aircraft: Aircraft) -> Datasheet:
    return datasheets([aircraft])[0]


def _datasheet(plane, lineage, figures, sources, own_sources, planes_by_id) -> Datasheet:
    markers = _Markers(planes_by_id, plane)
    own: dict[tuple[str, str], tuple[Figure, Aircraft]] = {}
    for member in lineage:
        for figure in figures.get(member.pk, []):
            own.setdefault((figure.quantity, figure.kind), (figure, member))
    sheet = Datasheet(plane)
    expected = EXPECTED_ROTORCRAFT if plane.is_rotorcraft else EXPECTED_FIXED_WING
    unpublished, _ = plane.inherited("unpublished")
    unpublished = set(unpublished or ())
    order = list(quantities.QUANTITIES)
    for title, names in GROUPS:
        rows = []
        for name in names:
            spec = quantities.QUANTITIES[name]
            found = sorted(
                (key for key in own if key[0] == name), key=lambda key: [k for k, _ in spec.kinds].index(key[1])
            )
            for key in found:
                figure, member = own[key]
                rows.append(
                    Row(
                        name,
                        key[1],
                        figure.label,
                        figure.display(),
                        figure,
                        markers.mark(figure.source),
                        None if member is plane else member,
                    )
                )
            if not found and name in unpublished:
                rows.append(Row(name, spec.default_kind, spec.label, None, unpublished=True))
            elif not found and name in expected and not (name == "max_speed" and any(k[0] == "mach" for k in own)):
                rows.append(Row(name, spec.default_kind, spec.label, None))
        if rows:
            sheet.groups.append((title, sorted(rows, key=lambda r: order.index(r.quantity))))
    for prefix in ("first_flight", "entered_service", "retired"):
        year, member = plane.inherited(f"{prefix}_year")
        if year is not None:
            day = getattr(member, f"{prefix}_date")
            source = sources.get(getattr(member, f"{prefix}_source_id"))
            sheet.facts[prefix] = Fact(day or year, markers.mark(source), None if member is plane else member)
    for name, fields in (
        ("production", ("production_first_year", "production_last_year", "number_built", "number_built_year")),
        ("powerplant", ("engine_count", "engine_model", "engine_type")),
        ("configuration", CONFIGURATION_FIELDS),
    ):
        holder = next((m for m in lineage if any(getattr(m, f) not in (None, "") for f in fields)), None)
        if holder:
            source = sources.get(getattr(holder, f"{name}_source_id"))
            sheet.facts[name] = Fact(holder, markers.mark(source), None if holder is plane else holder)
    for source in own_sources:  # sources no figure used still belong on the page
        markers.mark(source)
    sheet.sources = sorted(markers.entries.values(), key=lambda entry: entry.marker)
    return sheet
