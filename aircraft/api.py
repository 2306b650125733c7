"""The JSON API. Errors are JSON too, with the right status, never HTML."""

from decimal import Decimal

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from hangarstack.views import json_error

from . import selectors, units
from .caching import cached_page, emit, live_view_count
from .forms import CatalogueFilterForm
from .models import Aircraft, Manufacturer


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _quantity(value, metric_unit: str, imperial: dict[str, float]) -> dict | None:
    if value is None:
        return None
    return {metric_unit: _number(value), **{unit: round(float(value) * factor, 1) for unit, factor in imperial.items()}}


def specifications(plane: Aircraft) -> dict:
    feet = float(units.FEET_PER_METRE)
    return {
        "length": _quantity(plane.length_m, "m", {"ft": feet}),
        "wingspan": _quantity(plane.wingspan_m, "m", {"ft": feet}),
        "height": _quantity(plane.height_m, "m", {"ft": feet}),
        "empty_weight": _quantity(plane.empty_weight_kg, "kg", {"lb": float(units.POUNDS_PER_KG)}),
        "max_takeoff_weight": _quantity(plane.max_takeoff_weight_kg, "kg", {"lb": float(units.POUNDS_PER_KG)}),
        "max_speed": _quantity(
            plane.max_speed_kn, "kn", {"km_h": float(units.KMH_PER_KNOT), "mph": float(units.MPH_PER_KNOT)}
        ),
        "max_speed_mach": _number(plane.max_speed_mach),
        "range": _quantity(plane.range_km, "km", {"mi": float(units.MILES_PER_KM), "nmi": float(units.NMI_PER_KM)}),
        "service_ceiling": _quantity(plane.service_ceiling_m, "m", {"ft": feet}),
        "crew": plane.crew,
        "engines": plane.engines or None,
    }


def aircraft_summary(request: HttpRequest, plane: Aircraft) -> dict:
    return {
        "slug": plane.slug,
        "designation": plane.designation,
        "name": plane.name,
        "manufacturer": {"slug": plane.manufacturer.slug, "name": plane.manufacturer.name},
        "role": plane.role,
        "status": plane.status,
        "introduced": plane.introduced,
        "url": request.build_absolute_uri(plane.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/aircraft/{plane.slug}/"),
    }


def aircraft_full(request: HttpRequest, plane: Aircraft) -> dict:
    total = getattr(plane, "view_total", None)
    return {
        **aircraft_summary(request, plane),
        "description": plane.description,
        "specifications": specifications(plane),
        "source": {
            "name": plane.source_name,
            "url": plane.source_url,
            "kind": plane.source_kind,
            "verified": plane.source_verified.isoformat(),
        },
        "image": request.build_absolute_uri(plane.image.url) if plane.image else None,
        "views": total.views if total else 0,
        "updated_at": plane.updated_at.isoformat(),
    }


def manufacturer_summary(request: HttpRequest, maker: Manufacturer) -> dict:
    data = {
        "slug": maker.slug,
        "name": maker.name,
        "country": maker.country,
        "founded": maker.founded,
        "description": maker.description,
        "website": maker.website or None,
        "url": request.build_absolute_uri(maker.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/manufacturers/{maker.slug}/"),
    }
    for key in ("aircraft_count", "active_count", "retired_count", "in_development_count"):
        if hasattr(maker, key):
            data[key] = getattr(maker, key)
    return data


def paginated(request: HttpRequest, queryset, render_item, on_first_page=None) -> JsonResponse:
    """A page of results; on_first_page(count) runs when page 1 is served."""
    paginator = Paginator(queryset, settings.API_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return json_error(400, "page must be a whole number")
    except EmptyPage:
        return json_error(404, "there is no such page", pages=paginator.num_pages)

    if on_first_page is not None and page.number == 1:
        on_first_page(paginator.count)

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [render_item(request, item) for item in page.object_list],
        }
    )


@require_GET
@cached_page
def manufacturer_list(request: HttpRequest) -> JsonResponse:
    return paginated(request, selectors.manufacturers_with_counts(), manufacturer_summary)


@require_GET
@cached_page
def manufacturer_detail(request: HttpRequest, slug: str) -> JsonResponse:
    maker = selectors.manufacturers_with_counts().filter(slug=slug).first()
    if maker is None:
        return json_error(404, f"no manufacturer with slug {slug!r}")
    aircraft = [aircraft_summary(request, plane) for plane in selectors.manufacturer_aircraft(maker)]
    return JsonResponse({**manufacturer_summary(request, maker), "aircraft": aircraft})


@require_GET
@cached_page
def aircraft_list(request: HttpRequest) -> JsonResponse:
    form = CatalogueFilterForm(request.GET)
    if not form.is_valid():
        return json_error(400, "invalid query parameters", fields=form.errors.get_json_data())
    query = request.GET.get("q", "")
    if query.strip():
        result = selectors.aircraft_search(query)
        queryset = selectors.filter_results(result.results, form.filters())

        def searched(count: int) -> None:
            emit(request, "search_performed", query=result.query, result_count=count)

        return paginated(request, queryset, aircraft_summary, on_first_page=searched)
    return paginated(request, selectors.aircraft_list(form.filters()), aircraft_summary)


@require_GET
@cached_page
def aircraft_detail(request: HttpRequest, slug: str) -> JsonResponse:
    plane = selectors.aircraft_detail(slug)
    if plane is None:
        return json_error(404, f"no aircraft with slug {slug!r}")
    data = aircraft_full(request, plane)
    live_view_count(request, plane.pk, data["views"])
    return JsonResponse(data)


@csrf_exempt  # a beacon from the browser; it changes no state a forged request could abuse
def aircraft_view_beacon(request: HttpRequest, slug: str) -> JsonResponse:
    """Records a view reported by a client, as the prototype's tracking endpoint did."""
    if request.method != "POST":
        response = json_error(405, "use POST")
        response["Allow"] = "POST"
        return response
    plane = selectors.aircraft_detail(slug)
    if plane is None:
        return json_error(404, f"no aircraft with slug {slug!r}")
    emit(request, "aircraft_viewed", aircraft=plane, via="beacon")
    return JsonResponse({"recorded": True, "aircraft": plane.slug}, status=202)


@require_GET
def legacy_manufacturer_aircraft(request: HttpRequest, name: str) -> JsonResponse:
    """The prototype's `/api/aircraft/<manufacturer name>`, in its old shape."""
    if "\x00" in name:  # PostgreSQL text cannot hold NUL; no manufacturer is named so
        return json_error(404, "no such manufacturer")
    maker = Manufacturer.objects.filter(name__iexact=name).first()
    if maker is None:
        plane = Aircraft.objects.filter(slug=name).only("slug").first()
        if plane is not None:  # `/api/aircraft/<slug>` without its slash
            response = JsonResponse({}, status=301)
            response["Location"] = f"/api/aircraft/{plane.slug}/"
            return response
        return json_error(404, f"no manufacturer named {name!r}")
    return JsonResponse(
        {
            "manufacturer": maker.name,
            "aircraft": [
                {
                    "designation": plane.designation,
                    "name": plane.name,
                    "role": plane.role,
                    "status": plane.status,
                    "introduced": plane.introduced,
                    "slug": plane.slug,
                }
                for plane in selectors.manufacturer_aircraft(maker)
            ],
        }
    )
