"""The pictures of the shipped catalogue: every aircraft drawn to scale, the drawing's
own URL, compare charts and the explore plot. The catalogue is loaded once for this
module (shipped_catalogue), so tests that want an empty one live in test_pictures.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aircraft.airframes import airframe
from aircraft.configuration import RotorLayout
from aircraft.drawings import aircraft_drawing, missing_figures
from aircraft.models import Aircraft

from .svg import NS, box, parse, parts, svgs, texts, union

pytestmark = pytest.mark.django_db
AIRFRAME = {"fuselage", "wing", "tail", "fin", "engine", "propeller", "gear", "strut", "tail-rotor", "mast"}


@pytest.fixture
def catalogue(shipped_catalogue):
    return list(Aircraft.objects.select_related("manufacturer"))


def test_every_catalogue_aircraft_is_drawn_to_its_own_figures_or_says_what_is_missing(catalogue):
    drawn = 0
    for plane in catalogue:
        frame = airframe(plane)
        root = parse(aircraft_drawing(frame))
        said = " ".join(texts(root))
        for note in missing_figures(frame):
            assert note in said, plane.slug
        if not frame.length:
            continue
        drawn += 1
        mpp = float(root.get("data-metres-per-px"))
        x0, _, x1, _ = union(box(e) for e in parts(root, "top", AIRFRAME))
        assert x1 - x0 == pytest.approx(frame.length / mpp, abs=0.02), plane.slug
        if frame.height:
            _, y0, _, y1 = union(box(e) for e in parts(root, "side", AIRFRAME | {"rotor"}))
            assert y1 - y0 == pytest.approx(frame.height / mpp, abs=0.02), plane.slug
        if frame.wingspan and frame.has_wing:
            _, y0, _, y1 = union(box(e) for e in parts(root, "top", {"wing"}))
            assert y1 - y0 == pytest.approx(frame.wingspan / mpp, abs=0.02), plane.slug
    assert drawn >= 0.7 * len(catalogue)  # the rest lack a published length and say so
    configured = [p for p in catalogue if p.wing_planform and p.rotor_layout]
    assert len(configured) >= 122  # the 2026.11.1 aircraft; the rest say "Layout not recorded yet"


def test_every_catalogue_rotorcraft_is_drawn_as_a_rotorcraft(catalogue):
    rotorcraft = [p for p in catalogue if p.rotor_layout not in ("", RotorLayout.NONE)]
    assert len(rotorcraft) >= 22
    for plane in rotorcraft:
        frame = airframe(plane)
        root = parse(aircraft_drawing(frame))
        discs = [e for e in parts(root, "top", {"rotor"}) if e.tag.endswith("ellipse")]
        if plane.rotor_layout == RotorLayout.TILTROTOR and frame.length and not frame.wingspan:
            assert any("wings and proprotors not drawn" in t for t in texts(root)), plane.slug
        elif frame.rotor_diameter and (frame.length or plane.rotor_layout == RotorLayout.SINGLE):
            mpp = float(root.get("data-metres-per-px"))
            assert discs, plane.slug
            assert float(discs[0].get("rx")) == pytest.approx(frame.rotor_diameter / 2 / mpp, abs=0.02)
        else:
            assert any("not in the catalogue yet" in t for t in texts(root)), plane.slug
        assert parts(root, "top", {"wing"}) == [] or plane.rotor_layout == RotorLayout.TILTROTOR


def test_the_aircraft_page_shows_its_drawing_and_cards_show_small_ones(client, catalogue):
    html = client.get("/aircraft/c-5m-super-galaxy/").content.decode()
    drawing = next(s for s in svgs(html) if s.get("role") == "img" and s.get("data-metres-per-px"))
    assert "C-5M" in drawing.get("aria-label") and parts(drawing, "top", {"engine"})
    cards = [s for s in svgs(html) if s.get("aria-hidden") == "true" and s.get("data-metres-per-px")]
    assert cards  # the siblings, drawn small and hidden from screen readers (their text gives the figures)


def test_the_drawing_has_its_own_url_in_the_api_and_is_cached_like_a_page(client, catalogue):
    api = client.get("/api/aircraft/f-22a-raptor/").json()
    url = api["drawing_url"]
    assert url == "http://testserver/aircraft/f-22a-raptor/drawing.svg"
    assert api["layout"] == {
        "wing_planform": "swept",
        "engine_placement": "fuselage",
        "tail_layout": "twin-fin",
        "rotor_layout": "none",
    }
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = parse(response.content.decode().split("\n", 1)[1])
    assert root.get("role") == "img" and "F-22A" in root.get("aria-label")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == response.content and len(queries) == 0  # served from the page cache
    imperial = client.get(url, headers={"cookie": "units=imperial"}).content.decode()
    assert "ft" in imperial and imperial != response.content.decode()
    assert client.get("/aircraft/no-such-aircraft/drawing.svg").status_code == 404


def test_compare_overlays_the_aircraft_to_scale_and_charts_each_figure(client, catalogue):
    html = client.get("/compare/?a=c-5m-super-galaxy&a=f-22a-raptor").content.decode()
    charts = svgs(html)
    overlay = next(s for s in charts if "overlaid on one scale" in (s.get("aria-label") or ""))
    groups = [g for g in overlay.iter(f"{NS}g") if g.get("data-aircraft") is not None]
    assert len(groups) == 2
    lengths = {}
    for group in groups:
        x0, _, x1, _ = union(box(e) for e in group if e.get("data-part") in AIRFRAME)
        lengths[group.get("data-aircraft")] = x1 - x0
    c5, f22 = (Aircraft.objects.get(slug=s) for s in ("c-5m-super-galaxy", "f-22a-raptor"))
    ratio = airframe(c5).length / airframe(f22).length
    assert lengths["0"] / lengths["1"] == pytest.approx(ratio, rel=0.005)
    bars = [s for s in charts if "chart--bars" in (s.get("class") or "")]
    length_chart = next(s for s in bars if s.get("aria-label").startswith("Length"))
    assert len([e for e in length_chart.iter(f"{NS}rect") if e.get("data-value")]) == 2
    imperial = client.get(
        "/compare/?a=c-5m-super-galaxy&a=f-22a-raptor", headers={"cookie": "units=imperial"}
    ).content.decode()
    imperial_bars = [s for s in svgs(imperial) if "chart--bars" in (s.get("class") or "")]
    assert any(" ft " in s.get("aria-label") for s in imperial_bars)


def test_explore_plots_the_chosen_axes_with_a_link_per_point_and_the_same_table(client, catalogue):
    response = client.get("/explore/?x=length&y=max_takeoff_weight&log_y=on&role=airliner")
    html = response.content.decode()
    assert response.status_code == 200
    (chart,) = [s for s in svgs(html) if "chart--scatter" in (s.get("class") or "")]
    links = [a.get("href") for a in chart.iter(f"{NS}a")]
    airliners = Aircraft.objects.filter(role="airliner")
    plotted = [p for p in airliners if p.rank_mtow_kg and (p.digest.get("sizes") or {}).get("length:overall")]
    assert sorted(links) == sorted(p.get_absolute_url() for p in plotted)
    table = html[html.index("<table") : html.index("</table>")]
    assert all(link in table for link in links)
    assert "(log scale)" in " ".join(texts(chart))


def test_explore_opens_on_a_sensible_default_and_refuses_bad_choices(client, catalogue):
    default = client.get("/explore/")
    assert default.status_code == 200
    assert 'value="length" selected' in default.content.decode()
    for query in ("x=wingspan_m", "y=<script>", "decade=1955", "status=flying", "manufacturer=nobody"):
        assert client.get(f"/explore/?{query}").status_code == 400, query
