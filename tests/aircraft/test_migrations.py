"""The move from fixed columns to figures (migration 0006) keeps what the old
record could say and leaves out what it could not."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aircraft.models import Aircraft

BEFORE = [("aircraft", "0005_catalogue_v2_fields")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_records_become_figures_citing_their_source():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        maker = old.get_model("aircraft", "Manufacturer").objects.create(
            name="Old Maker", slug="old-maker", country="France", description="Made things."
        )
        common = {
            "manufacturer": maker,
            "description": "Old record.",
            "status": "active",
            "source_name": "Old fact sheet: type",
            "source_url": "https://example.com/old",
            "source_kind": "manufacturer",
            "source_verified": datetime.date(2026, 11, 27),
        }
        old_aircraft = old.get_model("aircraft", "Aircraft")
        old_aircraft.objects.create(
            designation="OF-1",
            slug="of-1",
            role="fighter",
            introduced=1990,
            length_m=Decimal("15.20"),
            wingspan_m=Decimal("10.00"),
            max_takeoff_weight_kg=381018,  # converted from 840,000 lb once
            max_speed_kn=1200,
            max_speed_mach=Decimal("2.00"),
            range_km=3000,
            crew=1,
            engines="2 × Test F100 turbofan",
            **common,
        )
        old_aircraft.objects.create(
            designation="OH-1", slug="oh-1", role="helicopter", length_m=Decimal("19.00"), wingspan_m=16, **common
        )
        old_aircraft.objects.create(designation="OU-1", slug="ou-1", role="uav", crew=0, **common)
        migrate(latest)

        fighter = Aircraft.objects.get(slug="of-1")
        figures = {(f.quantity, f.kind): (f.value, f.unit, f.source.url) for f in fighter.figures.all()}
        assert figures == {
            ("length", "overall"): ("15.2", "m", "https://example.com/old"),
            ("wingspan", "overall"): ("10", "m", "https://example.com/old"),
            ("max_takeoff_weight", "overall"): ("840,000", "lb", "https://example.com/old"),
            ("mach", "maximum"): ("2", "mach", "https://example.com/old"),
            ("crew", "overall"): ("1", "count", "https://example.com/old"),
        }  # knots, range and "introduced" could be either kind: left out, not guessed
        assert (fighter.first_flight_year, fighter.entered_service_year) == (None, None)
        assert (fighter.engine_count, fighter.engine_model, fighter.engine_type) == (2, "Test F100", "turbofan")
        assert fighter.powerplant_source.title == "Old fact sheet: type"
        assert fighter.rank_speed_mach == 2.0 and fighter.digest["card"][0]["metric"] == "15.2 m"

        helicopter = Aircraft.objects.get(slug="oh-1")
        assert list(helicopter.figures.values_list("quantity", "value")) == [("rotor_diameter", "16")]
        assert not Aircraft.objects.get(slug="ou-1").figures.exists()  # a crew of 0 is what "uav" says
    finally:
        migrate(latest)
