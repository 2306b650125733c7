import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aircraft.models import Aircraft, Figure, Manufacturer
from tests.factories import AircraftFactory, ManufacturerFactory

pytestmark = pytest.mark.django_db


def test_database_rejects_a_second_figure_of_the_same_kind():
    plane = AircraftFactory()
    source = plane.sources.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(aircraft=plane, quantity="length", kind="overall", value="3", unit="m", source=source)
    # Another kind of the same quantity is a different figure.
    Figure.objects.create(aircraft=plane, quantity="range", kind="ferry", value="4000", unit="nmi", source=source)


def test_database_rejects_a_figure_that_is_not_positive():
    plane = AircraftFactory(figures={})
    figure = Figure(aircraft=plane, quantity="height", kind="overall", value="1", unit="m", source=plane.sources.get())
    figure.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.filter(pk=figure.pk).update(metric_value=0)


@pytest.mark.parametrize(
    "field, value",
    [("first_flight_year", 1902), ("entered_service_year", 1902)],
)
def test_database_rejects_impossible_years(field, value):
    plane = AircraftFactory()
    Aircraft.objects.filter(pk=plane.pk).update(first_flight_year=None, entered_service_year=None)
    plane.refresh_from_db()
    setattr(plane, field, value)
    with pytest.raises(ValidationError):
        plane.full_clean()


def test_database_rejects_service_before_first_flight():
    plane = AircraftFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Aircraft.objects.filter(pk=plane.pk).update(first_flight_year=2000, entered_service_year=1990)


def test_database_rejects_an_aircraft_as_its_own_variant():
    plane = AircraftFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Aircraft.objects.filter(pk=plane.pk).update(variant_of=plane.pk)


def test_variants_cannot_loop():
    base = AircraftFactory()
    variant = AircraftFactory(variant_of=base)
    base.variant_of = variant
    with pytest.raises(ValidationError) as caught:
        base.full_clean()
    assert "variant_of" in caught.value.message_dict


def test_figure_clean_names_the_kinds_and_units_allowed():
    plane = AircraftFactory(figures={})
    figure = Figure(
        aircraft=plane, quantity="range", kind="at-altitude", value="12", unit="kg", source=plane.sources.get()
    )
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    errors = caught.value.message_dict
    assert "typical, maximum, ferry, combat-radius" in errors["kind"][0]
    assert "cannot be given in 'kg'" in errors["value"][0]


def test_a_figure_may_cite_only_its_own_aircrafts_sources():
    plane, other = AircraftFactory(), AircraftFactory()
    figure = Figure(
        aircraft=plane, quantity="payload", kind="maximum", value="5", unit="kg", source=other.sources.get()
    )
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert "source" in caught.value.message_dict


def test_designation_is_unique_per_manufacturer_ignoring_case():
    maker = ManufacturerFactory()
    AircraftFactory(manufacturer=maker, designation="F-22A")
    with pytest.raises(IntegrityError), transaction.atomic():
        AircraftFactory(manufacturer=maker, designation="f-22a")
    AircraftFactory(designation="F-22A")  # another manufacturer may reuse it


def test_full_clean_puts_messages_on_the_fields():
    maker = ManufacturerFactory()
    AircraftFactory(manufacturer=maker, designation="C-130J")
    plane = AircraftFactory.build(
        manufacturer=maker,
        designation="c-130j",
        first_flight_year=1996,
        entered_service_year=1990,
        retired_year=2020,
        status=Aircraft.Status.ACTIVE,
    )
    with pytest.raises(ValidationError) as caught:
        plane.full_clean()
    errors = caught.value.message_dict
    assert "designation" in errors
    assert "entered_service_year" in errors
    assert "status" in errors


def test_designation_key_strips_punctuation_and_case():
    plane = AircraftFactory(designation="F/A-18E")
    plane.refresh_from_db()
    assert plane.designation_key == "fa18e"


def test_search_vector_is_maintained_by_the_database():
    maker = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    plane = AircraftFactory(manufacturer=maker, designation="F-22A", name="Raptor")
    assert Aircraft.objects.filter(pk=plane.pk, search_vector="raptor").exists()
    Aircraft.objects.filter(pk=plane.pk).update(name="Hawk")  # bulk writes too
    assert Aircraft.objects.filter(pk=plane.pk, search_vector="hawk").exists()
    assert not Aircraft.objects.filter(pk=plane.pk, search_vector="raptor").exists()


def test_manufacturer_rename_reaches_aircraft_search():
    maker = ManufacturerFactory(name="Grumman", slug="grumman")
    plane = AircraftFactory(manufacturer=maker)
    maker.name = "Northrop Grumman"
    maker.save()
    assert Aircraft.objects.filter(pk=plane.pk, search_vector="northrop").exists()


def test_changed_fields_reports_old_and_new_values_once():
    plane = AircraftFactory(status=Aircraft.Status.ACTIVE)
    plane = Aircraft.objects.get(pk=plane.pk)
    assert plane.changed_fields() == {}
    plane.status = Aircraft.Status.RETIRED
    assert plane.changed_fields() == {"status": ("active", "retired")}
    plane.save()
    assert plane.changed_fields() == {}


@pytest.mark.parametrize(
    "designation, name, shown",
    [
        ("H160", "H160", "H160"),
        ("A380-800", "A380", "A380-800"),
        ("777-300ER", "777", "777-300ER"),
        ("F-22A", "Raptor", "F-22A Raptor"),
        ("340B", "Saab 340", "340B Saab 340"),  # the manufacturer is not loaded: no query to find it
        ("AW169", "", "AW169"),
        ("A320neo", "A320 neo", "A320neo"),
        ("Mi-24", "Mi-24 Hind", "Mi-24 Hind"),
    ],
)
def test_display_name_never_says_the_same_thing_twice(designation, name, shown):
    assert Aircraft(designation=designation, name=name).display_name == shown


@pytest.mark.parametrize(
    "maker, designation, name, shown, full",
    [
        ("Saab", "340B", "Saab 340", "340B", "Saab 340B"),
        ("Bell", "X-1", "Bell X-1", "X-1", "Bell X-1"),
        ("Bell", "407GXi", "Bell 407", "407GXi", "Bell 407GXi"),
        ("ATR", "ATR 72-600", "ATR 72", "ATR 72-600", "ATR 72-600"),
        ("Airbus Helicopters", "H160", "H160", "H160", "Airbus Helicopters H160"),
        ("Lockheed Martin", "F-22A", "Raptor", "F-22A Raptor", "Lockheed Martin F-22A Raptor"),
        ("Saab", "JAS 39E", "Gripen E", "JAS 39E Gripen E", "Saab JAS 39E Gripen E"),
    ],
)
def test_the_manufacturer_is_named_once(maker, designation, name, shown, full):
    plane = Aircraft(designation=designation, name=name, manufacturer=Manufacturer(pk=1, name=maker))
    assert (plane.display_name, plane.full_name, str(plane)) == (shown, full, full)


def test_a_figure_is_shown_as_published_and_converted_to_its_precision():
    plane = AircraftFactory(figures={("max_takeoff_weight", "overall"): ("840,000", "lb")})
    figure = plane.figures.get()
    assert figure.display() == {"metric": "381,000 kg", "imperial": "840,000 lb"}
    assert plane.rank_mtow_kg == pytest.approx(381017.59, rel=1e-6)
