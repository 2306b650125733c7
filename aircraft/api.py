"""The JSON API. Errors are JSON too, with the right status, never HTML."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from core import openapi, pages
from core.errors import json_error
from core.openapi import Answer, Param, operation

from . import api_schemas as schemas
from . import quantities, selectors, signals
from .datasheet import Datasheet, Row, datasheet
from .forms import CatalogueFilterForm
from .models import CONFIGURATION_FIELDS, Aircraft, Manufacturer
from .photos import picture
from .stamps import cached_page, live_view_count

API_VERSION = "1.0"
PAGE = Param("page", "Page number, from 1.", {"type": "integer", "minimum": 1})


def form_parameters(form: type[forms.Form], descriptions: dict[str, str]) -> tuple[Param, ...]:
    """Query parameters read off the form that validates them, so the two never disagree."""
    params = []
    for name, formfield in form.base_fields.items():
        if isinstance(formfield, forms.ChoiceField):
            schema = {"enum": [value for value, _ in formfield.choices if value]}
        elif isinstance(formfield, forms.IntegerField):
            schema = {"type": "integer"}
            schema |= {"minimum": formfield.min_value} if formfield.min_value is not None else {}
            schema |= {"maximum": formfield.max_value} if formfield.max_value is not None else {}
        elif isinstance(formfield, forms.SlugField):
            schema = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
        else:
            schema = {"type": "string"}
        params.append(Param(name, descriptions.get(name, formfield.label or name), schema))
    return tuple(params)


FILTER_PARAMETERS = form_parameters(
    CatalogueFilterForm,
    {
        "manufacturer": "A manufacturer's slug.",
        "role": "What the aircraft is for.",
        "status": "In service, retired, in development, cancelled or research.",
        "decade": "A decade of entry into service (else first flight), written as its first year: 1960.",
        "sort": "Order of the results; figure sorts list aircraft without the measure last.",
        "page": "Page number, from 1.",
    },
)


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _figure(row: Row, sources: dict[int, dict]) -> dict:
    figure = row.figure
    return {
        "quantity": row.quantity,
        "kind": row.kind,
        "label": row.label,
        "value": figure.value,
        "unit": figure.unit,
        "condition": figure.condition or None,
        "display": row.display,
        "metric_value": _number(figure.metric_value.normalize()),
        "metric_unit": quantities.DISPLAY_UNIT.get(figure.spec.dimension, {}).get("metric", figure.unit),
        "source": sources[row.marker],
        "inherited_from": row.via.slug if row.via else None,
    }


def _fact(sheet: Datasheet, name: str, sources: dict[int, dict]) -> dict | None:
    fact = sheet.facts.get(name)
    if fact is None:
        return None
    if name in ("production", "powerplant"):
        holder = fact.value
        values = (
            {
                "first_year": holder.production_first_year,
                "last_year": holder.production_last_year,
                "number_built": holder.number_built,
                "counted_year": holder.number_built_year,
            }
            if name == "production"
            else {
                "count": holder.engine_count,
                "model": holder.engine_model or None,
                "type": holder.engine_type or None,
            }
        )
    else:
        values = (
            {"year": fact.value.year, "date": fact.value.isoformat()}
            if hasattr(fact.value, "isoformat")
            else {"year": fact.value, "date": None}
        )
    return {
        **values,
        "source": sources.get(fact.marker),
        "inherited_from": fact.via.slug if fact.via else None,
    }


def aircraft_summary(request: HttpRequest, plane: Aircraft) -> dict:
    return {
        "slug": plane.slug,
        "designation": plane.designation,
        "name": plane.name,
        "display_name": plane.display_name,
        "full_name": plane.full_name,
        "manufacturer": {"slug": plane.manufacturer.slug, "name": plane.manufacturer.name},
        "role": plane.role,
        "status": plane.status,
        "year": plane.era_year,
        "url": request.build_absolute_uri(plane.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/aircraft/{plane.slug}/"),
        "drawing_url": request.build_absolute_uri(reverse("aircraft:aircraft-drawing", args=[plane.slug])),
    }


def _photo(request: HttpRequest, photo) -> dict:
    shown = picture(photo, fallback_width=10_000)  # the widest JPEG
    return {
        "url": request.build_absolute_uri(shown.src),
        "width": shown.width,
        "height": shown.height,
        "alt_text": photo.alt_text,
        "caption": photo.caption or None,
        "author": photo.author,
        "licence": photo.licence,
        "licence_name": photo.get_licence_display(),
        "licence_url": photo.licence_url or None,
        "source_url": photo.source_url,
    }


def aircraft_full(request: HttpRequest, plane: Aircraft, sheet: Datasheet | None = None) -> dict:
    """`sheet`: the aircraft's data sheet when made already (several at once: `datasheets`)."""
    total = getattr(plane, "view_total", None)
    if sheet is None:
        sheet = datasheet(plane)
    sources = {
        entry.marker: {
            "marker": entry.marker,
            "title": entry.source.title,
            "publisher": entry.source.publisher,
            "url": entry.source.url,
            "kind": entry.source.kind,
            "checked": entry.source.checked.isoformat(),
            "inherited_from": entry.via.slug if entry.via else None,
        }
        for entry in sheet.sources
    }
    return {
        **aircraft_summary(request, plane),
        "description": plane.description,
        "country": plane.country or None,
        "variant_of": aircraft_summary(request, plane.variant_of) if plane.variant_of_id else None,
        "variants": [
            {"slug": v.slug, "designation": v.designation, "name": v.name, "display_name": v.display_name}
            for v in plane.variants.all()
        ],
        "identity": {
            "icao_type": plane.icao_type or None,
            "wake_category": plane.wake_category or None,
            "military_designation": plane.military_designation or None,
            "nato_name": plane.nato_name or None,
            "aliases": list(plane.aliases),
        },
        "dates": {name: _fact(sheet, name, sources) for name in ("first_flight", "entered_service", "retired")},
        "production": _fact(sheet, "production", sources),
        "powerplant": _fact(sheet, "powerplant", sources),
        "figures": [_figure(row, sources) for row in sheet.rows() if row.figure],
        "missing": [row.key for row in sheet.rows() if not row.figure and not row.unpublished],
        "not_published": [row.key for row in sheet.rows() if row.unpublished],
        "sources": list(sources.values()),
        "notes": plane.notes or None,
        "image": request.build_absolute_uri(plane.image.url) if plane.image else None,
        "layout": {name: getattr(plane, name) or None for name in CONFIGURATION_FIELDS},
        "photos": [_photo(request, photo) for photo in plane.photos.all()],
        "views": total.views if total else 0,
        "updated_at": plane.updated_at.isoformat(),
    }


def manufacturer_summary(request: HttpRequest, maker: Manufacturer) -> dict:
    data = {
        "slug": maker.slug,
        "name": maker.name,
        "country": maker.country,
        "founded": maker.founded,
        "successor": maker.successor.name if maker.successor_id else None,
        "description": maker.description,
        "website": maker.website or None,
        "url": request.build_absolute_uri(maker.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/manufacturers/{maker.slug}/"),
    }
    for key in ("aircraft_count", "active_count", "retired_count", "in_development_count"):
        if hasattr(maker, key):
            data[key] = getattr(maker, key)
    return data


def paginated(request: HttpRequest, queryset, render_item, on_first_page=None, extra=None) -> JsonResponse:
    """A page of results; on_first_page(page) runs when page 1 is served; extra
    keys go into the response beside the results."""
    paginator = Paginator(queryset, settings.API_PAGE_SIZE)

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return json_error(400, "page must be a whole number")
    except EmptyPage:
        if int(request.GET["page"]) < 1:
            return json_error(400, "pages are numbered from 1")
        # A client walking pages learns where the end is, and the address of the last page.
        return json_error(404, "there is no such page", pages=paginator.num_pages, last=link(paginator.num_pages))

    if on_first_page is not None and page.number == 1:
        on_first_page(page)

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            **(extra or {}),
            "results": [render_item(request, item) for item in page.object_list],
        }
    )


@operation(
    summary="List manufacturers",
    description="Every manufacturer with its aircraft counts, by name, a page at a time.",
    tag="Manufacturers",
    parameters=(PAGE,),
    answers={
        200: Answer("A page of manufacturers.", schemas.MANUFACTURER_PAGE, ("/api/manufacturers/",)),
        400: Answer("The page is not a whole number.", schemas.ERROR, ("/api/manufacturers/?page=first",)),
        404: Answer("There is no such page.", schemas.ERROR, ("/api/manufacturers/?page=999",)),
    },
)
@require_safe
@cached_page
def manufacturer_list(request: HttpRequest) -> JsonResponse:
    return paginated(request, selectors.manufacturers_with_counts(), manufacturer_summary)


@operation(
    summary="One manufacturer and its aircraft",
    tag="Manufacturers",
    path_descriptions={"slug": "The manufacturer's slug, as in its page's address."},
    answers={
        200: Answer(
            "The manufacturer, with its aircraft oldest first.",
            schemas.MANUFACTURER,
            ("/api/manufacturers/lockheed-martin/",),
        ),
        404: Answer("No manufacturer has this slug.", schemas.ERROR, ("/api/manufacturers/no-such-maker/",)),
    },
)
@require_safe
@cached_page
def manufacturer_detail(request: HttpRequest, slug: str) -> JsonResponse:
    maker = selectors.manufacturers_with_counts().filter(slug=slug).first()
    if maker is None:
        return json_error(404, f"no manufacturer with slug {slug!r}")
    aircraft = [aircraft_summary(request, plane) for plane in selectors.manufacturer_aircraft(maker)]
    return JsonResponse({**manufacturer_summary(request, maker), "aircraft": aircraft})


@operation(
    summary="List or search aircraft",
    description=(
        "The catalogue, filtered and sorted as on the catalogue page; with `q`, a full-text search that "
        'forgives typos ("raptr" finds the Raptor) and punctuation ("f22" finds the F-22A). Figure sorts '
        "compare like with like and list aircraft without the measure last."
    ),
    tag="Aircraft",
    parameters=(
        Param("q", "Search words: designation, name, manufacturer, role, aliases.", {"type": "string"}),
        *FILTER_PARAMETERS,
    ),
    answers={
        200: Answer(
            "A page of aircraft.",
            schemas.AIRCRAFT_PAGE,
            (
                "/api/aircraft/",
                "/api/aircraft/?role=fighter&status=active&sort=fastest",
                "/api/aircraft/?manufacturer=boeing&decade=1990&page=1",
                "/api/aircraft/?q=raptr",
            ),
        ),
        400: Answer("A filter has a value the catalogue cannot use.", schemas.ERROR, ("/api/aircraft/?decade=1965",)),
        404: Answer("There is no such page.", schemas.ERROR, ("/api/aircraft/?page=999",)),
    },
)
@require_safe
@cached_page
def aircraft_list(request: HttpRequest) -> JsonResponse:
    form = CatalogueFilterForm(request.GET)
    if not form.is_valid():
        return json_error(400, "invalid query parameters", fields=form.errors.get_json_data())
    query = request.GET.get("q", "")
    if query.strip():
        result = selectors.aircraft_search(query)
        queryset = selectors.filter_results(result.matching, form.filters())

        def searched(page) -> None:
            top = page.object_list[0].pk if page.object_list else None
            pages.send(
                request,
                signals.search_performed,
                query=result.query,
                result_count=page.paginator.count,
                top_result=top,
            )

        # Say when the results are for corrected words, or match only most of them.
        honesty = {"query": result.query, "corrected": result.corrected or None, "partial": result.partial}
        return paginated(request, queryset, aircraft_summary, on_first_page=searched, extra=honesty)
    return paginated(request, selectors.aircraft_list(form.filters()), aircraft_summary)


@operation(
    summary="One aircraft: every figure, date and source",
    description=(
        "Figures come as published (value and unit as printed) with both unit systems derived for display, "
        "a metric value for arithmetic, and the source each was read in. A variant carries the figures it "
        "inherits from its base type, marked `inherited_from`."
    ),
    tag="Aircraft",
    path_descriptions={"slug": "The aircraft's slug, as in its page's address."},
    answers={
        200: Answer(
            "The aircraft.", schemas.AIRCRAFT, ("/api/aircraft/f-22a-raptor/", "/api/aircraft/sr-71a-blackbird/")
        ),
        404: Answer("No aircraft has this slug.", schemas.ERROR, ("/api/aircraft/no-such-aircraft/",)),
    },
)
@require_safe
@cached_page
def aircraft_detail(request: HttpRequest, slug: str) -> JsonResponse:
    plane = selectors.aircraft_detail(slug)
    if plane is None:
        return json_error(404, f"no aircraft with slug {slug!r}")
    data = aircraft_full(request, plane)
    live_view_count(plane.pk, data["views"], json_field="views")
    return JsonResponse(data)


@operation(
    summary="Record a view",
    description="For clients that show an aircraft themselves: counts one view, as a page visit does.",
    method="post",
    tag="Aircraft",
    path_descriptions={"slug": "The aircraft's slug."},
    answers={
        202: Answer("The view will be counted.", schemas.VIEW_RECORDED),
        404: Answer("No aircraft has this slug.", schemas.ERROR),
        405: Answer("Only POST records a view.", schemas.ERROR),
        429: Answer("Too many views from this address; see Retry-After.", schemas.ERROR, headers=("Retry-After",)),
    },
)
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
    signals.send_viewed(request, plane, via="beacon")
    return JsonResponse({"recorded": True, "aircraft": plane.slug}, status=202)


@operation(
    summary="A manufacturer's aircraft, in the prototype's shape",
    description="Kept for the prototype's clients; new clients use /api/manufacturers/{slug}/.",
    tag="Prototype",
    deprecated=True,
    path_descriptions={"name": "The manufacturer's name, any case."},
    answers={
        200: Answer("The manufacturer's aircraft.", schemas.LEGACY, ("/api/aircraft/Lockheed%20Martin",)),
        301: Answer("An aircraft's slug without its final slash: its address."),
        404: Answer("No manufacturer has this name.", schemas.ERROR, ("/api/aircraft/Nobody%20Aviation",)),
    },
)
@require_safe
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
                    "introduced": plane.era_year,  # the prototype's name for the year
                    "slug": plane.slug,
                }
                for plane in selectors.manufacturer_aircraft(maker)
            ],
        }
    )


# --- The API's own front door ----------------------------------------------------


def openapi_document(request: HttpRequest) -> dict:
    return openapi.document(
        title="HangarStack API",
        version=API_VERSION,
        description=(
            "Aircraft and manufacturers with every figure's kind, published unit and source. "
            "JSON only; errors are JSON too, in one shape. No key needed; requests are rate-limited per address."
        ),
        server=request.build_absolute_uri("/"),
    )


@operation(
    summary="The API's index",
    description="Links to every collection, the OpenAPI document and the documentation.",
    tag="About",
    answers={200: Answer("Where everything is.", schemas.API_INDEX, ("/api/",))},
)
@require_safe
@cached_page
def api_index(request: HttpRequest) -> JsonResponse:
    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(f"aircraft:{name}"))

    return JsonResponse(
        {
            "name": "HangarStack API",
            "version": API_VERSION,
            "documentation": absolute("api-docs"),
            "openapi": absolute("api-openapi"),
            "collections": {
                "manufacturers": absolute("api-manufacturer-list"),
                "aircraft": absolute("api-aircraft-list"),
            },
        }
    )


@operation(
    summary="This document",
    description="The OpenAPI 3.1 description of this API, generated from its code.",
    tag="About",
    answers={200: Answer("OpenAPI 3.1, as JSON.")},
)
@require_safe
@cached_page
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(request), json_dumps_params={"indent": 2})


@operation(
    summary="The documentation page",
    description="This API's documentation for people, as HTML, rendered from the OpenAPI document.",
    tag="About",
    answers={200: Answer("An HTML page.")},
)
@require_safe
@cached_page
def api_docs(request: HttpRequest) -> HttpResponse:
    from .apidocs import page_context

    return render(request, "api/docs.html", page_context(openapi_document(request)))
