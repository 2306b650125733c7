from decimal import Decimal

from aircraft import units


def test_length_gives_feet_and_inches():
    assert units.length(Decimal("1.00")) == {"metric": "1.00 m", "imperial": "3 ft 3 in"}


def test_inches_roll_over_into_feet():
    assert units.feet_and_inches(Decimal("0.3048")) == "1 ft 0 in"


def test_speed_shows_knots_in_both_systems():
    assert units.speed(100) == {"metric": "185 km/h (100 kn)", "imperial": "115 mph (100 kn)"}


def test_distance_gives_statute_and_nautical_miles():
    assert units.distance(1852) == {"metric": "1,852 km", "imperial": "1,151 mi (1,000 nmi)"}


def test_altitude_in_feet():
    assert units.altitude(15240) == {"metric": "15,240 m", "imperial": "50,000 ft"}


def test_mass_in_pounds():
    assert units.mass(1000) == {"metric": "1,000 kg", "imperial": "2,205 lb"}
