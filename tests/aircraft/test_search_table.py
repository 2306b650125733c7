"""Real queries against the real catalogue (fixtures/aircraft.json) in the real
PostgreSQL: the first result each should give, or that it should find nothing.

Every query of issue 12 is here: "F22 raptor", "f16 falcon", "Boeing 747-8",
"supersonic stealth fighter", Cyrillic and Chinese names, "Flanker", "Jumbo",
"Warthog", "soviet fighter", "Sukhoi", "lockheed transport", "tiltrotor".
"""

import pytest

from aircraft import selectors

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
    ("f16 falcon", "f-16a-fighting-falcon", ""),
    ("F-16", "f-16a-fighting-falcon", ""),
    ("Boeing 747-8", "747-8i", ""),
    ("boeing 737", "737-700", ""),
    ("fa18", "fa-18e-super-hornet", ""),
    ("F/A-18 super hornet", "fa-18e-super-hornet", ""),
    ("c130", "c-130j-super-hercules", ""),
    ("C-130", "c-130j-super-hercules", ""),
    ("b52", "b-52h-stratofortress", ""),
    ("sr71 blackbird", "sr-71a-blackbird", ""),
    ("u2", "u-2s-dragon-lady", ""),
    ("a380", "a380-800", ""),
    ("mv22", "mv-22b-osprey", ""),
    # Names, nicknames, NATO reporting names and aliases, in any script
    ("raptor", "f-22a-raptor", ""),
    ("Dreamliner", "787-8-dreamliner", ""),
    ("jumbo", "747-400", ""),
    ("super hornet", "fa-18e-super-hornet", ""),
    ("black hawk", "uh-60m-black-hawk", ""),
    ("blackhawk", "uh-60m-black-hawk", ""),
    ("global hawk", "rq-4-global-hawk", ""),
    ("chinook", "ch-47f-chinook", ""),
    ("sikorsky king stallion", "ch-53k-king-stallion", ""),
    ("Су-27", "su-27", ""),
    ("су 27", "su-27", ""),
    ("歼-20", "j-20", ""),
    ("МиГ-29", "mig-29", ""),
    ("Flanker", "su-27", ""),
    ("Warthog", "a-10-thunderbolt-ii", ""),
    ("Fulcrum", "mig-29", ""),
    ("mighty dragon", "j-20", ""),
    ("predator", "mq-1b-predator", ""),
    # Accents and case never matter
    ("Écureuil", "h125-ecureuil", ""),
    ("ecureuil", "h125-ecureuil", ""),
    ("RAPTOR", "f-22a-raptor", ""),
    # Makers, roles, countries and descriptive words, in any combination
    ("lockheed transport", "c-130j-super-hercules", ""),
    ("A330 MRTT", "a330-mrtt", ""),
    ("tiltrotor", "aw609", ""),
    ("marine corps tiltrotor", "mv-22b-osprey", ""),
    ("stealth bomber", "b-2a-spirit", ""),
    ("flying wing stealth bomber", "b-2a-spirit", ""),
    ("saab fighter", "j-35-draken", ""),
    ("supersonic stealth fighter", "f-22a-raptor", ""),
    ("soviet fighter", "mig-21pfm", ""),
    ("chinese fighter", "j-11", ""),
    ("sukhoi", "sukhoi-superjet-100", ""),
    ("lockheed stealth zeppelin", "f-117a-nighthawk", "most"),
    # Misspelt words
    ("raptr", "f-22a-raptor", "corrected"),
    ("globmaster", "c-17a-globemaster-iii", "corrected"),
    ("dreamlinr", "787-8-dreamliner", "corrected"),
    ("lokheed tranport", "c-130j-super-hercules", "corrected"),
    ("chinok", "ch-47f-chinook", "corrected"),
    ("helcat", "f6f-5-hellcat", "corrected"),
    ("flankr", "su-27", "corrected"),
    ("warthg", "a-10-thunderbolt-ii", "corrected"),
    ("herculs", "c-130j-super-hercules", ""),  # its English stem already matches
    # What the catalogue does not have: nothing, and no made-up suggestion
    ("zeppelin qqq", None, ""),
    ("messerschmitt zeppelin", None, ""),
    ("qqqq xxxx", None, ""),
]


def test_the_table_is_long_enough():
    assert len(TABLE) >= 40
    assert len({query for query, _first, _how in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("query", "first", "how"), TABLE, ids=[row[0] for row in TABLE])
def test_real_query(shipped_catalogue, query, first, how):
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
