"""What a figure can be: its quantity, the kinds that quantity comes in, and the
units a source may publish it in.

A figure is stored as published (text and unit) and shown that way in the
unit system it was published in; the other system is derived and rounded to
the precision the source printed, so 840,000 lb never turns into 840,001 lb.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

METRIC = "metric"
IMPERIAL = "imperial"
SYSTEMS = (METRIC, IMPERIAL)

# Dimensions, each with the unit its metric value is kept in for sorting.
LENGTH, MASS, SPEED, DISTANCE, FORCE, POWER, COUNT, MACH = (
    "length",
    "mass",
    "speed",
    "distance",
    "force",
    "power",
    "count",
    "mach",
)


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: str
    to_metric: Decimal  # multiply a value in this unit to get the dimension's metric unit
    system: str | None  # None: the same in both systems (counts, Mach)


UNITS = {
    unit.code: unit
    for unit in (
        Unit("m", LENGTH, Decimal(1), METRIC),
        Unit("ft", LENGTH, Decimal("0.3048"), IMPERIAL),
        Unit("kg", MASS, Decimal(1), METRIC),
        Unit("lb", MASS, Decimal("0.45359237"), IMPERIAL),
        Unit("km/h", SPEED, Decimal(1), METRIC),
        Unit("kn", SPEED, Decimal("1.852"), IMPERIAL),
        Unit("mph", SPEED, Decimal("1.609344"), IMPERIAL),
        Unit("km", DISTANCE, Decimal(1), METRIC),
        Unit("nmi", DISTANCE, Decimal("1.852"), IMPERIAL),
        Unit("mi", DISTANCE, Decimal("1.609344"), IMPERIAL),
        Unit("kN", FORCE, Decimal(1), METRIC),
        Unit("lbf", FORCE, Decimal("0.0044482216152605"), IMPERIAL),
        Unit("kW", POWER, Decimal(1), METRIC),
        Unit("shp", POWER, Decimal("0.745699872"), IMPERIAL),
        Unit("hp", POWER, Decimal("0.745699872"), IMPERIAL),
        Unit("count", COUNT, Decimal(1), None),
        Unit("mach", MACH, Decimal(1), None),
    )
}

# The unit a derived value is shown in, per dimension and system.
DISPLAY_UNIT = {
    LENGTH: {METRIC: "m", IMPERIAL: "ft"},
    MASS: {METRIC: "kg", IMPERIAL: "lb"},
    SPEED: {METRIC: "km/h", IMPERIAL: "kn"},
    DISTANCE: {METRIC: "km", IMPERIAL: "nmi"},
    FORCE: {METRIC: "kN", IMPERIAL: "lbf"},
    POWER: {METRIC: "kW", IMPERIAL: "shp"},
}


@dataclass(frozen=True)
class Quantity:
    code: str
    label: str
    dimension: str
    kinds: tuple[tuple[str, str], ...]  # (code, label); the first is the default
    more_is_better: bool = False
    help: str = ""
    # "Length", not "Length (overall)": say the kind only where the default one needs saying.
    names_default_kind: bool = True

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(code for code, unit in UNITS.items() if unit.dimension == self.dimension)

    @property
    def default_kind(self) -> str:
        return self.kinds[0][0]

    def kind_label(self, kind: str) -> str:
        return dict(self.kinds).get(kind, kind)

    def figure_label(self, kind: str) -> str:
        if len(self.kinds) == 1 or (kind == self.default_kind and not self.names_default_kind):
            return self.label
        return f"{self.label} ({self.kind_label(kind)})"


QUANTITIES = {
    q.code: q
    for q in (
        Quantity(
            "length",
            "Length",
            LENGTH,
            (("overall", "overall"), ("fuselage", "fuselage"), ("rotors-turning", "rotors turning")),
            help="Overall length; for rotorcraft say whether with rotors turning or of the fuselage.",
            names_default_kind=False,
        ),
        Quantity(
            "wingspan",
            "Wingspan",
            LENGTH,
            (("overall", "overall"), ("wings-spread", "wings spread"), ("wings-swept", "wings swept")),
            names_default_kind=False,
        ),
        Quantity("rotor_diameter", "Rotor diameter", LENGTH, (("main", "main rotor"),)),
        Quantity("height", "Height", LENGTH, (("overall", "overall"),)),
        Quantity(
            "empty_weight",
            "Empty weight",
            MASS,
            (("empty", "empty"), ("operating", "operating empty")),
            help="Empty weight as the source defines it; operating empty includes crew and fluids.",
            names_default_kind=False,
        ),
        Quantity("max_takeoff_weight", "Max take-off weight", MASS, (("overall", "maximum"),), more_is_better=True),
        Quantity(
            "max_speed",
            "Maximum speed",
            SPEED,
            (("at-altitude", "at altitude"), ("sea-level", "at sea level"), ("unstated", "altitude not stated")),
            more_is_better=True,
            help="Maximum level speed; say the altitude in the condition where the source does, and use "
            "'unstated' where the source gives none.",
        ),
        Quantity("mach", "Mach", MACH, (("maximum", "maximum"), ("cruise", "cruise")), more_is_better=True),
        Quantity("cruise_speed", "Cruise speed", SPEED, (("typical", "typical"),), more_is_better=True),
        Quantity(
            "range",
            "Range",
            DISTANCE,
            (("typical", "typical"), ("maximum", "maximum"), ("ferry", "ferry"), ("combat-radius", "combat radius")),
            more_is_better=True,
            help="Typical: design range with reserves; maximum: the longest range the source gives without extra "
            "tanks (say the payload in the condition); ferry: with extra tanks, no payload; "
            "combat radius: out and back with a mission load.",
        ),
        Quantity("service_ceiling", "Service ceiling", LENGTH, (("overall", "service"),), more_is_better=True),
        Quantity("thrust", "Thrust per engine", FORCE, (("dry", "dry"), ("afterburner", "with afterburner"))),
        Quantity("power", "Power per engine", POWER, (("takeoff", "take-off"),)),
        Quantity("crew", "Crew", COUNT, (("overall", "crew"),)),
        Quantity("passengers", "Passengers", COUNT, (("typical", "typical"), ("maximum", "maximum"))),
        Quantity("payload", "Payload", MASS, (("maximum", "maximum"),), more_is_better=True),
    )
}


def label(quantity: str, kind: str) -> str:
    """ "Length", or "Range (ferry)" where the kind needs saying."""
    return QUANTITIES[quantity].figure_label(kind)


def sentence(error: Exception) -> str:
    """A FigureError as a sentence for a form: capitalised, with its full stop."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."


QUANTITY_CHOICES = [(q.code, q.label) for q in QUANTITIES.values()]
# One label per kind code, so a select offers "overall" once. Each quantity's own wording of a kind
# ("overall" reads "maximum" for a weight, "crew" for a crew) comes from label(), not from these choices.
KIND_CHOICES = sorted(
    {code: "overall" if code == "overall" else label for q in QUANTITIES.values() for code, label in q.kinds}.items()
)
UNIT_CHOICES = [(code, code) for code in UNITS]

_FEET_AND_INCHES = re.compile(r"^(\d+) ft(?: (\d+(?:\.\d+)?) in)?$")
INCH = Decimal("0.0254")


class FigureError(ValueError):
    pass


@dataclass(frozen=True)
class Published:
    """A figure as its source printed it."""

    text: str
    unit: str
    metric: Decimal  # in the dimension's metric unit (m, kg, km/h, km, kN, kW), or the count / Mach itself
    significant: int | None  # significant figures printed; None: feet and inches (precise to the inch)

    @property
    def system(self) -> str | None:
        return UNITS[self.unit].system


def significant_figures(text: str) -> int:
    digits = text.replace(",", "").lstrip("-+")
    if "." in digits:
        whole, frac = digits.split(".", 1)
        stripped = (whole + frac).lstrip("0")
        return max(len(stripped), 1)
    stripped = digits.lstrip("0").rstrip("0")
    return max(len(stripped), 1)


def parse(quantity: str, text: str, unit: str) -> Published:
    """Check a published value against its quantity and unit; FigureError says what is wrong."""
    if quantity not in QUANTITIES:
        raise FigureError(f"unknown quantity {quantity!r}")
    q = QUANTITIES[quantity]
    if unit not in q.units:
        raise FigureError(f"{q.label.lower()} cannot be given in {unit!r} (use one of {', '.join(q.units)})")
    text = str(text).strip()
    match = _FEET_AND_INCHES.match(text) if unit == "ft" else None
    if match:
        inches = Decimal(match.group(1)) * 12 + Decimal(match.group(2) or 0)
        return Published(text, unit, inches * INCH, None)
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise FigureError(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise FigureError(f"{q.label.lower()} must be greater than zero")
    if q.dimension == COUNT and value != value.to_integral_value():
        raise FigureError(f"{q.label.lower()} must be a whole number")
    return Published(text, unit, value * UNITS[unit].to_metric, significant_figures(text))


def _round_significant(value: Decimal, figures: int) -> tuple[Decimal, int]:
    """value rounded to figures significant digits, and the decimal places to print."""
    if value == 0:
        return value, 0
    exponent = math.floor(math.log10(abs(value)))
    places = figures - 1 - exponent
    return round(value, places), max(places, 0)


def format_number(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def _feet_and_inches(metres: Decimal) -> str:
    feet, inches = divmod(round(metres / INCH), 12)
    return f"{feet:,} ft {inches} in"


def _published_text(published: Published) -> str:
    if published.significant is None:  # "62 ft 1 in" is shown as printed
        return published.text
    number = published.text.replace(",", "")
    places = len(number.split(".", 1)[1]) if "." in number else 0
    return format_number(Decimal(number), places)


def display(quantity: str, published: Published, system: str) -> str:
    """The figure for a reader who chose system: as published, or derived from it."""
    dimension = QUANTITIES[quantity].dimension
    if dimension == MACH:
        return f"Mach {_published_text(published)}"
    if dimension == COUNT:
        return _published_text(published)
    if published.system == system:
        if published.significant is None:  # "62 ft 1 in" carries its units
            return published.text
        return f"{_published_text(published)} {published.unit}"
    target = DISPLAY_UNIT[dimension][system]
    value = published.metric / UNITS[target].to_metric
    if target == "ft" and dimension == LENGTH and quantity != "service_ceiling":
        return _feet_and_inches(published.metric)
    if published.significant is None:  # feet and inches: precise to the centimetre
        return f"{format_number(round(value, 2), 2)} {target}"
    rounded, places = _round_significant(value, max(published.significant, 3))
    return f"{format_number(rounded, places)} {target}"
