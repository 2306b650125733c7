"""The pictures pages show: drawings, compare charts, the explore plot, timelines.

Glue between the catalogue (aircraft, their digests and comparison rows) and
the pure SVG code in aircraft.drawings and aircraft.charts. Every function
returns markup that the page embeds, so a picture is cached with its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from . import charts, drawings, quantities
from .airframes import airframe
from .models import Aircraft

DETAIL_WIDTH = 640
CARD_WIDTH = 280


def drawing(plane: Aircraft, system: str, *, width: float = DETAIL_WIDTH) -> SafeString:
    """Top and side view with the person, labelled, for the aircraft's page (and its own URL)."""
    return mark_safe(drawings.aircraft_drawing(airframe(plane), width=width, system=system))  # noqa: S308 (escaped SVG)


def card_drawing(plane: Aircraft, system: str) -> SafeString:
    """A small top view for a card, or nothing when there is nothing to scale.
    Decorative there: the card lists the figures as text."""
    frame = airframe(plane)
    if not drawings.top_shapes(frame):
        return mark_safe("")
    svg = drawings.aircraft_drawing(
        frame, width=CARD_WIDTH, system=system, views=("top",), labels=False, decorative=True
    )
    return mark_safe(svg)  # noqa: S308 (escaped SVG)


# --- Compare ---------------------------------------------------------------------


def _in_display_unit(quantity: str, metric: Decimal | float | None, system: str) -> float | None:
    if metric is None:
        return None
    dimension = quantities.QUANTITIES[quantity].dimension
    target = quantities.DISPLAY_UNIT.get(dimension, {}).get(system)
    if target is None:  # counts and Mach are the same in both systems
        return float(metric)
    return float(Decimal(metric) / quantities.UNITS[target].to_metric)


def compare_pictures(aircraft: list[Aircraft], rows: list[dict], system: str) -> dict:
    """The compared aircraft overlaid on one scale, and one bar chart per figure (same kind)."""
    overlay = drawings.overlay([airframe(plane) for plane in aircraft], width=720, system=system)
    bars = []
    names = [plane.display_name for plane in aircraft]
    for row in rows:
        quantity = row["key"].split(":")[0]
        cells = row["cells"]
        if sum(1 for cell in cells if cell["value"] is not None) < 2:
            continue  # nothing to set side by side
        items = [
            charts.Bar(
                name,
                _in_display_unit(quantity, cell["value"], system),
                cell["display"][system] if cell["display"] else "",
            )
            for name, cell in zip(names, cells, strict=True)
        ]
        bars.append({"key": row["key"], "svg": mark_safe(charts.bar_chart(row["label"], items, width=340))})  # noqa: S308
    return {"overlay": mark_safe(overlay), "bars": bars}  # noqa: S308 (escaped SVG)


# --- Explore ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExploreAxis:
    key: str
    label: str
    quantity: str | None  # for unit conversion; None for years
    log_default: bool = False

    def value(self, plane: Aircraft) -> float | None:
        return EXPLORE_READERS[self.key](plane)

    def unit(self, system: str) -> str:
        if self.quantity is None:
            return ""
        dimension = quantities.QUANTITIES[self.quantity].dimension
        return quantities.DISPLAY_UNIT.get(dimension, {}).get(system, "")

    def title(self, system: str) -> str:
        unit = self.unit(system)
        return f"{self.label} ({unit})" if unit else self.label


def _size(key: str):
    return lambda plane: (plane.digest or {}).get("sizes", {}).get(key)


EXPLORE_READERS = {
    "length": _size("length:overall"),
    "wingspan": _size("wingspan:overall"),
    "height": _size("height:overall"),
    "rotor_diameter": _size("rotor_diameter:main"),
    "max_takeoff_weight": lambda plane: plane.rank_mtow_kg,
    "speed": lambda plane: plane.rank_speed_mach,
    "range": lambda plane: plane.rank_range_km,
    "first_flight": lambda plane: plane.first_flight_year,
    "year": lambda plane: plane.era_year,
}
EXPLORE_AXES = {
    axis.key: axis
    for axis in (
        ExploreAxis("length", "Length", "length"),
        ExploreAxis("wingspan", "Wingspan", "wingspan"),
        ExploreAxis("height", "Height", "height"),
        ExploreAxis("rotor_diameter", "Rotor diameter", "rotor_diameter"),
        ExploreAxis("max_takeoff_weight", "Maximum take-off weight", "max_takeoff_weight", log_default=True),
        ExploreAxis("speed", "Top speed (Mach)", "mach"),
        ExploreAxis("range", "Typical range", "range"),
        ExploreAxis("first_flight", "First flight (year)", None),
        ExploreAxis("year", "Entry into service or first flight (year)", None),
    )
}


def explore_values(axis: ExploreAxis, plane: Aircraft, system: str) -> float | None:
    raw = axis.value(plane)
    if raw is None or axis.quantity is None:
        return raw
    return _in_display_unit(axis.quantity, raw, system)


def format_value(axis: ExploreAxis, value: float | None, system: str) -> str:
    if value is None:
        return ""
    if axis.quantity is None:
        return str(int(value))
    unit = axis.unit(system)
    if axis.quantity == "mach":
        return f"Mach {value:.2f}".rstrip("0").rstrip(".")
    places = 1 if value < 100 else 0
    return f"{value:,.{places}f} {unit}".strip()


def explore_chart(planes: list[Aircraft], x: ExploreAxis, y: ExploreAxis, system: str, *, log_x: bool, log_y: bool):
    """The plot and the table rows of the same data: (svg, rows, left_out)."""
    rows, points = [], []
    for plane in planes:
        xv, yv = explore_values(x, plane, system), explore_values(y, plane, system)
        if xv is None or yv is None:
            continue
        rows.append(
            {"aircraft": plane, "x": format_value(x, xv, system), "y": format_value(y, yv, system), "xv": xv, "yv": yv}
        )
        points.append(charts.Point(plane.full_name, xv, yv, plane.get_absolute_url(), plane.status))
    status_labels = dict(Aircraft.Status.choices)
    svg = charts.scatter(
        points,
        charts.Axis(x.title(system), log=log_x, year=x.quantity is None),
        charts.Axis(y.title(system), log=log_y, year=y.quantity is None),
        width=760,
        height=480,
        title=f"{y.label} against {x.label[0].lower()}{x.label[1:]}",
        series_labels=status_labels,
    )
    return mark_safe(svg), rows, len(planes) - len(rows)  # noqa: S308 (escaped SVG)


# --- Timeline --------------------------------------------------------------------


def manufacturer_timeline(planes: list[Aircraft], today: int) -> SafeString | None:
    """Each aircraft from first flight (or entry into service) to retirement, on one axis."""
    spans = []
    for plane in sorted(planes, key=lambda p: (p.first_flight_year or p.entered_service_year or 9999, p.designation)):
        start = plane.first_flight_year or plane.entered_service_year
        flying = plane.status in (Aircraft.Status.ACTIVE, Aircraft.Status.IN_DEVELOPMENT)
        spans.append(
            charts.Span(
                plane.display_name,
                start,
                plane.retired_year,
                plane.entered_service_year if plane.first_flight_year else None,
                plane.get_absolute_url(),
                ongoing=flying,
            )
        )
    if not any(span.start for span in spans):
        return None
    return mark_safe(charts.timeline(spans, today=today, width=760))  # noqa: S308 (escaped SVG)
