"""Every test builds its data here, so no test copies another's fixtures."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aircraft.models import Aircraft, AircraftPhoto, AircraftSource, Figure, Manufacturer, SourceKind
from aircraft.quantities import QUANTITIES
from aircraft.services import catalogue_refresh_digests


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
    """An aircraft with one source and a typical set of figures (pass figures={} for none)."""

    class Meta:
        model = Aircraft
        skip_postgeneration_save = True

    manufacturer = factory.SubFactory(ManufacturerFactory)
    designation = factory.Sequence(lambda n: f"X-{n}")
    name = factory.Sequence(lambda n: f"Testbird {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.designation}-{o.name}".lower().replace(" ", "-").replace("/", ""))
    role = Aircraft.Role.FIGHTER
    status = Aircraft.Status.ACTIVE
    entered_service_year = 1990
    first_flight_year = factory.LazyAttribute(lambda o: o.entered_service_year - 2 if o.entered_service_year else None)
    description = "A test aircraft."
    engine_count = 1
    engine_model = "Test F100"
    engine_type = Aircraft.Engine.TURBOFAN

    @factory.post_generation
    def figures(self, create, extracted, **kwargs):
        if not create:
            return
        source = AircraftSource.objects.create(
            aircraft=self,
            key="main",
            title="Test fact sheet",
            publisher="Test Air Force",
            url="https://example.com/fact-sheet",
            kind=SourceKind.MILITARY_FACT_SHEET,
            checked=datetime.date(2026, 11, 1),
        )
        wanted = DEFAULT_FIGURES if extracted is None else extracted
        for (quantity, kind), (value, unit) in wanted.items():
            Figure.objects.create(aircraft=self, quantity=quantity, kind=kind, value=value, unit=unit, source=source)
        Aircraft.objects.filter(pk=self.pk).update(
            first_flight_source=source, entered_service_source=source, powerplant_source=source
        )
        catalogue_refresh_digests(aircraft=Aircraft.objects.filter(pk=self.pk))
        self.refresh_from_db()


DEFAULT_FIGURES = {
    ("length", "overall"): ("15.00", "m"),
    ("wingspan", "overall"): ("10.00", "m"),
    ("height", "overall"): ("4.50", "m"),
    ("empty_weight", "empty"): ("10000", "kg"),
    ("max_takeoff_weight", "overall"): ("20000", "kg"),
    ("max_speed", "at-altitude"): ("1000", "kn"),
    ("mach", "maximum"): ("1.60", "mach"),
    ("range", "typical"): ("3000", "km"),
    ("service_ceiling", "overall"): ("15000", "m"),
    ("crew", "overall"): ("1", "count"),
}


def figures_with(**changes) -> dict:
    """DEFAULT_FIGURES with some replaced: figures_with(mach=None, max_speed=("250", "kn"))."""
    figures = dict(DEFAULT_FIGURES)
    for quantity, value in changes.items():
        key = next((k for k in figures if k[0] == quantity), None) or (quantity, QUANTITIES[quantity].default_kind)
        figures.pop(key, None)
        if value is not None:
            figures[value[2] if len(value) > 2 else key] = value[:2]
    return figures


def image_upload(width: int = 1600, height: int = 1000, fmt: str = "JPEG", name: str = "photo.jpg", mode="RGB"):
    """A real image file of the given size, as an upload."""
    buffer = io.BytesIO()
    colour = (40, 90, 160, 128) if mode == "RGBA" else (40, 90, 160)
    Image.new(mode, (width, height), colour).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


class AircraftPhotoFactory(factory.django.DjangoModelFactory):
    """Needs a MEDIA_ROOT the test owns (the `media` fixture): it writes the file."""

    class Meta:
        model = AircraftPhoto

    aircraft = factory.SubFactory(AircraftFactory)
    image = factory.LazyFunction(image_upload)
    alt_text = "The aircraft on the ground, seen from the front left."
    caption = "At an air show."
    author = factory.Sequence(lambda n: f"Photographer {n}")
    licence = AircraftPhoto.Licence.CC_BY_SA_4
    source_url = factory.Sequence(lambda n: f"https://commons.example.org/wiki/File:Photo_{n}.jpg")


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
            "description": f"Aircraft {i} from the loader tests.",
            "sources": [
                {
                    "id": "tcds",
                    "title": "Type certificate data sheet",
                    "publisher": "Test Aviation Authority",
                    "url": "https://example.com/tcds",
                    "kind": "type-certificate",
                    "checked": "2026-11-01",
                }
            ],
            "dates": {
                "first_flight": {"year": 1958 + i, "source": "tcds"},
                "entered_service": {"year": 1960 + i, "source": "tcds"},
            },
            "powerplant": {"count": 4, "model": "Test T56", "type": "turboprop", "source": "tcds"},
            "configuration": {
                "wing_planform": "straight",
                "engine_placement": "wing-nacelles",
                "tail_layout": "conventional",
                "rotor_layout": "none",
                "source": "tcds",
            },
            "figures": [
                {"quantity": "length", "value": f"{20.5 + i}", "unit": "m", "source": "tcds"},
                {"quantity": "wingspan", "value": "30", "unit": "m", "source": "tcds"},
                {"quantity": "empty_weight", "value": "66,000", "unit": "lb", "source": "tcds"},
                {"quantity": "max_takeoff_weight", "value": "70000", "unit": "kg", "source": "tcds"},
                {"quantity": "max_speed", "kind": "at-altitude", "value": "330", "unit": "kn", "source": "tcds"},
                {"quantity": "range", "kind": "typical", "value": "5000", "unit": "km", "source": "tcds"},
                {"quantity": "crew", "value": "2", "unit": "count", "source": "tcds"},
            ],
        }
        for i in range(aircraft_count)
    ]
    return {
        "catalogue": {"version": "2026.11.0", "date": "2026-11-27", "title": "Test catalogue"},
        "manufacturers": makers,
        "aircraft": aircraft,
    }
