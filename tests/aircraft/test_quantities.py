from decimal import Decimal

import pytest

from aircraft import quantities
from aircraft.quantities import IMPERIAL, METRIC, FigureError, display, parse


def shown(quantity, value, unit):
    published = parse(quantity, value, unit)
    return display(quantity, published, METRIC), display(quantity, published, IMPERIAL)


@pytest.mark.parametrize(
    "quantity, value, unit, metric, imperial",
    [
        ("max_takeoff_weight", "83,500", "lb", "37,900 kg", "83,500 lb"),
        ("max_takeoff_weight", "840,000", "lb", "381,000 kg", "840,000 lb"),
        ("max_takeoff_weight", "70000", "lb", "31,800 kg", "70,000 lb"),
        ("max_takeoff_weight", "987,000", "lb", "448,000 kg", "987,000 lb"),
        ("max_takeoff_weight", "38000", "kg", "38,000 kg", "83,800 lb"),
        ("length", "62 ft 1 in", "ft", "18.92 m", "62 ft 1 in"),
        ("length", "18.92", "m", "18.92 m", "62 ft 1 in"),
        ("wingspan", "44.5", "ft", "13.6 m", "44.5 ft"),
        ("range", "1,600", "nmi", "2,960 km", "1,600 nmi"),
        ("max_speed", "1,303", "kn", "2,413 km/h", "1,303 kn"),
        ("service_ceiling", "50,000", "ft", "15,200 m", "50,000 ft"),
        ("service_ceiling", "15240", "m", "15,240 m", "50,000 ft"),
        ("thrust", "35,000", "lbf", "156 kN", "35,000 lbf"),
        ("mach", "3.2", "mach", "Mach 3.2", "Mach 3.2"),
        ("crew", "2", "count", "2", "2"),
    ],
)
def test_published_system_shows_as_printed_and_the_other_is_rounded_to_its_precision(
    quantity, value, unit, metric, imperial
):
    assert shown(quantity, value, unit) == (metric, imperial)


def test_metric_value_is_kept_for_sorting():
    assert parse("range", "1,600", "nmi").metric == Decimal("2963.200")
    assert parse("length", "62 ft 1 in", "ft").metric == Decimal("18.9230")


@pytest.mark.parametrize(
    "quantity, value, unit, message",
    [
        ("length", "12", "kg", "cannot be given in 'kg'"),
        ("length", "twelve", "m", "is not a number"),
        ("length", "0", "m", "must be greater than zero"),
        ("length", "-3", "m", "must be greater than zero"),
        ("crew", "1.5", "count", "whole number"),
        ("wingspan_m", "1", "m", "unknown quantity"),
    ],
)
def test_bad_figures_say_what_is_wrong(quantity, value, unit, message):
    with pytest.raises(FigureError, match=message):
        parse(quantity, value, unit)


@pytest.mark.parametrize(
    "text, figures", [("83,500", 3), ("840000", 2), ("62.10", 4), ("0.85", 2), ("1303", 4), ("2", 1)]
)
def test_significant_figures_follow_what_was_printed(text, figures):
    assert quantities.significant_figures(text) == figures


def test_every_quantity_has_kinds_and_units():
    for spec in quantities.QUANTITIES.values():
        assert spec.kinds and spec.units, spec.code
