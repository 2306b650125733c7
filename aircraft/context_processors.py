from django.core.exceptions import DisallowedHost

from . import units as unit_systems

UNITS_COOKIE = "units"


def preferred_units(request) -> str:
    choice = request.COOKIES.get(UNITS_COOKIE, unit_systems.METRIC)
    return choice if choice in unit_systems.SYSTEMS else unit_systems.METRIC


def units(request) -> dict:
    chosen = preferred_units(request)
    other = unit_systems.IMPERIAL if chosen == unit_systems.METRIC else unit_systems.METRIC
    return {"units": chosen, "other_units": other}


# Lists whose query string is what the page is (filters, a search, the aircraft compared).
_QUERY_IS_THE_PAGE = {"aircraft-list", "search", "compare"}


def canonical(request) -> dict:
    """The page's one address, for <link rel="canonical"> and og:url: scheme and host
    as the visitor used them, no tracking or stray parameters on a page that takes none."""
    match = getattr(request, "resolver_match", None)
    keep_query = match is not None and match.url_name in _QUERY_IS_THE_PAGE and request.GET
    path = request.get_full_path() if keep_query else request.path
    try:
        return {"canonical_url": request.build_absolute_uri(path)}
    except DisallowedHost:  # the 400 page for a Host header not ours names no host
        return {"canonical_url": path}
