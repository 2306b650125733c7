import pytest

from aircraft import search, selectors
from tests.factories import AircraftFactory, ManufacturerFactory


def test_terms_drop_punctuation_markup_and_sql():
    assert search.terms("<b>F-22</b>'; DROP TABLE x;--") == ["b", "f", "22", "b", "drop", "table", "x"]


def test_normalise_bounds_and_collapses_whitespace():
    assert search.normalise("  raptor \n  f-22 ") == "raptor f-22"
    assert len(search.normalise("x" * 5000)) == search.MAX_QUERY_LENGTH


def test_vocabulary_corrects_near_misses_only():
    vocabulary = search.Vocabulary({"raptor", "hornet", "blackbird", "f22a"})
    assert vocabulary.correct(["raptr", "hornte", "blakbird"]) == ["raptor", "hornet", "blackbird"]
    assert vocabulary.closest("zzzzzz") is None
    assert vocabulary.closest("raptor") is None  # already a word: nothing to correct


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


@pytest.mark.parametrize("query", ["f22", "F-22", "f 22", "raptr", "Raptor", "lockheed raptor"])
def test_queries_find_the_f22(catalogue, query):
    assert "f-22a-raptor" in slugs(selectors.aircraft_search(query))


def test_exact_designation_match_comes_first(catalogue):
    assert slugs(selectors.aircraft_search("F-22A"))[0] == "f-22a-raptor"
    assert slugs(selectors.aircraft_search("fa18"))[0] == "fa-18e"


def test_name_match_ranks_above_a_description_mention(catalogue):
    assert slugs(selectors.aircraft_search("raptor"))[:2] == ["f-22a-raptor", "f-22b"]
    assert slugs(selectors.aircraft_search("raptor"))[-1] == "fa-18e"


def test_typo_reports_the_correction(catalogue):
    result = selectors.aircraft_search("globmaster")
    assert result.corrected == "globemaster"
    assert slugs(result) == ["c-17a"]


def test_manufacturer_and_description_are_searched(catalogue):
    assert set(slugs(selectors.aircraft_search("boeing"))) == {"fa-18e", "c-17a"}
    assert slugs(selectors.aircraft_search("airlifter")) == ["c-17a"]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "<script>alert(1)</script>", "x" * 10000, "\x00"])
def test_odd_input_finds_nothing_rather_than_failing_or_matching_everything(catalogue, query):
    result = selectors.aircraft_search(query)
    assert slugs(result) == []
    assert len(result.query) <= search.MAX_QUERY_LENGTH


def test_sql_in_a_query_is_just_words(catalogue):
    # "1" is a prefix of C-17A's "17a"; what matters is that the OR does not match everything.
    assert slugs(selectors.aircraft_search("' OR 1=1 --")) == ["c-17a"]


def test_nothing_found_is_empty(catalogue):
    assert slugs(selectors.aircraft_search("zeppelin qqq")) == []
