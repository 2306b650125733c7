"""Charts: bar lengths, point positions and time spans read back from the SVG."""

import itertools

import pytest

from aircraft.charts import (
    SERIES_STYLES,
    Axis,
    Bar,
    Point,
    Span,
    bar_chart,
    log_ticks,
    nice_ticks,
    scatter,
    timeline,
)

from .svg import NS, box, contrast, parse, texts


def rects(root, attribute):
    return [e for e in root.iter(f"{NS}rect") if e.get(attribute) is not None]


def test_bars_are_proportional_to_their_values_from_zero():
    root = parse(bar_chart("Maximum speed", [Bar("F-22A", 2414, "2,414 km/h"), Bar("C-5M", 833, "833 km/h")]))
    fast, slow = rects(root, "data-value")
    assert float(fast.get("x")) == float(slow.get("x"))  # one baseline
    assert float(fast.get("width")) / float(slow.get("width")) == pytest.approx(2414 / 833, rel=0.01)
    assert "2,414 km/h" in texts(root) and "833 km/h" in texts(root)


def test_a_missing_value_has_no_bar_and_says_so():
    root = parse(bar_chart("Range", [Bar("A", 1000, "1,000 km"), Bar("B", None)]))
    assert len(rects(root, "data-value")) == 1
    assert "Not in the catalogue yet" in texts(root)
    assert "B: not in the catalogue yet" in root.get("aria-label")


def test_bar_chart_text_alternative_gives_every_value():
    root = parse(bar_chart("Length", [Bar("F-22A", 18.92, "18.92 m"), Bar("C-5M", 75.31, "75.31 m")]))
    assert root.get("role") == "img"
    assert root[0].tag == f"{NS}title"
    assert root.get("aria-label") == "Length. F-22A: 18.92 m; C-5M: 75.31 m."


def test_nice_ticks_cover_the_range_with_round_steps():
    ticks = nice_ticks(18.9, 75.3)
    assert ticks[0] <= 18.9 and ticks[-1] >= 75.3
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() in (10, 20)
    assert nice_ticks(1903, 2026, count=6)[0] == 1900


def test_log_ticks_are_decades():
    assert log_ticks(120, 420000) == [100, 1000, 10000, 100000, 1000000]
    assert log_ticks(3, 40) == [1, 2, 5, 10, 20, 50, 100]


def test_scatter_places_points_by_value_and_links_each():
    points = [
        Point("A", 10, 100, "/aircraft/a/", "active"),
        Point("B", 20, 200, "/aircraft/b/", "retired"),
        Point("C", 40, 400, "/aircraft/c/", "active"),
    ]
    root = parse(scatter(points, Axis("Length (m)"), Axis("Weight (kg)")))
    links = list(root.iter(f"{NS}a"))
    assert [a.get("href") for a in links] == ["/aircraft/a/", "/aircraft/b/", "/aircraft/c/"]
    centres = []
    for link in links:
        x0, y0, x1, y1 = box(next(e for e in link if not e.tag.endswith("title")))
        centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
    # Equal steps in value are equal steps on the page (linear axes); up is more.
    (ax, ay), (bx, by), (cx, cy) = centres
    assert (cx - bx) == pytest.approx(2 * (bx - ax), abs=0.05)
    assert ay > by > cy
    assert links[0].get("aria-label") == "A: 10, 100"


def test_scatter_marks_series_with_different_shapes_not_only_colours():
    points = [Point(f"P{i}", i + 1, i + 1, "", series) for i, series in enumerate(["active", "retired", "in-dev"])]
    root = parse(scatter(points, Axis("x"), Axis("y"), series_labels={"in-dev": "In development"}))
    markers = [next(iter(g.iter())) for g in root.iter(f"{NS}g") if g.get("data-point") is not None]
    shapes = [next(e for e in g if not e.tag.endswith("title")).tag for g in markers]
    assert len(set(shapes)) >= 2  # circle, rect, path
    assert "In development" in texts(root)
    assert all(contrast(colour) >= 4.5 for colour, _ in SERIES_STYLES)


def test_scatter_log_axis_spaces_decades_evenly_and_leaves_out_zero():
    points = [Point("a", 1, 10, "/a/"), Point("b", 2, 100, "/b/"), Point("c", 3, 1000, "/c/"), Point("z", 4, 0, "/z/")]
    root = parse(scatter(points, Axis("x"), Axis("y", log=True)))
    ys = []
    for link in root.iter(f"{NS}a"):
        _, y0, _, y1 = box(next(e for e in link if not e.tag.endswith("title")))
        ys.append((y0 + y1) / 2)
    assert len(ys) == 3
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.05)
    assert "1 aircraft with a value of zero" in root.get("aria-label")
    assert "(log scale)" in " ".join(texts(root))


def test_scatter_year_axis_has_no_thousands_separator():
    root = parse(scatter([Point("a", 1950, 1), Point("b", 2020, 2)], Axis("First flight", year=True), Axis("y")))
    assert "1960" in texts(root) and "1,960" not in texts(root)


def test_scatter_is_a_group_so_its_links_stay_reachable():
    root = parse(scatter([Point("a", 1, 1, "/a/")], Axis("x"), Axis("y")))
    assert root.get("role") == "group" and "Scatter plot of 1 aircraft" in root.get("aria-label")


def test_timeline_bars_run_from_first_flight_to_retirement_or_today():
    spans = [
        Span("P-38L", 1939, 1949, 1941, "/aircraft/p-38l/"),
        Span("F-22A", 1997, None, 2005, "/aircraft/f-22a/"),
        Span("B-21", None, None),
    ]
    root = parse(timeline(spans, today=2026))
    old, new = rects(root, "data-start")
    years_per_px = (1949 - 1939) / float(old.get("width"))
    assert float(new.get("width")) * years_per_px == pytest.approx(2026 - 1997, rel=0.01)
    assert (float(new.get("x")) - float(old.get("x"))) * years_per_px == pytest.approx(1997 - 1939, rel=0.01)
    assert len([e for e in root.iter() if e.get("data-part") == "ongoing"]) == 1
    assert len([e for e in root.iter() if e.get("data-milestone") is not None]) == 2
    label = root.get("aria-label")
    assert "F-22A: first flight 1997, in service 2005, still flying" in label
    assert "P-38L: first flight 1939, in service 1941, retired 1949" in label
    assert "B-21: first flight not in the catalogue yet" in label
    assert [a.get("href") for a in root.iter(f"{NS}a")] == ["/aircraft/p-38l/", "/aircraft/f-22a/"]


def test_timeline_axis_is_labelled_in_years():
    root = parse(timeline([Span("A", 1941, 1960)], today=2026))
    labels = [t for t in texts(root) if t.isdigit()]
    assert labels[0] <= "1940" and labels[-1] >= "2026"
    assert all(int(t) % 10 == 0 or int(t) % 20 == 0 for t in labels)


def test_escaping_keeps_charts_well_formed():
    assert "1 <m>" in texts(parse(bar_chart("<b>", [Bar("A & B", 1, "1 <m>")])))
    root = parse(scatter([Point('"q"', 1, 1, "/a?x=1&y=2")], Axis("<x>"), Axis("y")))
    assert next(root.iter(f"{NS}a")).get("href") == "/a?x=1&y=2"
    assert "<i>" in texts(parse(timeline([Span("<i>", 1990, None, None, "/a&b/")], today=2026)))
