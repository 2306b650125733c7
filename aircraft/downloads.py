"""The catalogue, or the list a visitor filtered, as CSV and JSON.

Same fields and units as the API: the JSON holds each aircraft exactly as
/api/aircraft/<slug>/ does; the CSV has one row per figure, with the API's
figure fields (value and unit as published, metric value and unit, source).
"""

import csv
import io

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.errors import json_error

from . import selectors
from .api import aircraft_full
from .datasheet import datasheets
from .forms import CatalogueFilterForm, filled_query
from .stamps import cached_page

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
TERMS = (
    "The figures are facts, each cited to the published source it was read in; the sources' own texts and "
    "pictures stay theirs. HangarStack's compilation (the selection, the kinds and conditions, the derived "
    "units) may be reused under CC BY 4.0: credit \u201cHangarStack\u201d, link back, and keep each figure's "
    "source with it. No warranty: check a figure against its source before relying on it."
)
CSV_FIELDS = (
    "slug",
    "designation",
    "name",
    "full_name",
    "manufacturer",
    "role",
    "status",
    "year",
    "quantity",
    "kind",
    "label",
    "value",
    "unit",
    "condition",
    "metric_value",
    "metric_unit",
    "inherited_from",
    "source_title",
    "source_publisher",
    "source_url",
    "source_checked",
    "url",
)


def query_without_page(request: HttpRequest) -> str:
    """The list's filters and order for a download link; a download is the whole list, not a page."""
    query = filled_query(request.GET)
    query.pop("page", None)
    return query.urlencode()


def _aircraft(request: HttpRequest) -> tuple[list[dict] | None, JsonResponse | None]:
    form = CatalogueFilterForm(request.GET)
    if not form.is_valid():
        return None, json_error(400, "invalid query parameters", fields=form.errors.get_json_data())
    slugs = list(selectors.aircraft_list(form.filters()).values_list("slug", flat=True))
    if len(slugs) > settings.DOWNLOAD_MAX_AIRCRAFT:
        return None, json_error(
            400,
            f"{len(slugs)} aircraft is more than one download holds ({settings.DOWNLOAD_MAX_AIRCRAFT}); "
            "narrow the filters, or page through /api/aircraft/",
        )
    # In bulk: one query per aircraft would make a download of 500 cost thousands.
    planes = selectors.aircraft_details(slugs)
    return [aircraft_full(request, plane, sheet) for plane, sheet in zip(planes, datasheets(planes), strict=True)], None


def _terms_headers(request: HttpRequest, response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


@require_safe
@cached_page
def catalogue_json(request: HttpRequest) -> HttpResponse:
    aircraft, refused = _aircraft(request)
    if refused is not None:
        return refused
    body = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "terms": TERMS,
        "terms_url": request.build_absolute_uri(reverse("aircraft:aircraft-list")) + "#data-terms",
        "source": request.build_absolute_uri(),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "count": len(aircraft),
        "aircraft": aircraft,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    return _terms_headers(request, response, "hangarstack-aircraft.json")


@require_safe
@cached_page
def catalogue_csv(request: HttpRequest) -> HttpResponse:
    aircraft, refused = _aircraft(request)
    if refused is not None:
        return refused
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for plane in aircraft:
        about = {
            "slug": plane["slug"],
            "designation": plane["designation"],
            "name": plane["name"],
            "full_name": plane["full_name"],
            "manufacturer": plane["manufacturer"]["name"],
            "role": plane["role"],
            "status": plane["status"],
            "year": plane["year"],
            "url": plane["url"],
        }
        if not plane["figures"]:
            writer.writerow(about)  # an aircraft without figures is still in the list
        for figure in plane["figures"]:
            source = figure["source"] or {}
            writer.writerow(
                {
                    **about,
                    **{key: figure[key] for key in ("quantity", "kind", "label", "value", "unit", "condition")},
                    "metric_value": figure["metric_value"],
                    "metric_unit": figure["metric_unit"],
                    "inherited_from": figure["inherited_from"],
                    "source_title": source.get("title"),
                    "source_publisher": source.get("publisher"),
                    "source_url": source.get("url"),
                    "source_checked": source.get("checked"),
                }
            )
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    return _terms_headers(request, response, "hangarstack-aircraft.csv")
