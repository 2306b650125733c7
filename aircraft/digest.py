"""What lists need from an aircraft's figures, worked out once per write.

Cards, sorts and the era filter read a few denormalised columns instead of
joining figures row by row; services.aircraft_refresh_digest keeps them true.
Pure functions over plain values, so a data migration can use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import quantities

SOUND_KMH_AT_ALTITUDE = Decimal("1062.2")  # ISA, 11,000 m and above
SOUND_KMH_AT_SEA_LEVEL = Decimal("1225.0")  # ISA, sea level

# The figures a card shows, in order: the first of each group that is known.
CARD_FIGURES = (
    (("length", "overall"), ("length", "rotors-turning"), ("length", "fuselage")),
    (("wingspan", "overall"), ("wingspan", "wings-spread"), ("rotor_diameter", "main")),
    (("max_takeoff_weight", "overall"),),
)


# The dimensions a to-scale drawing is made from (aircraft.drawings), kept in metres.
DRAWING_FIGURES = (
    ("length", "overall"),
    ("length", "fuselage"),
    ("length", "rotors-turning"),
    ("wingspan", "overall"),
    ("wingspan", "wings-spread"),
    ("height", "overall"),
    ("rotor_diameter", "main"),
)


@dataclass(frozen=True)
class PlainFigure:
    quantity: str
    kind: str
    value: str
    unit: str


def speed_rank(figures: dict[tuple[str, str], PlainFigure]) -> float | None:
    """One comparable measure of top speed: Mach where given; otherwise the
    maximum speed at altitude (or, failing that, at sea level) as a Mach number
    at that altitude. A speed whose source names no altitude counts as at sea
    level, the lowest Mach it can be. Only for ordering; pages show the figures
    as published."""
    mach = figures.get(("mach", "maximum"))
    if mach:
        return float(quantities.parse("mach", mach.value, mach.unit).metric)
    for kind, sound in (
        ("at-altitude", SOUND_KMH_AT_ALTITUDE),
        ("sea-level", SOUND_KMH_AT_SEA_LEVEL),
        ("unstated", SOUND_KMH_AT_SEA_LEVEL),
    ):
        speed = figures.get(("max_speed", kind))
        if speed:
            return float(quantities.parse("max_speed", speed.value, speed.unit).metric / sound)
    return None


def _metric(figures: dict, key: tuple[str, str]) -> float | None:
    figure = figures.get(key)
    return float(quantities.parse(key[0], figure.value, figure.unit).metric) if figure else None


def sizes(figures: dict[tuple[str, str], PlainFigure]) -> dict[str, float]:
    """{"length:overall": 18.92, ...} in metres: what the drawing is drawn from."""
    found = {}
    for key in DRAWING_FIGURES:
        metres = _metric(figures, key)
        if metres is not None:
            found[":".join(key)] = round(metres, 3)
    return found


def digest(figures: dict[tuple[str, str], PlainFigure], era_year: int | None) -> dict:
    """Column values for an aircraft from its effective figures (own and inherited)."""
    card = []
    for group in CARD_FIGURES:
        for quantity, kind in group:
            figure = figures.get((quantity, kind))
            if figure:
                published = quantities.parse(quantity, figure.value, figure.unit)
                spec = quantities.QUANTITIES[quantity]
                label = spec.figure_label(kind)
                card.append(
                    {
                        "label": label,
                        **{s: quantities.display(quantity, published, s) for s in quantities.SYSTEMS},
                    }
                )
                break
    return {
        "era_year": era_year,
        "rank_speed_mach": speed_rank(figures),
        "rank_range_km": _metric(figures, ("range", "typical")),
        "rank_mtow_kg": _metric(figures, ("max_takeoff_weight", "overall")),
        "digest": {"card": card, "sizes": sizes(figures)},
    }
