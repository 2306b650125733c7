"""The drawings are to scale: measured from the SVG markup, against the figures."""

import itertools

import pytest

from aircraft import drawings
from aircraft.configuration import EnginePlacement, RotorLayout, TailLayout, WingPlanform
from aircraft.drawings import Airframe, aircraft_drawing, overlay, shared_scale

from .svg import NS, box, contrast, parse, parts, texts, union

AIRFRAME_PARTS = {"fuselage", "wing", "tail", "fin", "engine", "propeller", "gear", "strut", "tail-rotor", "mast"}
TOLERANCE = 0.02  # SVG coordinates are written to two decimal places

F22 = Airframe("F-22A Raptor", 18.92, 13.56, 5.08, None, "swept", "fuselage", 2, "twin-fin", "none")
C5M = Airframe("C-5M Super Galaxy", 75.31, 67.89, 19.84, None, "swept", "underwing", 4, "t-tail", "none")
UH60 = Airframe("UH-60M Black Hawk", 15.26, None, 5.13, 16.36, "none", "fuselage", 2, "conventional", "single")
CH47 = Airframe("CH-47F Chinook", 15.87, None, 5.77, 18.29, "none", "fuselage", 2, "", "tandem")
COAX = Airframe("Coaxial helicopter", 11.0, None, 4.5, 12.0, "none", "fuselage", 2, "", "coaxial")
MV22 = Airframe("MV-22B Osprey", 17.48, 14.0, 6.73, 11.58, "straight", "wingtip", 2, "h-tail", "tiltrotor")
B2 = Airframe("B-2A Spirit", 20.9, 52.12, 5.1, None, "flying-wing", "wing-buried", 4, "none", "none")


def scale_of(root) -> float:
    return float(root.get("data-metres-per-px"))


def drawn(root, view: str, names=AIRFRAME_PARTS) -> tuple[float, float, float, float]:
    return union(box(e) for e in parts(root, view, names))


def every_fixed_wing() -> list[Airframe]:
    planforms = [p for p in WingPlanform.values if p != WingPlanform.NONE]
    placements = [p for p in EnginePlacement.values if p != EnginePlacement.WINGTIP]
    combos = itertools.product(planforms, placements, TailLayout.values, (1, 2, 3, 4))
    return [
        Airframe(f"{p} {e} {t} {n}", 20.0 + n, 16.0 + 3 * n, 5.0 + n / 2, None, p, e, n, t, "none")
        for p, e, t, n in combos
    ]


@pytest.mark.parametrize("plane", every_fixed_wing(), ids=lambda a: a.name)
def test_every_fixed_wing_configuration_draws_length_span_and_height_to_scale(plane):
    root = parse(aircraft_drawing(plane))
    mpp = scale_of(root)
    x0, _, x1, _ = drawn(root, "top")
    assert x1 - x0 == pytest.approx(plane.length / mpp, abs=TOLERANCE)
    _, y0, _, y1 = union(box(e) for e in parts(root, "top", {"wing"}))
    assert y1 - y0 == pytest.approx(plane.wingspan / mpp, abs=TOLERANCE)
    sx0, sy0, sx1, sy1 = drawn(root, "side")
    assert sx1 - sx0 == pytest.approx(plane.length / mpp, abs=TOLERANCE)
    assert sy1 - sy0 == pytest.approx(plane.height / mpp, abs=TOLERANCE)


def test_engine_count_is_drawn_one_pod_per_engine_under_the_wing():
    root = parse(aircraft_drawing(C5M))
    assert len(parts(root, "top", {"engine"})) == 4
    root = parse(aircraft_drawing(Airframe("Twin", 39.5, 35.8, 12.5, None, "swept", "underwing", 2, "", "")))
    assert len(parts(root, "top", {"engine"})) == 2


def test_a_trijet_has_a_pod_each_side_and_one_on_the_centreline():
    falcon = Airframe("Falcon 7X", 23.38, 26.21, 7.83, None, "swept", "rear-fuselage", 3, "cruciform", "")
    engines = parts(parse(aircraft_drawing(falcon)), "top", {"engine"})
    centres = sorted(round(float(e.get("cy")), 1) for e in engines)
    assert len(engines) == 3
    assert centres[1] - centres[0] == pytest.approx(centres[2] - centres[1], abs=0.2)


def test_a_76_m_aircraft_draws_four_times_the_length_of_a_19_m_one_on_a_shared_scale():
    mpp = shared_scale([C5M, F22], 700)
    big, small = (parse(aircraft_drawing(a, metres_per_px=mpp)) for a in (C5M, F22))
    big_length = drawn(big, "top")[2] - drawn(big, "top")[0]
    small_length = drawn(small, "top")[2] - drawn(small, "top")[0]
    assert big_length / small_length == pytest.approx(75.31 / 18.92, rel=0.005)
    assert scale_of(big) == scale_of(small) == pytest.approx(mpp)


def test_a_fixed_scale_sizes_the_svg_to_the_aircraft_not_to_a_page_width():
    mpp = 0.05
    small = parse(aircraft_drawing(F22, metres_per_px=mpp))
    big = parse(aircraft_drawing(C5M, metres_per_px=mpp))
    assert float(big.get("width")) > 3 * float(small.get("width"))


@pytest.mark.parametrize("plane", [F22, C5M, UH60, B2], ids=lambda a: a.name)
def test_a_person_stands_beside_every_drawing_at_1_8_m(plane):
    root = parse(aircraft_drawing(plane))
    mpp = scale_of(root)
    for view in ("top", "side"):
        x0, y0, _, y1 = union(box(e) for e in parts(root, view, {"person"}))
        assert y1 - y0 == pytest.approx(1.8 / mpp, abs=TOLERANCE)
        assert x0 > drawn(root, view)[2]  # beside it, not on it
    assert "1.8 m person" in root.get("aria-label")


@pytest.mark.parametrize(
    ("plane", "discs"), [(UH60, 1), (CH47, 2), (COAX, 1), (MV22, 2)], ids=lambda v: getattr(v, "name", v)
)
def test_rotorcraft_are_drawn_with_rotor_discs_to_scale(plane, discs):
    root = parse(aircraft_drawing(plane))
    mpp = scale_of(root)
    rotors = [e for e in parts(root, "top", {"rotor"}) if e.tag.endswith("ellipse")]
    assert len(rotors) == discs
    for disc in rotors:
        assert float(disc.get("rx")) == pytest.approx(plane.rotor_diameter / 2 / mpp, abs=TOLERANCE)
        assert float(disc.get("rx")) == float(disc.get("ry"))
        assert disc.get("stroke-dasharray")  # a disc, not a solid surface
    # Seen from the side, each rotor is a blade line as long as the rotor is wide.
    blades = parts(root, "side", {"rotor"})
    for blade in blades:
        x0, _, x1, _ = box(blade)
        assert x1 - x0 == pytest.approx(plane.rotor_diameter / mpp, abs=TOLERANCE)
    x0, y0, x1, y1 = drawn(root, "side", AIRFRAME_PARTS | {"rotor"})
    assert y1 - y0 == pytest.approx(plane.height / mpp, abs=TOLERANCE)


def test_a_helicopter_has_no_wing_and_a_tail_rotor():
    root = parse(aircraft_drawing(UH60))
    assert parts(root, "top", {"wing"}) == []
    assert parts(root, "side", {"tail-rotor"})


def test_coaxial_rotors_show_as_two_blade_lines_from_the_side():
    assert len(parts(parse(aircraft_drawing(COAX)), "side", {"rotor"})) == 2
    assert len(parts(parse(aircraft_drawing(UH60)), "side", {"rotor"})) == 1


def test_tandem_rotors_sit_fore_and_aft():
    root = parse(aircraft_drawing(CH47))
    front, rear = sorted(float(e.get("cx")) for e in parts(root, "top", {"rotor"}))
    body_x0, _, body_x1, _ = drawn(root, "top", {"fuselage"})
    assert front < body_x0 + (body_x1 - body_x0) / 3
    assert rear > body_x0 + 2 * (body_x1 - body_x0) / 3


def test_tiltrotor_discs_are_centred_on_the_wingtips():
    root = parse(aircraft_drawing(MV22))
    mpp = scale_of(root)
    _, wing_y0, _, wing_y1 = union(box(e) for e in parts(root, "top", {"wing"}))
    centres = sorted(float(e.get("cy")) for e in parts(root, "top", {"rotor"}))
    assert centres == pytest.approx([wing_y0, wing_y1], abs=TOLERANCE)
    assert wing_y1 - wing_y0 == pytest.approx(14.0 / mpp, abs=TOLERANCE)


def test_a_flying_wing_has_no_fuselage_or_tail():
    root = parse(aircraft_drawing(B2))
    top_parts = {e.get("data-part") for e in parts(root, "top")}
    assert "wing" in top_parts
    assert not top_parts & {"fuselage", "tail", "fin"}


def test_a_missing_length_draws_nothing_and_says_so():
    plane = Airframe("Mystery", None, 12.0, 4.0, None, "swept", "fuselage", 1, "conventional", "none")
    root = parse(aircraft_drawing(plane))
    assert parts(root, "top") == [] and parts(root, "side") == []
    assert any("Length not in the catalogue yet" in t for t in texts(root))
    assert "Length not in the catalogue yet" in root.get("aria-label")


def test_a_missing_wingspan_draws_no_wing_and_says_so():
    plane = Airframe("Spanless", 12.0, None, 4.0, None, "swept", "fuselage", 1, "conventional", "none")
    root = parse(aircraft_drawing(plane))
    assert parts(root, "top", {"wing", "tail"}) == []
    assert parts(root, "top", {"fuselage"})
    assert any("Wingspan not in the catalogue yet" in t for t in texts(root))


def test_a_missing_height_leaves_out_the_side_view_and_says_so():
    plane = Airframe("Flat", 12.0, 10.0, None, None, "straight", "nose", 1, "conventional", "none")
    root = parse(aircraft_drawing(plane))
    assert parts(root, "top", {"wing"}) and parts(root, "side") == []
    assert any("Height not in the catalogue yet" in t for t in texts(root))


def test_a_missing_rotor_diameter_draws_no_disc_and_says_so():
    plane = Airframe("Rotorless", 12.0, None, 4.0, None, "none", "fuselage", 1, "", "single")
    root = parse(aircraft_drawing(plane))
    assert parts(root, "top", {"rotor"}) == []
    assert any("Rotor diameter not in the catalogue yet" in t for t in texts(root))


def test_drawings_are_accessible_images_with_a_title_and_text_alternative():
    root = parse(aircraft_drawing(F22))
    assert root.get("role") == "img"
    assert root[0].tag.endswith("title") and "F-22A Raptor" in root[0].text
    label = root.get("aria-label")
    assert "18.92 m long" in label and "wingspan 13.56 m" in label and "twin fins" in label.lower()
    for element in root.iter():
        for attribute in ("fill", "stroke"):
            colour = element.get(attribute, "")
            if element.tag.endswith("text") and colour.startswith("#"):
                assert contrast(colour) >= 4.5
    assert contrast(drawings.INK) >= 4.5 and contrast(drawings.MUTED) >= 4.5


def test_imperial_labels_when_asked():
    label = parse(aircraft_drawing(F22, system="imperial")).get("aria-label")
    assert "62 ft 1 in long" in label


def test_names_are_escaped_so_the_svg_stays_well_formed():
    plane = Airframe('A<B & "C"', 10.0, 10.0, 3.0)
    root = parse(aircraft_drawing(plane))
    assert 'A<B & "C"' in root.get("aria-label")


def test_the_svg_uses_no_style_elements_or_attributes_so_the_csp_allows_it():
    for svg in (aircraft_drawing(F22), overlay([F22, C5M, UH60])):
        root = parse(svg)
        assert not [e for e in root.iter() if e.tag.endswith("style") or "style" in e.attrib]


def test_overlay_draws_every_aircraft_on_one_scale_with_noses_aligned():
    root = parse(overlay([C5M, F22, UH60]))
    mpp = scale_of(root)
    lengths, noses = [], []
    for index, plane in enumerate([C5M, F22, UH60]):
        group = next(g for g in root.iter(f"{NS}g") if g.get("data-aircraft") == str(index))
        x0, _, x1, _ = union(box(e) for e in group if e.get("data-part") in AIRFRAME_PARTS)
        lengths.append(x1 - x0)
        noses.append(x0)
        assert lengths[-1] == pytest.approx(plane.length / mpp, abs=TOLERANCE)
    assert lengths[0] / lengths[1] == pytest.approx(75.31 / 18.92, rel=0.005)
    assert noses[0] == pytest.approx(noses[1], abs=TOLERANCE) == pytest.approx(noses[2], abs=TOLERANCE)


def test_overlay_tells_aircraft_apart_by_dash_pattern_as_well_as_colour():
    root = parse(overlay([C5M, F22, UH60, B2]))
    legend = parts(root, names={"legend"})
    assert len(legend) == 4
    assert len({e.get("stroke-dasharray", "") for e in legend}) == 4
    assert len({e.get("stroke") for e in legend}) == 4
    assert all(contrast(e.get("stroke")) >= 4.5 for e in legend)
    assert all(name in " ".join(texts(root)) for name in ("C-5M", "F-22A", "UH-60M", "B-2A"))


def test_overlay_names_an_aircraft_it_could_not_draw():
    root = parse(overlay([F22, Airframe("Unmeasured")]))
    assert any("Unmeasured (not drawn: length not in the catalogue yet)" in t for t in texts(root))


def test_every_configuration_choice_is_described_in_words():
    for planform, rotor in ((WingPlanform.SWEPT, RotorLayout.NONE), (WingPlanform.NONE, RotorLayout.TANDEM)):
        plane = Airframe("X", 10.0, 10.0, 3.0, 12.0, planform, "", None, "", rotor)
        label = parse(aircraft_drawing(plane)).get("aria-label").lower()
        assert (rotor.label.lower() if rotor != RotorLayout.NONE else planform.label.lower()) in label


def test_a_rotorcraft_of_unknown_length_shows_its_rotor_to_scale_and_no_fuselage():
    plane = Airframe("H-1", None, None, 3.9, 10.69, "none", "fuselage", 1, "conventional", "single")
    root = parse(aircraft_drawing(plane))
    mpp = scale_of(root)
    (disc,) = parts(root, "top", {"rotor"})
    assert float(disc.get("rx")) == pytest.approx(10.69 / 2 / mpp, abs=TOLERANCE)
    assert parts(root, "top", {"fuselage"}) == [] and parts(root, "side", {"fuselage"}) == []
    _, y0, _, y1 = drawn(root, "side", {"rotor", "mast"})
    assert y1 - y0 == pytest.approx(3.9 / mpp, abs=TOLERANCE)
    assert any("Length not in the catalogue yet: rotor drawn, fuselage not" in t for t in texts(root))


def test_overlay_of_a_rotorcraft_of_unknown_length_draws_its_rotor_and_says_so():
    rotor_only = Airframe("H-1", None, None, 3.9, 10.69, "none", "fuselage", 1, "conventional", "single")
    root = parse(overlay([F22, rotor_only]))
    assert any("H-1 (length not in the catalogue yet, rotor 10.69 m)" in t for t in texts(root))


def test_an_aircraft_whose_layout_is_not_recorded_says_so():
    root = parse(aircraft_drawing(Airframe("Plain", 12.0, 10.0, 4.0)))
    assert any("Layout not recorded yet: drawn as a plain outline" in t for t in texts(root))
    assert "Layout not recorded yet" not in " ".join(texts(parse(aircraft_drawing(F22))))


def test_a_layout_recorded_in_part_says_which_part_is_missing():
    # What a source described: only the tail (MiG-31), or only where the engine is (La-5FN).
    tail_only = Airframe("Tail only", 22.7, 13.5, 6.1, None, "", "", 2, "twin-fin", "none")
    notes = " ".join(texts(parse(aircraft_drawing(tail_only))))
    assert "Wing planform not recorded yet: drawn as a plain straight wing" in notes
    assert "Engine placement not recorded yet: engines not drawn" in notes
    assert "Tail layout not recorded yet" not in notes and "Layout not recorded yet" not in notes
    engine_only = Airframe("Engine only", 8.7, 9.8, 2.5, None, "", "nose", 1, "", "none")
    notes = " ".join(texts(parse(aircraft_drawing(engine_only))))
    assert "Tail layout not recorded yet: drawn as a plain tailplane and fin" in notes
    assert "Engine placement not recorded yet" not in notes
    complete = " ".join(texts(parse(aircraft_drawing(F22))))
    assert "not recorded yet" not in complete


def test_a_helicopter_without_rotor_diameter_still_stands_its_full_height():
    plane = Airframe("CH-53E", 22.25, None, 8.53, None, "none", "fuselage", 3, "conventional", "single")
    root = parse(aircraft_drawing(plane))
    _, y0, _, y1 = drawn(root, "side")
    assert y1 - y0 == pytest.approx(8.53 / scale_of(root), abs=TOLERANCE)
    assert parts(root, "side", {"rotor"}) == []


# --- Layouts added for triplanes, three fins, canard and tailplane, trijets -------------------

DR1 = Airframe("Fokker Dr.I", 5.77, 7.19, 2.95, None, "triplane", "nose", 1, "conventional", "none")
CONNIE = Airframe("L-1049G Super Constellation", 35.42, 37.49, 7.54, None, "straight", "wing-nacelles", 4, "triple-fin")
SU30 = Airframe("Su-30MKI", 21.94, 14.7, 6.36, None, "swept", "fuselage", 2, "canard-tailplane", "none")
DC10 = Airframe("DC-10-30", 55.5, 50.4, 17.7, None, "swept", "wing-and-tail", 3, "conventional", "none")
JU52 = Airframe("Ju 52/3m", 18.9, 29.25, 4.5, None, "straight", "wing-and-nose", 3, "conventional", "none")
B727 = Airframe("727-200", 46.69, 32.92, 10.36, None, "swept", "rear-fuselage", 3, "t-tail", "none")
NEW_LAYOUTS = [DR1, CONNIE, SU30, DC10, JU52, B727]


def centreline(root) -> float:
    _, y0, _, y1 = drawn(root, "top", {"fuselage"})
    return (y0 + y1) / 2


def by_centreline(root, names: set[str]) -> tuple[list, list]:
    """Top-view parts off the centreline (sorted across the span) and on it."""
    middle = centreline(root)
    found = parts(root, "top", names)
    off = sorted((e for e in found if abs(centre_y(e) - middle) > TOLERANCE), key=centre_y)
    return off, [e for e in found if abs(centre_y(e) - middle) <= TOLERANCE]


def assert_mirrored(root, elements) -> None:
    """Two parts, one each side of the centreline at the same distance."""
    middle = centreline(root)
    assert len(elements) == 2
    assert centre_y(elements[1]) - middle == pytest.approx(middle - centre_y(elements[0]), abs=TOLERANCE)


def centre_x(element) -> float:
    x0, _, x1, _ = box(element)
    return (x0 + x1) / 2


def centre_y(element) -> float:
    _, y0, _, y1 = box(element)
    return (y0 + y1) / 2


@pytest.mark.parametrize("plane", NEW_LAYOUTS, ids=lambda a: a.name)
def test_the_newer_layouts_draw_their_own_length_span_and_height(plane):
    root = parse(aircraft_drawing(plane))
    mpp = scale_of(root)
    x0, _, x1, _ = drawn(root, "top")
    assert x1 - x0 == pytest.approx(plane.length / mpp, abs=TOLERANCE)
    _, y0, _, y1 = drawn(root, "top", {"wing"})
    assert y1 - y0 == pytest.approx(plane.wingspan / mpp, abs=TOLERANCE)
    sx0, sy0, sx1, sy1 = drawn(root, "side")
    assert (sx1 - sx0, sy1 - sy0) == pytest.approx((plane.length / mpp, plane.height / mpp), abs=TOLERANCE)


def test_a_triplane_shows_three_stacked_wings_from_the_side_and_the_top_wing_from_above():
    root = parse(aircraft_drawing(DR1))
    wings = sorted((box(e) for e in parts(root, "side", {"wing"})), key=lambda b: b[1])
    assert len(wings) == 3
    for upper, lower in itertools.pairwise(wings):  # SVG y grows downwards: each wing clear of the next
        assert upper[3] < lower[1]
    _, top_wing_top, _, _ = wings[0]
    _, _, _, ground = drawn(root, "side")
    assert ground - top_wing_top <= 2.95 / scale_of(root) + TOLERANCE
    struts = parts(root, "side", {"strut"})
    assert struts and all(box(s)[1] <= wings[0][3] and box(s)[3] >= wings[2][1] for s in struts)
    assert len(parts(root, "top", {"wing"})) == 1  # the lower two are hidden under the top one
    assert "triplane" in root.get("aria-label").lower()


def test_a_biplane_still_shows_two_wings_from_the_side():
    plane = Airframe("Stearman", 7.54, 9.8, 2.79, None, "biplane", "nose", 1, "conventional", "none")
    assert len(parts(parse(aircraft_drawing(plane)), "side", {"wing"})) == 2


def test_three_fins_stand_at_the_tailplane_tips_and_in_the_middle():
    root = parse(aircraft_drawing(CONNIE))
    fins = parts(root, "top", {"fin"})
    assert len(fins) == 3
    _, plane_y0, _, plane_y1 = drawn(root, "top", {"tail"})
    middle = centreline(root)
    stations = sorted(centre_y(f) for f in fins)
    assert stations == pytest.approx([plane_y0, middle, plane_y1], abs=TOLERANCE)
    # From the side the near tip fin stands aft of the middle one, both to the full height.
    side = sorted(parts(root, "side", {"fin"}), key=centre_x)
    assert len(side) == 2 and centre_x(side[0]) < centre_x(side[1])
    _, ground_top, _, _ = drawn(root, "side")
    assert all(box(f)[1] == pytest.approx(ground_top, abs=TOLERANCE) for f in side)
    assert "three fins" in root.get("aria-label")


def test_canard_and_tailplane_puts_a_foreplane_ahead_of_the_wing_and_a_tailplane_behind_it():
    root = parse(aircraft_drawing(SU30))
    wing_x0, _, _, _ = drawn(root, "top", {"wing"})
    surfaces = sorted((box(e) for e in parts(root, "top", {"tail"})), key=lambda b: b[0])
    assert len(surfaces) == 2
    foreplane, tailplane = surfaces
    assert foreplane[2] <= wing_x0  # wholly ahead of the wing
    assert tailplane[0] >= centre_x(parts(root, "top", {"wing"})[0])  # behind the wing's middle
    (fin,) = parts(root, "top", {"fin"})  # one fin: the layout says nothing of twin fins
    assert centre_y(fin) == pytest.approx(centreline(root), abs=TOLERANCE)
    assert len(parts(root, "side", {"tail"})) == 2
    assert "canard foreplane and tailplane" in root.get("aria-label")


def test_a_wing_and_tail_trijet_has_two_wing_pods_and_one_engine_in_the_tail():
    root = parse(aircraft_drawing(DC10))
    x0, _, x1, _ = drawn(root, "top", {"fuselage"})
    on_wing, in_tail = by_centreline(root, {"engine"})
    assert_mirrored(root, on_wing)
    assert len(in_tail) == 1
    _, wing_y0, _, wing_y1 = drawn(root, "top", {"wing"})
    assert all(wing_y0 < centre_y(e) < wing_y1 for e in on_wing)
    assert centre_x(in_tail[0]) > x0 + 0.8 * (x1 - x0) and box(in_tail[0])[2] <= x1 + TOLERANCE
    # From the side: the near wing pod low under the wing, the tail engine standing above the fuselage into the fin.
    pod, tail = sorted(parts(root, "side", {"engine"}), key=centre_x)
    _, body_top, _, _ = drawn(root, "side", {"fuselage"})
    assert box(tail)[1] < body_top < centre_y(pod)
    assert "3 engines: 2 under the wing, 1 in the tail" in root.get("aria-label")


def test_a_wing_and_nose_trimotor_has_a_nose_propeller_and_two_wing_nacelles():
    root = parse(aircraft_drawing(JU52))
    x0, _, _, _ = drawn(root, "top", {"fuselage"})
    nacelles, centred = by_centreline(root, {"engine"})
    assert_mirrored(root, nacelles)
    assert centred == []
    wing_props, nose = by_centreline(root, {"propeller"})
    assert len(wing_props) == 2 and len(nose) == 1
    assert centre_x(nose[0]) == pytest.approx(x0, abs=TOLERANCE)
    side_props = parts(root, "side", {"propeller"})
    assert min(centre_x(p) for p in side_props) == pytest.approx(x0, abs=TOLERANCE)
    assert "3 engines: 2 on the wing, 1 in the nose" in root.get("aria-label")


def test_a_rear_engined_trijet_has_its_odd_engine_in_the_tail_on_the_centreline():
    root = parse(aircraft_drawing(B727))
    _, _, x1, _ = drawn(root, "top", {"fuselage"})
    pods, centred = by_centreline(root, {"engine"})
    assert_mirrored(root, pods)
    (tail,) = centred
    assert centre_x(tail) > max(centre_x(p) for p in pods) and box(tail)[2] <= x1 + TOLERANCE
    side = sorted(parts(root, "side", {"engine"}), key=centre_x)
    assert len(side) == 2 and centre_x(side[1]) == pytest.approx(centre_x(tail), abs=TOLERANCE)
    assert "3 engines: 2 in pods on the rear fuselage, 1 in the tail" in root.get("aria-label")


def test_a_single_rear_engine_is_on_the_centreline_from_above_and_from_the_side():
    plane = Airframe("One-jet", 12.0, 10.0, 4.0, None, "swept", "rear-fuselage", 1, "t-tail", "none")
    root = parse(aircraft_drawing(plane))
    (engine,) = parts(root, "top", {"engine"})
    assert centre_y(engine) == pytest.approx(centreline(root), abs=TOLERANCE)
    (side,) = parts(root, "side", {"engine"})
    assert centre_x(side) == pytest.approx(centre_x(engine), abs=TOLERANCE)


@pytest.mark.parametrize(("placement", "count"), [("wing-and-tail", 2), ("wing-and-nose", 4), ("wing-and-tail", 1)])
def test_an_engine_count_the_layout_cannot_split_draws_no_engines_and_says_so(placement, count):
    plane = Airframe("Odd one", 30.0, 28.0, 8.0, None, "swept", placement, count, "conventional", "none")
    root = parse(aircraft_drawing(plane))
    assert parts(root, "top", {"engine", "propeller"}) == [] and parts(root, "side", {"engine", "propeller"}) == []
    note = "cannot be " + EnginePlacement(placement).label.lower()
    assert any(note in t and "engines not drawn" in t for t in texts(root))
    assert note in root.get("aria-label")


def test_every_layout_choice_is_named_in_the_text_alternative():
    for wing in WingPlanform:
        if wing == WingPlanform.NONE:
            continue
        label = parse(aircraft_drawing(Airframe("W", 10.0, 10.0, 3.0, None, wing))).get("aria-label").lower()
        assert wing.label.lower() in label
    for tail in TailLayout:
        label = parse(aircraft_drawing(Airframe("T", 10.0, 10.0, 3.0, None, "straight", tail_layout=tail)))
        assert tail.label.lower() in label.get("aria-label").lower()
    for placement in EnginePlacement:
        plane = Airframe("E", 10.0, 10.0, 3.0, None, "straight", placement, 2, "conventional")
        assert EnginePlacement(placement).label.lower() in parse(aircraft_drawing(plane)).get("aria-label").lower()
