import pytest

from aircraft.digest import SOUND_KMH_AT_ALTITUDE, SOUND_KMH_AT_SEA_LEVEL, PlainFigure, speed_rank
from aircraft.quantities import label


def figures(*items):
    return {(q, k): PlainFigure(q, k, v, u) for q, k, v, u in items}


def test_a_speed_whose_source_names_no_altitude_ranks_as_at_sea_level():
    only_unstated = figures(("max_speed", "unstated", "600", "km/h"))
    assert speed_rank(only_unstated) == pytest.approx(600 / float(SOUND_KMH_AT_SEA_LEVEL))


def test_a_speed_with_its_altitude_outranks_one_without():
    both = figures(("max_speed", "unstated", "600", "km/h"), ("max_speed", "at-altitude", "700", "km/h"))
    assert speed_rank(both) == pytest.approx(700 / float(SOUND_KMH_AT_ALTITUDE))


def test_the_page_says_the_altitude_is_not_stated():
    assert label("max_speed", "unstated") == "Maximum speed (altitude not stated)"
