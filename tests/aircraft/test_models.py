from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aircraft.models import Aircraft
from tests.factories import AircraftFactory, ManufacturerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [
        ("length_m", Decimal("-1.00")),
        ("wingspan_m", Decimal("0.00")),
        ("height_m", Decimal("-0.50")),
        ("max_takeoff_weight_kg", 0),
        ("max_speed_kn", 0),
        ("max_speed_mach", Decimal("0.00")),
        ("range_km", 0),
        ("service_ceiling_m", 0),
        ("introduced", 1902),
    ],
)
def test_database_rejects_impossible_values(field, value):
    plane = AircraftFactory()
    setattr(plane, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        plane.save()


def test_database_rejects_empty_weight_above_mtow():
    plane = AircraftFactory()
    plane.empty_weight_kg = plane.max_takeoff_weight_kg + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        plane.save()


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
        empty_weight_kg=50000,
        max_takeoff_weight_kg=40000,
        length_m=Decimal("-2"),
    )
    with pytest.raises(ValidationError) as caught:
        plane.full_clean()
    errors = caught.value.message_dict
    assert "designation" in errors
    assert "empty_weight_kg" in errors
    assert "length_m" in errors


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


def test_specifications_derive_imperial_from_metric():
    plane = AircraftFactory.build(length_m=Decimal("18.92"), max_takeoff_weight_kg=38000, engines="")
    rows = {row["key"]: row for row in plane.specifications()}
    assert rows["length"]["display"] == {"metric": "18.92 m", "imperial": "62 ft 1 in"}
    assert rows["max_takeoff_weight"]["display"]["imperial"] == "83,776 lb"
    assert rows["engines"]["display"] is None
