"""What other sites read: the link-preview picture, structured data, the sitemap and robots.txt."""

import json

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from . import selectors
from .card import HEIGHT, WIDTH, card_png
from .datasheet import Datasheet, datasheet
from .models import Aircraft, Manufacturer
from .stamps import cached_page

CARD_SIZE = {"width": WIDTH, "height": HEIGHT}


def _metric(sheet: Datasheet, quantity: str) -> float | None:
    for row in sheet.rows():
        if row.quantity == quantity and row.figure is not None:
            return float(row.figure.metric_value)
    return None


@require_safe
@cached_page
def aircraft_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The aircraft's picture for link previews, 1200 x 630 PNG."""
    plane = selectors.aircraft_detail(slug)
    if plane is None:
        raise Http404("No aircraft has this address.")
    sheet = datasheet(plane)
    span = _metric(sheet, "rotor_diameter" if plane.is_rotorcraft else "wingspan")
    body = card_png(length_m=_metric(sheet, "length"), span_m=span, rotorcraft=plane.is_rotorcraft)
    return HttpResponse(body, content_type="image/png")


# --- schema.org ---------------------------------------------------------------------

# Inside <script type="application/ld+json"> nothing may close the element early.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """A data block, never executed, so the Content-Security-Policy's script-src does not apply."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


def aircraft_structured_data(request: HttpRequest, plane: Aircraft, sheet: Datasheet) -> SafeString:
    """schema.org has no Aircraft type; Vehicle ("transports people or cargo over land, water, air")
    fits, with the figures as PropertyValues in their published units."""
    properties = [
        {
            "@type": "PropertyValue",
            "name": row.label,
            "value": str(row.figure.value),
            "unitText": row.figure.unit,
            **({"description": row.figure.condition} if row.figure.condition else {}),
        }
        for row in sheet.rows()
        if row.figure is not None
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "Vehicle",
        "name": plane.full_name,
        "model": plane.designation,
        "url": request.build_absolute_uri(plane.get_absolute_url()),
        "image": request.build_absolute_uri(reverse("aircraft:aircraft-card", args=[plane.slug])),
        "description": plane.description or f"{plane.full_name}: {plane.get_role_display().lower()}.",
        "category": plane.get_role_display(),
        "manufacturer": {
            "@type": "Organization",
            "name": plane.manufacturer.name,
            "url": request.build_absolute_uri(plane.manufacturer.get_absolute_url()),
        },
        "additionalProperty": properties,
    }
    if plane.era_year:
        data["productionDate"] = str(plane.era_year)
    if plane.country:
        data["countryOfOrigin"] = {"@type": "Country", "name": plane.country}
    return json_ld(data)


def share_context(request: HttpRequest, plane: Aircraft, sheet: Datasheet) -> dict:
    """Open Graph and Twitter card fields and the JSON-LD for an aircraft page."""
    era = f" from {plane.era_year}" if plane.era_year else ""
    figures = sum(1 for row in sheet.rows() if row.figure is not None)
    return {
        "description": (
            f"{plane.full_name}, {plane.get_role_display().lower()}{era}: "
            f"{figures} figure{'s' if figures != 1 else ''} in metric and imperial units, each with its source."
        ),
        "image": request.build_absolute_uri(reverse("aircraft:aircraft-card", args=[plane.slug])),
        "image_width": WIDTH,
        "image_height": HEIGHT,
        "image_alt": f"Top-view silhouette of the {plane.full_name}, drawn to its "
        + ("rotor diameter and length" if plane.is_rotorcraft else "wingspan and length"),
        "structured_data": aircraft_structured_data(request, plane, sheet),
    }


# --- Sitemap and robots.txt -------------------------------------------------------------


class PagesSitemap(Sitemap):
    """The pages that are not one aircraft or one manufacturer."""

    def items(self):
        return [
            "aircraft:home",
            "aircraft:aircraft-list",
            "aircraft:manufacturer-list",
            "aircraft:compare",
            "aircraft:explore",
            "aircraft:credits",
            "aircraft:api-docs",
        ]

    def location(self, item):
        return reverse(item)


class ManufacturerSitemap(Sitemap):
    def items(self):
        return Manufacturer.objects.only("slug", "updated_at").order_by("slug")

    def lastmod(self, item):
        return item.updated_at


class AircraftSitemap(Sitemap):
    limit = 10_000  # a sitemap file may list 50,000 addresses; more go on further pages

    def items(self):
        return Aircraft.objects.only("slug", "updated_at").order_by("slug")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": PagesSitemap, "manufacturers": ManufacturerSitemap, "aircraft": AircraftSitemap}


@require_safe
@cached_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: an index of the sections, so a catalogue of any size fits the format's limits."""
    return sitemap_views.index(request, sitemaps=SITEMAPS, sitemap_url_name="aircraft:sitemap-section").render()


@require_safe
@cached_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section).render()


@require_safe
@cached_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        # Forms and per-visitor preferences: nothing to index.
        "Disallow: /preferences/",
        "Disallow: /aircraft/*/corrections/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('aircraft:sitemap-index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
