from . import units as unit_systems

UNITS_COOKIE = "units"


def preferred_units(request) -> str:
    choice = request.COOKIES.get(UNITS_COOKIE, unit_systems.METRIC)
    return choice if choice in unit_systems.SYSTEMS else unit_systems.METRIC


def units(request) -> dict:
    chosen = preferred_units(request)
    other = unit_systems.IMPERIAL if chosen == unit_systems.METRIC else unit_systems.METRIC
    return {"units": chosen, "other_units": other}
