"""Unit conversion for display. The database stores one unit per quantity
(metres, kilograms, knots, kilometres); the other system is always derived."""

from decimal import Decimal

FEET_PER_METRE = Decimal("3.280839895")
POUNDS_PER_KG = Decimal("2.2046226218")
KMH_PER_KNOT = Decimal("1.852")
MPH_PER_KNOT = Decimal("1.150779448")
NMI_PER_KM = Decimal("0.539956803")
MILES_PER_KM = Decimal("0.621371192")

METRIC = "metric"
IMPERIAL = "imperial"
SYSTEMS = (METRIC, IMPERIAL)


def _number(value: Decimal | int | float, places: int = 0) -> str:
    rounded = round(Decimal(value), places)
    return f"{rounded:,.{places}f}"


def feet_and_inches(metres: Decimal) -> str:
    total_inches = round(Decimal(metres) * FEET_PER_METRE * 12)
    feet, inches = divmod(total_inches, 12)
    return f"{feet:,} ft {inches} in"


def length(metres: Decimal) -> dict[str, str]:
    return {METRIC: f"{_number(metres, 2)} m", IMPERIAL: feet_and_inches(metres)}


def mass(kilograms: int) -> dict[str, str]:
    return {METRIC: f"{_number(kilograms)} kg", IMPERIAL: f"{_number(kilograms * POUNDS_PER_KG)} lb"}


def speed(knots: int) -> dict[str, str]:
    return {
        METRIC: f"{_number(knots * KMH_PER_KNOT)} km/h ({_number(knots)} kn)",
        IMPERIAL: f"{_number(knots * MPH_PER_KNOT)} mph ({_number(knots)} kn)",
    }


def distance(kilometres: int) -> dict[str, str]:
    return {
        METRIC: f"{_number(kilometres)} km",
        IMPERIAL: f"{_number(kilometres * MILES_PER_KM)} mi ({_number(kilometres * NMI_PER_KM)} nmi)",
    }


def altitude(metres: int) -> dict[str, str]:
    return {METRIC: f"{_number(metres)} m", IMPERIAL: f"{_number(metres * FEET_PER_METRE)} ft"}


def plain(value: object, suffix: str = "") -> dict[str, str]:
    text = f"{value}{suffix}"
    return {METRIC: text, IMPERIAL: text}
