"""The API's JSON shapes, as JSON Schema 2020-12 for the OpenAPI document.

Strict on purpose (every property listed and required, no others): the tests
request every documented example from the real API and validate the answer
against these, so a field added to aircraft/api.py without a word here fails.
"""

from core.openapi import Schema, nullable, ref

from . import quantities
from .configuration import EnginePlacement, RotorLayout, TailLayout, WingPlanform
from .models import Aircraft, AircraftPhoto, SourceKind

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
URL = {"type": "string", "format": "uri"}
SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}


def strict(properties: dict, description: str = "", optional: tuple[str, ...] = ()) -> dict:
    body = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        body["description"] = description
    return body


ERROR = Schema(
    "Error",
    {
        "type": "object",
        "description": "Every API error has this shape, with the HTTP status repeated inside.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": INTEGER,
                    "message": STRING,
                    "fields": {"type": "object", "description": "Per-parameter problems (400)."},
                    "pages": {"type": "integer", "description": "How many pages there are (404 past the end)."},
                    "last": {
                        "type": "string",
                        "format": "uri",
                        "description": "The address of the last page, filters kept (404 past the end).",
                    },
                },
                "required": ["status", "message"],
            }
        },
        "required": ["error"],
        "additionalProperties": False,
    },
)

MANUFACTURER_FIELDS = {
    "slug": SLUG,
    "name": STRING,
    "country": STRING,
    "founded": nullable(INTEGER),
    "successor": nullable({"type": "string", "description": "The company that absorbed this one."}),
    "description": STRING,
    "website": nullable(URL),
    "url": {**URL, "description": "The manufacturer's page on this site."},
    "api_url": URL,
}
COUNTS = {
    "aircraft_count": INTEGER,
    "active_count": INTEGER,
    "retired_count": INTEGER,
    "in_development_count": INTEGER,
}
MANUFACTURER_SUMMARY = Schema(
    "ManufacturerSummary", strict({**MANUFACTURER_FIELDS, **COUNTS}, "A manufacturer with its aircraft counts.")
)

AIRCRAFT_FIELDS = {
    "slug": SLUG,
    "designation": {"type": "string", "examples": ["F-22A", "A320neo"]},
    "name": {"type": "string", "description": 'The popular name, e.g. "Raptor"; may be empty.'},
    "display_name": {
        "type": "string",
        "description": 'Designation and name, never saying the same thing twice ("H160", not "H160 H160").',
    },
    "full_name": {"type": "string", "description": 'With the manufacturer, said once ("ATR 72-600").'},
    "manufacturer": strict({"slug": SLUG, "name": STRING}),
    "role": {"enum": Aircraft.Role.values},
    "status": {"enum": Aircraft.Status.values},
    "year": nullable({"type": "integer", "description": "Entry into service, else first flight."}),
    "url": {**URL, "description": "The aircraft's page on this site."},
    "api_url": URL,
    "drawing_url": {
        **URL,
        "description": "Its top and side views drawn to scale from its own figures (SVG, in the visitor's units).",
    },
}
AIRCRAFT_SUMMARY = Schema("AircraftSummary", strict(AIRCRAFT_FIELDS))

SOURCE = Schema(
    "Source",
    strict(
        {
            "marker": {"type": "integer", "description": "The number pages show beside each figure it gives."},
            "title": STRING,
            "publisher": STRING,
            "url": URL,
            "kind": {"enum": SourceKind.values},
            "checked": {"type": "string", "format": "date", "description": "When the figures were last checked."},
            "inherited_from": nullable({**SLUG, "description": "The base type this source belongs to."}),
        }
    ),
)
INHERITED = nullable({**SLUG, "description": "The base type it is inherited from, if any."})

FIGURE = Schema(
    "Figure",
    strict(
        {
            "quantity": {"enum": list(quantities.QUANTITIES)},
            "kind": {"enum": sorted({code for q in quantities.QUANTITIES.values() for code, _ in q.kinds})},
            "label": STRING,
            "value": {"type": "string", "description": 'As the source printed it: "83,500", "62 ft 1 in".'},
            "unit": {"enum": [code for code, _ in quantities.UNIT_CHOICES]},
            "condition": nullable({"type": "string", "examples": ["at 36,000 ft"]}),
            "display": strict({"metric": STRING, "imperial": STRING}, "As pages show it in each unit system."),
            "metric_value": {"type": "number", "description": "For sorting and arithmetic."},
            "metric_unit": STRING,
            "source": ref(SOURCE),
            "inherited_from": INHERITED,
        },
        "One published figure: what it is, the value and unit as printed, and its source.",
    ),
)

PHOTO = Schema(
    "Photo",
    strict(
        {
            "url": {**URL, "description": "The widest JPEG copy (WebP and smaller copies are on the page)."},
            "width": INTEGER,
            "height": INTEGER,
            "alt_text": STRING,
            "caption": nullable(STRING),
            "author": STRING,
            "licence": {"enum": AircraftPhoto.Licence.values},
            "licence_name": STRING,
            "licence_url": nullable(URL),
            "source_url": URL,
        },
        "A photograph and its credit, which must be shown with it.",
    ),
)
SOURCED = {"source": nullable(ref(SOURCE)), "inherited_from": INHERITED}
DATE = Schema(
    "DateFact",
    strict({"year": INTEGER, "date": nullable({"type": "string", "format": "date"}), **SOURCED}),
)

AIRCRAFT = Schema(
    "Aircraft",
    strict(
        {
            **AIRCRAFT_FIELDS,
            "description": STRING,
            "country": nullable(STRING),
            "variant_of": nullable(ref(AIRCRAFT_SUMMARY)),
            "variants": {
                "type": "array",
                "items": strict({"slug": SLUG, "designation": STRING, "name": STRING, "display_name": STRING}),
            },
            "identity": strict(
                {
                    "icao_type": nullable(STRING),
                    "wake_category": nullable({"enum": Aircraft.Wake.values}),
                    "military_designation": nullable(STRING),
                    "nato_name": nullable(STRING),
                    "aliases": {"type": "array", "items": STRING},
                }
            ),
            "dates": strict(
                {name: nullable(ref(DATE)) for name in ("first_flight", "entered_service", "retired")},
            ),
            "production": nullable(
                strict(
                    {
                        "first_year": nullable(INTEGER),
                        "last_year": nullable(INTEGER),
                        "number_built": nullable(INTEGER),
                        "counted_year": nullable(INTEGER),
                        **SOURCED,
                    }
                )
            ),
            "powerplant": nullable(
                strict(
                    {
                        "count": nullable(INTEGER),
                        "model": nullable(STRING),
                        "type": nullable({"enum": Aircraft.Engine.values}),
                        **SOURCED,
                    }
                )
            ),
            "figures": {"type": "array", "items": ref(FIGURE)},
            "missing": {
                "type": "array",
                "items": STRING,
                "description": '"quantity:kind" of expected figures the catalogue lacks so far.',
            },
            "not_published": {
                "type": "array",
                "items": STRING,
                "description": '"quantity:kind" of figures a source says are not published.',
            },
            "sources": {"type": "array", "items": ref(SOURCE)},
            "notes": nullable(STRING),
            "image": nullable(URL),
            "layout": strict(
                {
                    "wing_planform": nullable({"enum": WingPlanform.values}),
                    "engine_placement": nullable({"enum": EnginePlacement.values}),
                    "tail_layout": nullable({"enum": TailLayout.values}),
                    "rotor_layout": nullable({"enum": RotorLayout.values}),
                },
                "What the drawing is drawn in; null where not recorded.",
            ),
            "photos": {"type": "array", "items": ref(PHOTO), "description": "First leads the page."},
            "views": {"type": "integer", "minimum": 0},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "An aircraft with every figure, date and source.",
    ),
)

MANUFACTURER = Schema(
    "Manufacturer",
    strict(
        {**MANUFACTURER_FIELDS, **COUNTS, "aircraft": {"type": "array", "items": ref(AIRCRAFT_SUMMARY)}},
        "A manufacturer and its aircraft, oldest first.",
    ),
)


def _page(name: str, item: Schema, extra: dict | None = None) -> Schema:
    return Schema(
        name,
        strict(
            {
                "count": {"type": "integer", "description": "Results on every page together."},
                "page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "next": nullable(URL),
                "previous": nullable(URL),
                **(extra or {}),
                "results": {"type": "array", "items": ref(item)},
            },
            optional=tuple(extra or ()),
        ),
    )


# With `q`: what was searched for, and whether the results are for corrected
# words or match only most of them (the API is as honest as the page).
SEARCH_FIELDS = {
    "query": {"type": "string", "description": "The search as understood: trimmed, single-spaced, bounded."},
    "corrected": {
        **nullable(STRING),
        "description": "The query with misspelt words corrected, when the results are for it; null otherwise.",
    },
    "partial": {"type": "boolean", "description": "No aircraft has every word: these have most of them."},
}


MANUFACTURER_PAGE = _page("ManufacturerPage", MANUFACTURER_SUMMARY)
AIRCRAFT_PAGE = _page("AircraftPage", AIRCRAFT_SUMMARY, SEARCH_FIELDS)

VIEW_RECORDED = Schema("ViewRecorded", strict({"recorded": {"const": True}, "aircraft": SLUG}))

LEGACY = Schema(
    "LegacyManufacturerAircraft",
    strict(
        {
            "manufacturer": STRING,
            "aircraft": {
                "type": "array",
                "items": strict(
                    {
                        "designation": STRING,
                        "name": STRING,
                        "role": STRING,
                        "status": STRING,
                        "introduced": nullable(INTEGER),
                        "slug": SLUG,
                    }
                ),
            },
        },
        "The prototype's shape, kept for its clients.",
    ),
)

API_INDEX = Schema(
    "ApiIndex",
    strict(
        {
            "name": STRING,
            "version": STRING,
            "documentation": {**URL, "description": "This API's documentation page."},
            "openapi": {**URL, "description": "The OpenAPI 3.1 document."},
            "collections": {
                "type": "object",
                "additionalProperties": URL,
                "description": "Each collection's address, by name.",
            },
        }
    ),
)
