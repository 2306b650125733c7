"""Real queries against the real catalogue (fixtures/aircraft.json) in the real
PostgreSQL: the first result each should give, or that it should find nothing.

Types the catalogue does not have yet (the Su-27 "Flanker", the J-20, the A-10 "Warthog")
join this table with the data that brings them.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from aircraft import selectors
from aircraft.models import Aircraft, CatalogueRelease, Manufacturer

pytestmark = pytest.mark.django_db

# query, first result (None: nothing found), how: "" found as typed, "corrected"
# (misspelt words corrected, and said so) or "most" (no aircraft has every word;
# those with most of them, and said so).
TABLE = [
    # Designations with or without punctuation, alone or with a name
    ("F-22A", "f-22a-raptor", ""),
    ("f22", "f-22a-raptor", ""),
    ("F22 raptor", "f-22a-raptor", ""),
    ("f-22 raptor", "f-22a-raptor", ""),
    ("f16 falcon", "f-16c-fighting-falcon", ""),
    ("F-16", "f-16c-fighting-falcon", ""),
    ("Boeing 747-8", "747-8i", ""),
    ("boeing 737", "737-800", ""),
    ("747", "747-8i", ""),
    ("fa18", "fa-18e-super-hornet", ""),
    ("F/A-18 super hornet", "fa-18e-super-hornet", ""),
    ("c130", "c-130j-super-hercules", ""),
    ("C-130", "c-130j-super-hercules", ""),
    ("b52", "b-52h-stratofortress", ""),
    ("sr71 blackbird", "sr-71a-blackbird", ""),
    ("u2", "u-2s-dragon-lady", ""),
    ("a320", "a320neo", ""),
    ("a380", "a380-800", ""),
    ("777", "777-300er", ""),
    ("mv22", "mv-22b-osprey", ""),
    # Names and nicknames
    ("raptor", "f-22a-raptor", ""),
    ("Dreamliner", "787-9-dreamliner", ""),
    ("jumbo", "747-400", ""),
    ("super hornet", "fa-18e-super-hornet", ""),
    ("black hawk", "uh-60m-black-hawk", ""),
    ("blackhawk", "uh-60m-black-hawk", ""),
    ("global hawk", "rq-4-global-hawk", ""),
    ("chinook", "ch-47f-chinook", ""),
    ("spirit", "b-2a-spirit", ""),
    ("osprey", "mv-22b-osprey", ""),
    # Accents and case never matter
    ("Écureuil", "h125-ecureuil", ""),
    ("ecureuil", "h125-ecureuil", ""),
    ("RAPTOR", "f-22a-raptor", ""),
    # Makers, roles and descriptive words, in any combination
    ("lockheed transport", "c-130j-super-hercules", ""),
    ("airbus tanker", "a330-mrtt", ""),
    ("tiltrotor", "mv-22b-osprey", ""),
    ("flying wing stealth bomber", "b-2a-spirit", ""),
    ("predator drone", "mq-1b-predator", ""),
    ("sikorsky king stallion", "ch-53k-king-stallion", ""),
    ("saab fighter", "j-35-draken", ""),
    ("supersonic stealth fighter", "f-5e-tiger-ii", "most"),
    # Misspelt words
    ("raptr", "f-22a-raptor", "corrected"),
    ("globmaster", "c-17a-globemaster-iii", "corrected"),
    ("chinok", "ch-47f-chinook", "corrected"),
    ("helcat", "f6f-5-hellcat", "corrected"),
    ("dreamlinr", "787-9-dreamliner", "corrected"),
    ("lokheed tranport", "c-130j-super-hercules", "corrected"),
    ("herculs", "c-130j-super-hercules", ""),  # its English stem already matches
    # What the catalogue does not have: nothing, and no made-up suggestion
    ("sukhoi", None, ""),
    ("soviet fighter", None, ""),
    ("mig-29", None, ""),
    ("zeppelin qqq", None, ""),
    ("piper cub", None, ""),
]


@pytest.fixture(scope="module")
def real_catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_aircraft", stdout=StringIO())
        yield
        Aircraft.objects.all().delete()
        Manufacturer.objects.all().delete()
        CatalogueRelease.objects.all().delete()


def test_the_table_is_long_enough():
    assert len(TABLE) >= 40
    assert len({query for query, _first, _how in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("query", "first", "how"), TABLE, ids=[row[0] for row in TABLE])
def test_real_query(real_catalogue, query, first, how):
    result = selectors.aircraft_search(query)
    found = list(result.results[:5])
    if first is None:
        assert found == []
        assert result.corrected == ""  # no "Did you mean" without results
        return
    assert found, f"{query!r} found nothing"
    assert found[0].slug == first, [plane.slug for plane in found]
    assert bool(result.corrected) == (how == "corrected" or (how == "most" and bool(result.corrected)))
    assert result.partial == (how == "most")
