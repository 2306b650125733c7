"""Every test builds its data here, so no test copies another's fixtures."""

import datetime
from decimal import Decimal

import factory

from aircraft.models import Aircraft, Manufacturer


class ManufacturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manufacturer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Maker {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    country = "United States"
    founded = 1950
    description = factory.LazyAttribute(lambda o: f"{o.name} builds aircraft.")
    website = "https://example.com/"


class AircraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aircraft

    manufacturer = factory.SubFactory(ManufacturerFactory)
    designation = factory.Sequence(lambda n: f"X-{n}")
    name = factory.Sequence(lambda n: f"Testbird {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.designation}-{o.name}".lower().replace(" ", "-").replace("/", ""))
    role = Aircraft.Role.FIGHTER
    status = Aircraft.Status.ACTIVE
    introduced = 1990
    description = "A test aircraft."
    length_m = Decimal("15.00")
    wingspan_m = Decimal("10.00")
    height_m = Decimal("4.50")
    empty_weight_kg = 10000
    max_takeoff_weight_kg = 20000
    max_speed_kn = 1000
    max_speed_mach = Decimal("1.60")
    range_km = 3000
    service_ceiling_m = 15000
    crew = 1
    engines = "1 × test turbofan"
    source_name = "Test fact sheet"
    source_url = "https://example.com/fact-sheet"
    source_kind = Aircraft.SourceKind.MILITARY_FACT_SHEET
    source_verified = datetime.date(2026, 11, 1)


def catalogue_document(aircraft_count: int = 3, manufacturers: int = 2) -> dict:
    """A valid catalogue file's content, for loader tests."""
    makers = [
        {
            "name": f"Loader Maker {m}",
            "slug": f"loader-maker-{m}",
            "country": "France",
            "description": f"Maker number {m}.",
        }
        for m in range(manufacturers)
    ]
    aircraft = [
        {
            "manufacturer": makers[i % manufacturers]["name"],
            "designation": f"LM-{i}",
            "name": f"Loaded {i}",
            "slug": f"lm-{i}-loaded-{i}",
            "role": "transport",
            "status": "active",
            "introduced": 1960 + i,
            "description": f"Aircraft {i} from the loader tests.",
            "specs": {
                "length_m": 20.5 + i,
                "wingspan_m": 30,
                "empty_weight_kg": 30000,
                "max_takeoff_weight_kg": 70000,
                "max_speed_kn": 330,
                "range_km": 5000,
                "crew": 2,
                "engines": "4 × turboprop",
            },
            "source": {
                "name": "Type certificate data sheet",
                "url": "https://example.com/tcds",
                "kind": "type-certificate",
                "verified": "2026-11-01",
            },
        }
        for i in range(aircraft_count)
    ]
    return {
        "catalogue": {"version": "2026.11.0", "date": "2026-11-27", "title": "Test catalogue"},
        "manufacturers": makers,
        "aircraft": aircraft,
    }
