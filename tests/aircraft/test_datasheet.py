import datetime

import pytest

from aircraft.datasheet import datasheet, datasheets
from aircraft.models import AircraftSource, SourceKind
from tests.factories import AircraftFactory, figures_with

pytestmark = pytest.mark.django_db


def unused_source(plane, key: str) -> AircraftSource:
    return AircraftSource.objects.create(
        aircraft=plane,
        key=key,
        title=f"{key} brochure",
        publisher="Test Aircraft Co",
        url=f"https://example.com/{key}",
        kind=SourceKind.MANUFACTURER,
        checked=datetime.date(2026, 11, 1),
    )


def test_sheets_made_together_are_the_sheets_made_one_by_one():
    base = AircraftFactory()
    unused_source(base, "base-extra")
    inheriting = AircraftFactory(manufacturer=base.manufacturer, variant_of=base, figures={})
    unused_source(inheriting, "variant-extra")  # no figure uses it: still listed, on its own sheet only
    own = AircraftFactory(manufacturer=base.manufacturer, variant_of=base, figures=figures_with(length=("16.2", "m")))
    unrelated = AircraftFactory()
    planes = [unrelated, own, inheriting, base]

    together = datasheets(planes)

    assert together == [datasheet(plane) for plane in planes]
    titles = {entry.source.title for entry in together[2].sources}
    assert "variant-extra brochure" in titles and "base-extra brochure" not in titles
    assert {entry.via for entry in together[2].sources} == {None, base}  # its own, and the base's figures'
