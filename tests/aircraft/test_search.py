"""Search against the real PostgreSQL: matching, ranking, typo correction and
the word list the database keeps for it. The table of real queries against the
real catalogue is in test_search_table.py."""

import pytest
from django.db import connection

from aircraft import search, selectors
from aircraft.models import Aircraft, SearchWord
from tests.factories import AircraftFactory, ManufacturerFactory


def test_terms_drop_punctuation_markup_and_sql():
    assert search.terms("<b>F-22</b>'; DROP TABLE x;--") == ["b", "f", "22", "b", "drop", "table", "x"]


def test_terms_keep_every_script():
    assert search.terms("Су-27 歼-20 Écureuil") == ["су", "27", "歼", "20", "écureuil"]


def test_normalise_bounds_and_collapses_whitespace():
    assert search.normalise("  raptor \n  f-22 ") == "raptor f-22"
    assert len(search.normalise("x" * 5000)) == search.MAX_QUERY_LENGTH


def test_canonical_form_is_words_only():
    assert search.canonical("' OR 1=1 --") == "or 1 1"
    assert search.canonical("F-22  Raptor!") == search.canonical("f 22 raptor") == "f 22 raptor"


def test_units_keep_designations_whole():
    assert search.units("boeing 747-8") == [["boeing"], ["747", "8"]]


def test_fragment_keys_join_what_was_typed_apart():
    assert search.fragment_keys(["f", "16", "falcon"]) == ["f16", "f16falcon", "16falcon"]
    assert "f22" in search.fragment_keys(["f22", "raptor"])
    assert search.fragment_keys(["raptor"]) == []


def test_designation_key_takes_accents_off():
    assert search.designation_key(["écureuil"]) == "ecureuil"


@pytest.fixture
def catalogue(db):
    lockheed = ManufacturerFactory(name="Lockheed Martin", slug="lockheed-martin")
    boeing = ManufacturerFactory(name="Boeing", slug="boeing")
    return {
        "raptor": AircraftFactory(
            manufacturer=lockheed,
            designation="F-22A",
            name="Raptor",
            slug="f-22a-raptor",
            description="Air superiority stealth fighter.",
        ),
        "f22b": AircraftFactory(manufacturer=lockheed, designation="F-22B", name="Two-seat Raptor", slug="f-22b"),
        "hornet": AircraftFactory(
            manufacturer=boeing,
            designation="F/A-18E",
            name="Super Hornet",
            slug="fa-18e",
            description="Carrier-based fighter that complements the Raptor's role.",
        ),
        "c17": AircraftFactory(
            manufacturer=boeing,
            designation="C-17A",
            name="Globemaster III",
            slug="c-17a",
            role="transport",
            description="Strategic airlifter.",
        ),
    }


def slugs(result):
    return [plane.slug for plane in result.results]


@pytest.mark.parametrize("query", ["f22", "F-22", "f 22", "raptr", "Raptor", "lockheed raptor", "RAPTOR", "rāptor"])
def test_queries_find_the_f22(catalogue, query):
    assert "f-22a-raptor" in slugs(selectors.aircraft_search(query))


def test_exact_designation_match_comes_first(catalogue):
    assert slugs(selectors.aircraft_search("F-22A"))[0] == "f-22a-raptor"
    assert slugs(selectors.aircraft_search("fa18"))[0] == "fa-18e"


def test_exact_name_ranks_above_a_name_containing_it_and_a_description_mention(catalogue):
    assert slugs(selectors.aircraft_search("raptor")) == ["f-22a-raptor", "f-22b", "fa-18e"]


def test_typo_reports_the_correction(catalogue):
    result = selectors.aircraft_search("globmaster")
    assert result.corrected == "globemaster"
    assert slugs(result) == ["c-17a"]


def test_correction_keeps_the_words_that_were_right(catalogue):
    result = selectors.aircraft_search("Boeing Globmaster")
    assert result.corrected == "Boeing globemaster"
    assert slugs(result) == ["c-17a"]


def test_stems_match_plural_and_other_forms(catalogue):
    assert "fighters" not in words()
    assert {"f-22a-raptor", "fa-18e"} <= set(slugs(selectors.aircraft_search("fighters")))
    assert slugs(selectors.aircraft_search("airlifters")) == ["c-17a"]


def test_manufacturer_and_description_are_searched(catalogue):
    assert set(slugs(selectors.aircraft_search("boeing"))) == {"fa-18e", "c-17a"}
    assert slugs(selectors.aircraft_search("airlifter")) == ["c-17a"]


def test_most_of_the_words_when_none_has_all_and_says_so(catalogue):
    result = selectors.aircraft_search("strategic transport zeppelin")
    assert result.partial
    assert slugs(result) == ["c-17a"]
    assert not selectors.aircraft_search("strategic zeppelin").results.exists()  # half is not most


@pytest.mark.parametrize("query", ["", "   ", "!!!", "<script>alert(1)</script>", "x" * 10000, "\x00"])
def test_odd_input_finds_nothing_rather_than_failing_or_matching_everything(catalogue, query):
    result = selectors.aircraft_search(query)
    assert slugs(result) == []
    assert len(result.query) <= search.MAX_QUERY_LENGTH


def test_sql_in_a_query_is_just_words(catalogue):
    # Only "or" and "1" survive as words; nothing here has "or" followed by a "1..." word.
    assert slugs(selectors.aircraft_search("' OR 1=1 --")) == []


def test_nothing_found_is_empty(catalogue):
    result = selectors.aircraft_search("zeppelin qqq")
    assert slugs(result) == []
    assert result.corrected == ""


def clear(query):
    result = selectors.aircraft_search(query)
    assert result.count == result.results.count()  # counted once, and right
    return selectors.clear_match(result, list(result.results[:2]))


def test_clear_match_is_the_only_exact_one(catalogue):
    assert clear("F-22A") == catalogue["raptor"]
    assert clear("raptor") == catalogue["raptor"]  # F-22B's name only contains it
    assert clear("boeing") is None
    assert clear("raptr") is None  # corrected: never


def words():
    return dict(SearchWord.objects.values_list("word", "aircraft"))


def test_word_list_follows_every_write(catalogue):
    assert words()["raptor"] == 3  # two names and one description
    assert words()["lockheed"] == 2
    plane = catalogue["hornet"]
    plane.description = "Carrier-based fighter."
    plane.save()
    assert words()["raptor"] == 2
    catalogue["f22b"].delete()
    assert words()["raptor"] == 1 and "two" not in words()
    Aircraft.objects.filter(pk=catalogue["raptor"].pk).update(name="Thunderbolt")
    assert "raptor" not in words() and words()["thunderbolt"] == 1


def test_manufacturer_rename_reaches_the_word_list(catalogue):
    maker = catalogue["raptor"].manufacturer
    maker.name = "Skunk Works"
    maker.save()
    assert "lockheed" not in words() and words()["skunk"] == 2


def test_word_list_matches_the_documents_after_bulk_writes(catalogue):
    maker = catalogue["raptor"].manufacturer
    Aircraft.objects.bulk_create(
        [AircraftFactory.build(manufacturer=maker, name=f"Kestrel {i}", slug=f"k-{i}") for i in range(20)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, count(*) FROM aircraft_aircraft, search_words(search_vector) AS word GROUP BY word"
        )
        from_documents = dict(cursor.fetchall())
    assert words() == from_documents
    assert words()["kestrel"] == 20


def test_accents_never_matter(db):
    AircraftFactory(designation="H125", name="Écureuil", slug="h125")
    assert [p.slug for p in selectors.aircraft_search("ecureuil").results] == ["h125"]
    assert [p.slug for p in selectors.aircraft_search("ÉCUREUIL").results] == ["h125"]
    assert "ecureuil" in words() and "écureuil" not in words()


def test_every_name_an_aircraft_goes_by_is_searched_and_exact_names_come_first(db):
    sukhoi = ManufacturerFactory(name="Sukhoi", slug="sukhoi", country="Russia")
    flanker = AircraftFactory(
        manufacturer=sukhoi,
        designation="Su-27",
        name="",
        slug="su-27",
        nato_name="Flanker",
        icao_type="SU27",
        military_designation="Su-27S",
        aliases=["Су-27", "Sukhoi Twenty-Seven"],
        description="A twin-engine air superiority fighter.",
        country="Soviet Union",
    )
    AircraftFactory(designation="X-99", name="Flanker Chaser", slug="x-99", description="Chases a Flanker.")
    for query in ("Flanker", "flankr", "Су-27", "су 27", "SU27", "Su-27S", "sukhoi twenty seven", "soviet fighter"):
        result = selectors.aircraft_search(query)
        assert [p.slug for p in result.results][:1] == ["su-27"], query
    assert clear("Flanker") == flanker
    assert "flanker" in flanker.__class__.objects.get(pk=flanker.pk).search_keys


@pytest.fixture
def many_fighters(catalogue, monkeypatch):
    """More fighters than the search ranks (the bound lowered to 3), the last
    one added an exact name; ids grow as aircraft are added."""
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    maker = ManufacturerFactory(name="Generated Aero 1", slug="generated-aero-1")
    extra = [
        AircraftFactory(manufacturer=maker, designation=f"GA-{n}", slug=f"ga-{n}", role="fighter", description="")
        for n in range(1, 6)
    ]
    extra.append(AircraftFactory(manufacturer=maker, designation="GA-99", name="Fighter", slug="ga-99", role="fighter"))
    return extra


def test_a_query_matching_more_than_the_bound_ranks_the_first_found_and_every_exact_name(many_fighters):
    result = selectors.aircraft_search("fighter")
    found = slugs(result)
    assert result.more
    # The three matches with the lowest ids, plus the aircraft named exactly that, first.
    assert found[0] == "ga-99"
    assert set(found) == {"ga-99", "f-22a-raptor", "f-22b", "fa-18e"}
    assert result.count == len(found) == 4


def test_the_bound_never_hides_results_from_the_api_filters(many_fighters, client):
    result = selectors.aircraft_search("fighter")
    assert result.matching.count() == 9  # three in the catalogue fixture, six added
    body = client.get("/api/aircraft/?q=fighter&manufacturer=generated-aero-1").json()
    assert body["count"] == 6


def test_the_page_says_more_matched_than_it_lists(many_fighters, client):
    page = client.get("/search/?q=fighter&all=1").content.decode()
    assert "More than 3 results, 4 listed" in page


def test_a_query_within_the_bound_counts_every_match(catalogue):
    result = selectors.aircraft_search("boeing")
    assert not result.more and result.count == 2


def test_words_expand_to_the_whole_catalogue_words_they_begin(catalogue):
    expansions = selectors._expansions(["lockh", "fighters", "raptor", "22", "zeppelin"])
    assert {"lockheed", "lockh"} <= set(expansions["lockh"])
    assert "fighter" in expansions["fighters"]  # the English stem's words too
    assert "22" not in expansions  # numbers are not in the word list: they stay prefixes
    assert expansions["zeppelin"] == ["zeppelin"]  # no catalogue word: the word alone, which finds nothing


@pytest.mark.parametrize("token", ["lockh", "fighters", "raptor", "glob", "ecureuil", "the", "f22", "zeppelin"])
def test_an_expanded_word_finds_exactly_what_its_prefix_finds(catalogue, token):
    AircraftFactory(designation="AS350", name="Écureuil", slug="as350", description="The light helicopter.")
    expansions = selectors._expansions([token])
    assert token in expansions
    by_prefix = set(Aircraft.objects.filter(search_vector=selectors._word(token)).values_list("slug", flat=True))
    by_words = set(
        Aircraft.objects.filter(search_vector=selectors._Lexemes(expansions[token])).values_list("slug", flat=True)
    )
    assert by_words == by_prefix


def test_a_word_that_begins_too_many_words_stays_a_prefix(catalogue, monkeypatch):
    monkeypatch.setattr(selectors, "EXPANSION_LIMIT", 1)
    assert "f" not in selectors._expansions(["f"])  # f22a, fa18e, fighter...
    assert selectors._expansions(["raptor"]) == {"raptor": ["raptor"]}
