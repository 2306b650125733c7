"""The catalogue the browser tests copy back in (tests/e2e/tables.py) is the one load_aircraft makes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from aircraft.models import Aircraft, Figure, Manufacturer
from tests.factories import ManufacturerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEARCH_COLUMNS = "SELECT slug, search_vector::text, search_keys FROM aircraft_aircraft ORDER BY slug"


def rows(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def figures() -> set[tuple]:
    """Every figure by what it is, not by id: aircraft, quantity, kind, value as printed, unit, source."""
    return set(Figure.objects.values_list("aircraft__slug", "quantity", "kind", "value", "unit", "source__title"))


def test_the_copied_catalogue_is_the_loaded_one_under_fresh_ids(catalogue, loaded_catalogue):
    added = loaded_catalogue["rows"]
    first_ids = set(Aircraft.objects.values_list("pk", flat=True))
    first_figures = figures()
    search = rows(SEARCH_COLUMNS)
    words = rows("SELECT word, aircraft FROM aircraft_searchword ORDER BY word")
    assert len(first_ids) >= 300 and words

    # Empty the tables as a flush does (the sequences go on), then copy back in.
    with connection.cursor() as cursor:
        names = sql.SQL(", ").join(map(sql.Identifier, added.table_names))
        cursor.execute(sql.SQL("TRUNCATE {} CASCADE").format(names).as_string(cursor.cursor))
    assert not Aircraft.objects.exists()
    added.restore()

    again = set(Aircraft.objects.values_list("pk", flat=True))
    assert len(again) == len(first_ids) and not again & first_ids
    assert figures() == first_figures
    # The triggers rebuilt the search documents and the word list as the load left them.
    assert rows(SEARCH_COLUMNS) == search
    assert rows("SELECT word, aircraft FROM aircraft_searchword ORDER BY word") == words
    # And load_aircraft finds nothing to change.
    report = StringIO()
    call_command("load_aircraft", "--dry-run", stdout=report)
    assert f"aircraft: 0 created, 0 updated, {len(again)} unchanged;" in report.getvalue()
    assert "manufacturers: 0 created, 0 updated," in report.getvalue()
    # A new row takes an id after the copied ones.
    copied = set(Manufacturer.objects.values_list("pk", flat=True))
    assert ManufacturerFactory().pk > max(copied)
