"""To-scale drawings of an aircraft, from its own figures, as SVG text.

Pure functions: an Airframe (dimensions in metres, any of them possibly
unknown, plus its configuration) in, an SVG string out. Nothing here reads the
database, so the page, the API's drawing URL and the tests all draw the same
picture from the same numbers.

What is to scale and what is not: the length (nose to tail), the wingspan
(tip to tip), the height (ground to the highest point), the rotor discs and
the 1.8 m person are drawn exactly to the figures. Everything else (fuselage
width, chord, sweep, where the engines sit) is a schematic drawn in proportion
to those figures, so the silhouette says "swept wing, four engines under it,
T-tail" without claiming dimensions nobody published. A figure that is missing
is said in words on the drawing; no shape is drawn in its place.

Coordinates: every shape is built in metres, nose at x = 0 and tail at
x = length; y runs across the span (top view) and z up from the ground (side
view). Rendering maps metres to SVG user units at `metres_per_px`, which the
caller may fix so that several drawings share one scale.

SVG is written with presentation attributes only (no style elements or
attributes), so it passes the site's Content Security Policy inline or served
on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from . import units
from .configuration import CENTRE_ENGINE, engine_count_fits, engine_misfit
from .configuration import EnginePlacement as Eng
from .configuration import RotorLayout as Rotor
from .configuration import TailLayout as Tail
from .configuration import WingPlanform as Wing

PERSON_HEIGHT_M = 1.8
INK = "#17212b"  # 15.6:1 on white
MUTED = "#4b5a6a"  # 7:1 on white
FILL = "#dbe3ec"  # light airframe fill; the outline carries the shape
DISC_FILL = "#17212b"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TEXT_SIZE = 13
LINE = 16  # text line height
MARGIN = 12
VIEW_GAP = 28

# Outline styles for overlaid aircraft: colour and dash pattern differ, so the
# legend never relies on colour alone. Each colour has at least 4.5:1 on white.
OVERLAY_STYLES = (
    ("#0b5394", ""),  # blue, solid
    ("#9a3412", "8 4"),  # brown, dashed
    ("#14532d", "2 3"),  # green, dotted
    ("#6b21a8", "10 3 2 3"),  # purple, dash-dot
)

ROTORCRAFT = {Rotor.SINGLE, Rotor.TANDEM, Rotor.COAXIAL, Rotor.INTERMESHING}
# Wings stacked one above another, counted from the side; from above only the top one shows.
STACKED_WINGS = {Wing.BIPLANE: 2, Wing.TRIPLANE: 3}
FOREPLANES = {Tail.CANARD, Tail.CANARD_TAILPLANE}


@dataclass(frozen=True)
class Airframe:
    """What a drawing needs to know about one aircraft. Lengths in metres.

    length is nose to tail of the airframe (for a helicopter, the fuselage
    without the rotors turning); wingspan is tip to tip (for a tiltrotor, the
    wing without its rotors); rotor_diameter is the main rotor's.
    """

    name: str
    length: float | None = None
    wingspan: float | None = None
    height: float | None = None
    rotor_diameter: float | None = None
    wing_planform: str = ""
    engine_placement: str = ""
    engine_count: int | None = None
    tail_layout: str = ""
    rotor_layout: str = ""

    @property
    def is_rotorcraft(self) -> bool:
        """Lifted by rotors alone (a tiltrotor has a wing, so it is not)."""
        return self.rotor_layout in ROTORCRAFT

    @property
    def has_rotors(self) -> bool:
        return self.is_rotorcraft or self.rotor_layout == Rotor.TILTROTOR

    @property
    def has_wing(self) -> bool:
        if self.is_rotorcraft:
            return False
        return self.wing_planform != Wing.NONE


# --- Shapes in metres ----------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One outline: a polygon or open line (points), a circle or an ellipse."""

    part: str
    points: tuple[tuple[float, float], ...] = ()
    closed: bool = True
    centre: tuple[float, float] = (0.0, 0.0)
    radii: tuple[float, float] = (0.0, 0.0)
    kind: str = "path"  # path | ellipse

    def extent(self) -> tuple[float, float, float, float]:
        if self.kind == "ellipse":
            (cx, cy), (rx, ry) = self.centre, self.radii
            return cx - rx, cy - ry, cx + rx, cy + ry
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs), max(ys)


def _poly(part: str, points, closed: bool = True) -> Shape:
    return Shape(part=part, points=tuple((float(x), float(y)) for x, y in points), closed=closed)


def _ellipse(part: str, cx: float, cy: float, rx: float, ry: float) -> Shape:
    return Shape(part=part, centre=(cx, cy), radii=(rx, ry), kind="ellipse")


def _mirror(points) -> list[tuple[float, float]]:
    """A half outline (y <= 0) closed by its mirror image across the centreline."""
    points = list(points)
    return points + [(x, -y) for x, y in reversed(points) if y != 0]


def _extent(shapes: list[Shape]) -> tuple[float, float, float, float]:
    boxes = [s.extent() for s in shapes]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass(frozen=True)
class _WingGeometry:
    root_le: float
    root_chord: float
    tip_le: float
    tip_chord: float
    half_span: float

    def leading_edge_at(self, y: float) -> float:
        share = min(abs(y) / self.half_span, 1.0)
        return self.root_le + (self.tip_le - self.root_le) * share

    def chord_at(self, y: float) -> float:
        share = min(abs(y) / self.half_span, 1.0)
        return self.root_chord + (self.tip_chord - self.root_chord) * share


def _body_half_width(a: Airframe) -> float:
    if a.is_rotorcraft:
        return max(0.35, 0.065 * a.length)
    if a.engine_placement == Eng.FUSELAGE:  # jets buried side by side make a broad body
        return min(max(0.3, 0.075 * a.length), 4.2)
    return min(max(0.3, 0.05 * a.length), 4.2)


def _wing_geometry(a: Airframe) -> _WingGeometry | None:
    """Schematic planform from length and span; None when there is no wing to draw."""
    if not a.has_wing or not a.wingspan:
        return None
    length, half = a.length, a.wingspan / 2
    planform = a.wing_planform or Wing.STRAIGHT
    if planform == Wing.SWEPT:
        root_chord = min(0.2 * a.wingspan, 0.34 * length)
        tip_chord = 0.3 * root_chord
        root_le = 0.34 * length
        tip_le = min(root_le + 0.62 * half, 0.93 * length - tip_chord)
    elif planform == Wing.SWING_WING:
        root_chord = min(0.17 * a.wingspan, 0.28 * length)
        tip_chord = 0.45 * root_chord
        root_le = 0.4 * length
        tip_le = min(root_le + 0.25 * half, 0.9 * length - tip_chord)
    elif planform == Wing.DELTA:
        root_le = (0.38 if a.tail_layout in FOREPLANES else 0.3) * length
        trailing = 0.94 * length
        tip_chord = 0.07 * length
        root_chord = trailing - root_le
        tip_le = trailing - tip_chord
    elif planform == Wing.FLYING_WING:
        root_chord = length
        tip_chord = min(0.1 * length, 0.05 * a.wingspan)
        root_le = 0.0
        tip_le = min(math.tan(math.radians(33)) * half, 0.85 * length - tip_chord)
    else:  # straight, biplane, triplane and unrecorded: a plain straight wing
        root_chord = min(0.15 * a.wingspan, 0.28 * length)
        tip_chord = 0.6 * root_chord
        quarter = (0.3 if planform in STACKED_WINGS else 0.42) * length
        root_le = quarter - 0.25 * root_chord
        tip_le = root_le + 0.25 * (root_chord - tip_chord)
    return _WingGeometry(root_le, root_chord, tip_le, tip_chord, half)


def _fuselage_top(a: Airframe, end: float | None = None) -> Shape:
    length = a.length if end is None else end
    hw = _body_half_width(a)
    nose = (0.16 if a.is_rotorcraft else 0.12) * length
    half = [(0.0, 0.0)]
    for step in range(1, 7):  # an elliptical nose
        t = step / 6
        half.append((nose * t, -hw * math.sqrt(1 - (1 - t) ** 2)))
    if a.rotor_layout == Rotor.TANDEM:  # one long cabin under both rotors
        half += [(0.9 * length, -hw), (length, -0.6 * hw)]
    elif a.is_rotorcraft:  # cabin, then a slim tail boom
        half += [(0.5 * length, -hw), (0.58 * length, -0.3 * hw), (length, -0.22 * hw)]
    else:
        half += [(0.72 * length, -hw), (length, -0.22 * hw)]
    return _poly("fuselage", _mirror(half))


def _wing_shapes(a: Airframe, wing: _WingGeometry) -> list[Shape]:
    h = wing.half_span
    if a.wing_planform == Wing.FLYING_WING:
        length = a.length
        tip_te = wing.tip_le + wing.tip_chord
        half = [
            (0.0, 0.0),
            (wing.tip_le, -h),
            (tip_te, -h),
            (max(tip_te, 0.72 * length), -0.55 * h),
            (length, -0.28 * h),
            (0.84 * length, 0.0),
        ]
        return [_poly("wing", _mirror(half))]
    half = [
        (wing.root_le, 0.0),
        (wing.tip_le, -h),
        (wing.tip_le + wing.tip_chord, -h),
        (wing.root_le + wing.root_chord, 0.0),
    ]
    shapes = [_poly("wing", _mirror(half))]
    if a.wing_planform == Wing.SWING_WING:  # the fixed glove the outer wing pivots from
        hw = _body_half_width(a)
        glove = [
            (0.22 * a.length, 0.0),
            (0.22 * a.length, -hw),
            (wing.root_le + 0.2 * wing.root_chord, -0.24 * h),
            (wing.root_le + wing.root_chord, -0.24 * h),
            (wing.root_le + wing.root_chord, 0.0),
        ]
        shapes.append(_poly("wing", _mirror(glove)))
    return shapes


@dataclass(frozen=True)
class _Tailplane:
    """The tailplane's schematic planform (one side; y <= 0), from length and span."""

    root_le: float
    root_chord: float
    tip_le: float
    tip_chord: float
    half_span: float


def _tailplane(a: Airframe, wing: _WingGeometry) -> _Tailplane:
    length, span = a.length, wing.half_span * 2
    half = min(0.14 * span, 0.24 * length) if a.tail_layout == Tail.V_TAIL else min(0.18 * span, 0.28 * length)
    root_le, root_chord = 0.84 * length, 0.14 * length
    tip_chord = 0.55 * root_chord
    tip_le = min(root_le + 0.5 * half, length - tip_chord)
    return _Tailplane(root_le, root_chord, tip_le, tip_chord, half)


def _foreplane_top(a: Airframe, wing: _WingGeometry) -> Shape:
    """A canard foreplane, ahead of the wing."""
    length = a.length
    half = min(0.16 * wing.half_span * 2, 0.3 * length)
    fore = [(0.2 * length, 0.0), (0.26 * length, -half), (0.3 * length, -half), (0.32 * length, 0.0)]
    return _poly("tail", _mirror(fore))


def _tail_top(a: Airframe, wing: _WingGeometry | None) -> list[Shape]:
    layout = a.tail_layout or (Tail.NONE if a.wing_planform == Wing.FLYING_WING else Tail.CONVENTIONAL)
    length, hw = a.length, _body_half_width(a)
    fin = _poly("fin", [(0.8 * length, 0.0), (length, 0.0)], closed=False)
    if layout == Tail.NONE:
        return []
    if layout == Tail.TAILLESS:
        return [fin]
    if wing is None:  # no span, so no tailplane to scale: the fin only
        return [fin]
    shapes = []
    if layout == Tail.CANARD:
        return [_foreplane_top(a, wing), fin]
    if layout == Tail.CANARD_TAILPLANE:  # foreplane ahead of the wing, a tailplane behind it
        shapes.append(_foreplane_top(a, wing))
    tp = _tailplane(a, wing)
    plane = [
        (tp.root_le, 0.0),
        (tp.tip_le, -tp.half_span),
        (tp.tip_le + tp.tip_chord, -tp.half_span),
        (tp.root_le + tp.root_chord, 0.0),
    ]
    if layout == Tail.TWIN_BOOM:
        boom_y = 0.28 * wing.half_span
        boom_w = max(0.25, 0.02 * wing.half_span * 2)
        start = wing.root_le
        for side in (-1, 1):
            y = side * boom_y
            shapes.append(
                _poly(
                    "fuselage", [(start, y - boom_w), (length, y - boom_w), (length, y + boom_w), (start, y + boom_w)]
                )
            )
        plane = [(tp.root_le, 0.0), (tp.root_le, -boom_y), (length, -boom_y), (length, 0.0)]
        shapes.append(_poly("tail", _mirror(plane)))
        return shapes
    shapes.append(_poly("tail", _mirror(plane)))
    if layout == Tail.TWIN_FIN:
        for side in (-1, 1):
            shapes.append(_poly("fin", [(0.78 * length, side * 0.7 * hw), (0.98 * length, side * 0.7 * hw)], False))
    elif layout in (Tail.H_TAIL, Tail.TRIPLE_FIN):  # a fin at each tailplane tip (and one in the middle)
        for side in (-1, 1):
            y = side * tp.half_span
            shapes.append(_poly("fin", [(tp.tip_le - 0.02 * length, y), (tp.tip_le + tp.tip_chord, y)], False))
        if layout == Tail.TRIPLE_FIN:
            shapes.append(fin)
    elif layout != Tail.V_TAIL:
        shapes.append(fin)
    return shapes


def _pod_positions(count: int, wing: _WingGeometry) -> list[float]:
    """Spanwise stations of podded engines on one side of the wing."""
    if count <= 0:
        return []
    if count == 1:
        return [0.34 * wing.half_span]
    return [wing.half_span * (0.28 + 0.44 * i / (count - 1)) for i in range(count)]


# Where each engine goes, for the placements that split them: pairs on the wing
# (or on the rear fuselage) and the odd one on the centreline, at the tail or in the nose.
WING_PODS = {Eng.UNDERWING, Eng.WING_AND_TAIL}  # podded under the wing
WING_NACELLES = {Eng.WING_NACELLES, Eng.WING_AND_NOSE}  # nacelles on the wing with propellers
ON_WING = WING_PODS | WING_NACELLES | {Eng.WING_BURIED}


@dataclass(frozen=True)
class EngineSplit:
    """How many engines a side (on the wing or the rear fuselage) and where the odd one sits."""

    pairs: int
    centre: int  # 0 or 1
    where: str  # "tail" or "nose" for the centre engine

    def words(self, placement: str) -> str:
        if placement in ON_WING:
            side = "under the wing" if placement in WING_PODS else "on the wing"
            if placement == Eng.WING_BURIED:
                side = "buried in the wing"
        else:
            side = "in pods on the rear fuselage"
        where = "in the nose" if self.where == "nose" else "in the tail"
        if not self.pairs:
            return where
        return f"{2 * self.pairs} {side}, {self.centre} {where}"


def engine_split(a: Airframe) -> EngineSplit | None:
    """Pairs and the centre engine for placements that split them; None when the
    count does not fit the placement (wing-and-tail or wing-and-nose need an odd
    count of three or more: one on the centreline, the rest in pairs on the wing)."""
    count, placement = a.engine_count or 0, a.engine_placement
    if count <= 0:
        return None
    if placement in CENTRE_ENGINE:
        if not engine_count_fits(placement, count):
            return None
        return EngineSplit((count - 1) // 2, 1, CENTRE_ENGINE[placement])
    if placement in ON_WING or placement == Eng.REAR_FUSELAGE:
        # An odd engine with propellers on the wing turns in the nose; a jet's is in the tail.
        return EngineSplit(count // 2, count % 2, "nose" if placement == Eng.WING_NACELLES else "tail")
    return None


def _tail_engine_size(a: Airframe, wing: _WingGeometry | None) -> tuple[float, float]:
    """Half length and half width of the centre engine at the tail, in metres."""
    length, hw = a.length, _body_half_width(a)
    if a.engine_placement == Eng.REAR_FUSELAGE or wing is None:
        return 0.075 * length, max(0.35 * hw, 0.3)
    return 0.075 * length, min(0.024 * wing.half_span * 2, 0.7 * hw)


def _centre_engine_top(a: Airframe, wing: _WingGeometry | None, split: EngineSplit) -> list[Shape]:
    """The odd engine on the centreline: a nose propeller, or a nacelle ending at the tail."""
    if not split.centre:
        return []
    length, hw = a.length, _body_half_width(a)
    if split.where == "nose":
        prop = 0.055 * wing.half_span * 2 if wing is not None else max(1.2, 1.8 * hw)
        return [_poly("propeller", [(0.0, -prop), (0.0, prop)], closed=False)]
    rx, ry = _tail_engine_size(a, wing)
    return [_ellipse("engine", 0.985 * length - rx, 0.0, rx, ry)]


def _engines_top(a: Airframe, wing: _WingGeometry | None, centre: bool = True) -> list[Shape]:
    """Engines seen from above; centre=False leaves out a centreline engine (drawn over the fuselage later)."""
    count = a.engine_count or 0
    placement = a.engine_placement
    if count <= 0 or not placement:
        return []
    length, hw = a.length, _body_half_width(a)
    shapes: list[Shape] = []
    if placement in ON_WING:
        split = engine_split(a)
        if wing is None or split is None:
            return []
        span = wing.half_span * 2
        stations = _pod_positions(split.pairs, wing)
        for index, y in enumerate(stations):
            le = wing.leading_edge_at(y)
            if placement == Eng.WING_BURIED:
                y = min(y, hw + 0.06 * span * (1 + index))
                le = wing.leading_edge_at(y)
                for side in (-1, 1):
                    shapes.append(_ellipse("engine", le + 0.06 * length, side * y, 0.05 * length, 0.02 * span))
                continue
            if placement in WING_PODS:
                rx, ry, cx = 0.055 * length, 0.024 * span, max(le, 0.06 * length)
            else:
                rx, ry, cx = 0.1 * length, 0.02 * span, le + 0.05 * length
            for side in (-1, 1):
                shapes.append(_ellipse("engine", cx, side * y, rx, ry))
                if placement in WING_NACELLES:  # the propeller disc, edge on
                    prop = 0.055 * span
                    front = max(cx - rx, 0.0)
                    shapes.append(
                        _poly("propeller", [(front, side * y - prop), (front, side * y + prop)], closed=False)
                    )
        if centre:
            shapes += _centre_engine_top(a, wing, split)
        return shapes
    if placement in (Eng.REAR_FUSELAGE, Eng.ABOVE_FUSELAGE):
        rx, ry = 0.075 * length, max(0.35 * hw, 0.3)
        if placement == Eng.ABOVE_FUSELAGE:
            return [_ellipse("engine", 0.74 * length, 0.0, rx, ry)]
        split = engine_split(a)
        for i in range(split.pairs):
            for side in (-1, 1):
                shapes.append(_ellipse("engine", 0.7 * length - i * 2.1 * rx, side * (hw + ry), rx, ry))
        # The odd one (727, Tu-154, Falcon 7X) is in the tail on the centreline, not a pod of its own.
        return shapes + _centre_engine_top(a, wing, split)
    if placement == Eng.FUSELAGE:  # buried: one nozzle per engine at the tail
        width = 0.22 * hw
        centre = (count - 1) / 2
        for i in range(count):
            y = (i - centre) * 2.4 * width
            shapes.append(
                _poly(
                    "engine",
                    [(0.95 * length, y - width), (length, y - width), (length, y + width), (0.95 * length, y + width)],
                )
            )
        return shapes
    if placement in (Eng.NOSE, Eng.PUSHER):
        prop = max(1.2, 0.9 * hw * 2) if wing is None else min(0.09 * wing.half_span * 2, max(1.2, 3.2 * hw))
        x = 0.0 if placement == Eng.NOSE else length
        return [_poly("propeller", [(x, -prop / 2), (x, prop / 2)], closed=False)]
    if placement == Eng.WINGTIP and wing is not None:
        for side in (-1, 1):
            shapes.append(
                _ellipse(
                    "engine",
                    wing.leading_edge_at(wing.half_span) + 0.1 * length,
                    side * wing.half_span,
                    0.14 * length,
                    0.045 * wing.half_span * 2,
                )
            )
        return shapes
    return shapes


def _rotor_hubs_top(a: Airframe, wing: _WingGeometry | None) -> list[tuple[float, float]]:
    length, d = a.length, a.rotor_diameter
    layout = a.rotor_layout
    if layout == Rotor.TANDEM:
        return [(0.13 * length, 0.0), (0.87 * length, 0.0)]
    if layout == Rotor.INTERMESHING:
        return [(0.4 * length, -0.08 * d), (0.4 * length, 0.08 * d)]
    if layout == Rotor.TILTROTOR:
        if wing is None:
            return []
        x = wing.leading_edge_at(wing.half_span) + 0.3 * wing.tip_chord
        return [(x, -wing.half_span), (x, wing.half_span)]
    return [(0.38 * length, 0.0)]  # single and coaxial


def _rotors_top(a: Airframe, wing: _WingGeometry | None) -> list[Shape]:
    if not a.has_rotors or not a.rotor_diameter:
        return []
    radius = a.rotor_diameter / 2
    shapes = []
    for cx, cy in _rotor_hubs_top(a, wing):
        shapes.append(_ellipse("rotor", cx, cy, radius, radius))
        shapes.append(_ellipse("hub", cx, cy, max(0.25, 0.03 * radius), max(0.25, 0.03 * radius)))
    if a.rotor_layout == Rotor.SINGLE:  # the tail rotor, edge on, beside the boom
        tail = 0.09 * a.rotor_diameter
        y = 0.3 * _body_half_width(a) + 0.1
        shapes.append(_poly("tail-rotor", [(a.length - 2 * tail, y), (a.length, y)], closed=False))
    return shapes


def top_shapes(a: Airframe) -> list[Shape]:
    """The top view, nose at x = 0, in metres. Empty when the length is unknown
    (a single or coaxial rotorcraft still shows its rotor disc, which needs no length)."""
    if not a.length:
        return _rotor_only(a, top=True)
    wing = _wing_geometry(a)
    shapes: list[Shape] = []
    if a.is_rotorcraft:
        shapes.append(_fuselage_top(a))
        if a.tail_layout not in (Tail.NONE, "") and a.rotor_layout != Rotor.TANDEM:
            hw = _body_half_width(a)
            stab = max(0.9, 1.6 * hw)
            shapes.append(
                _poly(
                    "tail",
                    _mirror(
                        [
                            (0.9 * a.length, 0.0),
                            (0.92 * a.length, -stab),
                            (0.96 * a.length, -stab),
                            (0.97 * a.length, 0.0),
                        ]
                    ),
                )
            )
        shapes += _rotors_top(a, wing)
        return shapes
    if wing is not None:
        shapes += _wing_shapes(a, wing)
    on_wing = a.engine_placement in ON_WING
    if on_wing:  # beside the fuselage; a centreline engine among them is drawn over it below
        shapes += _engines_top(a, wing, centre=False)
    if a.wing_planform != Wing.FLYING_WING or wing is None:
        end = 0.62 * a.length if a.tail_layout == Tail.TWIN_BOOM and wing is not None else None
        shapes.append(_fuselage_top(a, end))
    shapes += _tail_top(a, wing)
    if not on_wing:  # pods on or in the fuselage show on top of it
        shapes += _engines_top(a, wing)
    elif wing is not None and (split := engine_split(a)) is not None:
        shapes += _centre_engine_top(a, wing, split)
    shapes += _rotors_top(a, wing)
    return shapes


# --- Side view ------------------------------------------------------------------


def _side_body(a: Airframe) -> tuple[float, float]:
    """Bottom and top of the fuselage above the ground, in metres."""
    height = a.height
    if a.is_rotorcraft:
        return 0.12 * height, 0.68 * height
    if a.wing_planform == Wing.FLYING_WING:
        return 0.34 * height, 0.8 * height
    if a.rotor_layout == Rotor.TILTROTOR:
        return 0.1 * height, 0.1 * height + min(0.12 * a.length, 0.4 * height)
    bottom = 0.12 * height
    if a.tail_layout == Tail.NONE:  # no fin: the body itself is the highest point
        return bottom, height
    diameter = min(0.11 * a.length, 0.42 * height)
    return bottom, bottom + diameter


def _gear(a: Airframe, bottom: float, stations: list[float]) -> list[Shape]:
    shapes = []
    wheel = max(min(0.45 * bottom, 0.03 * a.length, 0.7), 0.05)
    for x in stations:
        shapes.append(_poly("gear", [(x, bottom), (x, wheel)], closed=False))
        shapes.append(_ellipse("gear", x, wheel, wheel, wheel))
    return shapes


def side_shapes(a: Airframe) -> list[Shape]:
    """The side view, nose at x = 0 and the ground at z = 0, in metres (z up).

    Empty when the length or the height is unknown.
    """
    if not a.height:
        return []
    if not a.length:
        return _rotor_only(a, top=False)
    length, height = a.length, a.height
    bottom, top = _side_body(a)
    depth = top - bottom
    wing = _wing_geometry(a)
    shapes: list[Shape] = []
    if a.is_rotorcraft:
        cabin = [(0.0, bottom + 0.45 * depth)]
        for step in range(1, 6):
            t = step / 5
            cabin.append((0.16 * length * t, bottom + 0.45 * depth + 0.55 * depth * math.sqrt(1 - (1 - t) ** 2)))
        boom_top, boom_bottom = bottom + 0.78 * depth, bottom + 0.58 * depth
        cabin += [(0.55 * length, top), (0.62 * length, boom_top), (length, boom_top + 0.04 * depth)]
        cabin += [(length, boom_bottom), (0.55 * length, boom_bottom), (0.5 * length, bottom), (0.1 * length, bottom)]
        shapes.append(_poly("fuselage", cabin))
        fin_top = min(height * 0.9, boom_top + 0.5 * depth)
        shapes.append(
            _poly("fin", [(0.9 * length, boom_top), (0.97 * length, fin_top), (length, fin_top), (length, boom_bottom)])
        )
        shapes += _rotor_side(a, top)
        if not a.rotor_diameter:  # the rotor head still marks the height; the blades are not drawn
            x = 0.38 * length
            shapes.append(_poly("mast", [(x - 0.2, top), (x - 0.2, height), (x + 0.2, height), (x + 0.2, top)]))
        shapes.append(_poly("gear", [(0.2 * length, 0.0), (0.55 * length, 0.0)], closed=False))
        for x in (0.26 * length, 0.48 * length):
            shapes.append(_poly("gear", [(x, 0.0), (x, bottom)], closed=False))
        return shapes

    if a.wing_planform == Wing.FLYING_WING:
        profile = [
            (0.0, bottom + 0.45 * (height - bottom)),
            (0.12 * length, bottom + 0.85 * (height - bottom)),
            (0.3 * length, height),
            (0.55 * length, bottom + 0.8 * (height - bottom)),
            (length, bottom + 0.3 * (height - bottom)),
            (0.7 * length, bottom),
            (0.15 * length, bottom + 0.1 * (height - bottom)),
        ]
        shapes.append(_poly("fuselage", profile))
        shapes += _gear(a, bottom, [0.2 * length, 0.55 * length])
        return shapes

    nose = 0.12 * length
    body = [(0.0, bottom + 0.4 * depth)]
    for step in range(1, 6):
        t = step / 5
        body.append((nose * t, bottom + 0.4 * depth + 0.6 * depth * math.sqrt(1 - (1 - t) ** 2)))
    body += [(0.72 * length, top), (length, top - 0.1 * depth), (length, top - 0.35 * depth), (0.68 * length, bottom)]
    for step in range(4, -1, -1):
        t = step / 5
        body.append((nose * t, bottom + 0.4 * depth - 0.4 * depth * math.sqrt(1 - (1 - t) ** 2)))
    shapes.append(_poly("fuselage", body[:-1]))

    layout = a.tail_layout or Tail.CONVENTIONAL
    if layout != Tail.NONE:
        fin_base = (0.7 if layout in (Tail.TAILLESS, Tail.CANARD) else 0.8) * length
        fin_top_le = fin_base + 0.7 * (length - fin_base)
        base_z = top - 0.1 * depth
        if height > base_z:
            shapes.append(
                _poly("fin", [(fin_base, base_z), (fin_top_le, height), (0.99 * length, height), (length, base_z)])
            )
        thick = max(0.02 * length, 0.1)
        plane_z = {
            Tail.T_TAIL: height - thick,
            Tail.CRUCIFORM: base_z + 0.5 * (height - base_z),
        }.get(layout, bottom + 0.55 * depth)
        if layout not in (Tail.TAILLESS, Tail.CANARD, Tail.V_TAIL):
            shapes.append(
                _poly(
                    "tail",
                    [
                        (0.86 * length, plane_z),
                        (length, plane_z),
                        (length, plane_z + thick),
                        (0.88 * length, plane_z + thick),
                    ],
                )
            )
        if layout == Tail.TRIPLE_FIN and wing is not None and height > plane_z + thick:
            # The near tip fin stands on the tailplane's tip, above and below it, aft of
            # the middle fin; the far one is hidden behind it.
            tp = _tailplane(a, wing)
            fin_le, fin_te = tp.tip_le - 0.02 * length, tp.tip_le + tp.tip_chord
            foot = max(plane_z - 0.3 * (height - plane_z), 0.5 * plane_z)
            shapes.append(
                _poly(
                    "fin",
                    [
                        (fin_le, foot),
                        (fin_le + 0.4 * (fin_te - fin_le), height),
                        (fin_te, height),
                        (fin_te, foot),
                    ],
                )
            )
        if layout in FOREPLANES:
            z = top - 0.25 * depth
            shapes.append(
                _poly(
                    "tail",
                    [
                        (0.2 * length, z),
                        (0.32 * length, z),
                        (0.31 * length, z + 0.08 * depth),
                        (0.22 * length, z + 0.08 * depth),
                    ],
                )
            )

    if wing is not None:
        thick = max(0.12 * wing.root_chord * 0.5, 0.08)
        levels = _wing_levels(a, bottom, top, thick)
        for z in levels:
            le, te = wing.root_le, wing.root_le + wing.root_chord
            shapes.append(
                _poly(
                    "wing",
                    [(le, z), (le + 0.25 * (te - le), z + thick), (te, z), (le + 0.25 * (te - le), z - 0.4 * thick)],
                )
            )
        if len(levels) > 1:  # interplane struts from the lowest wing to the top one
            for x in (wing.root_le + 0.3 * wing.root_chord, wing.root_le + 0.7 * wing.root_chord):
                shapes.append(_poly("strut", [(x, levels[0]), (x, levels[-1])], closed=False))

    shapes += _engines_side(a, wing, bottom, top)
    shapes += _rotor_side(a, top)
    main = wing.root_le + 0.75 * wing.root_chord if wing is not None else 0.55 * length
    shapes += _gear(a, bottom, [0.1 * length, min(main, 0.8 * length)])
    return shapes


def _wing_levels(a: Airframe, bottom: float, top: float, thick: float) -> list[float]:
    """Heights of the wings seen from the side, lowest first: one, or two or three stacked."""
    depth, height = top - bottom, a.height
    stacked = STACKED_WINGS.get(a.wing_planform, 1)
    if stacked == 1:
        return [bottom + 0.3 * depth]
    if stacked == 2:
        return [bottom + 0.3 * depth, min(top + 0.45 * depth, height - 0.05 * height)]
    # A triplane: the lowest wing at the fuselage's foot, the middle one on its top and
    # the top wing high above on struts, just under the highest point.
    low = bottom + 0.15 * depth
    high = 0.95 * height - thick
    middle = min(top - 0.05 * depth, low + 0.5 * (high - low))
    return [low, middle, high]


def _nose_propeller_side(a: Airframe, bottom: float, top: float) -> Shape:
    centre = bottom + 0.4 * (top - bottom)
    prop = min(max(0.6, 0.9 * (top - bottom)), centre - 0.03 * a.height)
    return _poly("propeller", [(0.0, centre - prop), (0.0, centre + prop)], closed=False)


def _centre_engine_side(
    a: Airframe, wing: _WingGeometry | None, split: EngineSplit, bottom: float, top: float
) -> list[Shape]:
    """The odd engine seen from the side: a nose propeller, or a nacelle at the fin's root
    (raised into the fin for wing-and-tail, as on the DC-10; in the tail for the others)."""
    if not split.centre:
        return []
    if split.where == "nose":
        return [_nose_propeller_side(a, bottom, top)]
    length, height, depth = a.length, a.height, top - bottom
    rx, _ = _tail_engine_size(a, wing)
    ry = min(max(0.035 * length, 0.3), 0.3 * depth)
    base = top - 0.1 * depth  # where the fin meets the fuselage
    cz = base + 0.5 * ry if a.engine_placement == Eng.WING_AND_TAIL else base - 0.2 * ry
    cz = max(min(cz, height - ry), ry)
    return [_ellipse("engine", 0.985 * length - rx, cz, rx, ry)]


def _engines_side(a: Airframe, wing: _WingGeometry | None, bottom: float, top: float) -> list[Shape]:
    count, placement = a.engine_count or 0, a.engine_placement
    if count <= 0 or not placement:
        return []
    length, height = a.length, a.height
    depth = top - bottom
    if placement in WING_PODS | WING_NACELLES and wing is not None:
        split = engine_split(a)
        if split is None:
            return []
        span = wing.half_span * 2
        shapes = _centre_engine_side(a, wing, split, bottom, top)
        stations = _pod_positions(split.pairs, wing)
        if not stations:
            return shapes
        y = stations[0]  # the nearest pod hides the ones beyond it
        le = wing.leading_edge_at(y)
        wing_z = _wing_levels(a, bottom, top, max(0.06 * wing.root_chord, 0.08))[0]
        if placement in WING_PODS:
            ry = min(0.024 * span, 0.45 * wing_z)
            cx, rx = max(le, 0.06 * length), 0.055 * length
            return [_ellipse("engine", cx, max(wing_z - ry, ry + 0.02 * height), rx, ry), *shapes]
        rx, ry = 0.1 * length, min(0.02 * span, 0.4 * wing_z)
        cx, cz = le + 0.05 * length, wing_z
        prop = min(0.055 * span, cz - 0.04 * height)
        front = max(cx - rx, 0.0)
        return [
            _ellipse("engine", cx, cz, rx, ry),
            _poly("propeller", [(front, cz - prop), (front, cz + prop)], closed=False),
            *shapes,
        ]
    if placement == Eng.WING_BURIED and wing is not None and (split := engine_split(a)) is not None:
        return _centre_engine_side(a, wing, split, bottom, top)  # the wing's own engines are inside it
    if placement == Eng.REAR_FUSELAGE:
        split = engine_split(a)
        ry = min(max(0.035 * length, 0.3), 0.3 * depth)
        pods = [_ellipse("engine", 0.7 * length, top - 0.2 * depth, 0.075 * length, ry)] if split.pairs else []
        return pods + _centre_engine_side(a, wing, split, bottom, top)
    if placement == Eng.ABOVE_FUSELAGE:
        ry = min(max(0.035 * length, 0.3), 0.3 * depth)
        return [_ellipse("engine", 0.74 * length, min(top + 0.5 * ry, height - ry), 0.075 * length, ry)]
    if placement in (Eng.NOSE, Eng.PUSHER):
        centre = bottom + 0.4 * depth
        prop = min(max(0.6, 0.9 * depth), centre - 0.03 * height)
        x = 0.0 if placement == Eng.NOSE else length
        return [_poly("propeller", [(x, centre - prop), (x, centre + prop)], closed=False)]
    return []


def _rotor_only(a: Airframe, top: bool) -> list[Shape]:
    """A rotorcraft of unknown length: its one rotor disc (from above) or blade line
    at its height (from the side), and no fuselage, which would be a guess."""
    if a.rotor_layout not in (Rotor.SINGLE, Rotor.COAXIAL) or not a.rotor_diameter:
        return []
    radius = a.rotor_diameter / 2
    if top:
        hub = max(0.25, 0.03 * radius)
        return [_ellipse("rotor", radius, 0.0, radius, radius), _ellipse("hub", radius, 0.0, hub, hub)]
    blade = max(0.02 * a.height, 0.08)
    z = a.height - blade
    shapes = [_poly("rotor", [(0.0, z), (2 * radius, z), (2 * radius, a.height), (0.0, a.height)])]
    shapes.append(_poly("mast", [(radius - 0.2, 0.0), (radius - 0.2, z), (radius + 0.2, z), (radius + 0.2, 0.0)]))
    return shapes


def _rotor_side(a: Airframe, top: float) -> list[Shape]:
    if not a.has_rotors or not a.rotor_diameter:
        return []
    length, height, radius = a.length, a.height, a.rotor_diameter / 2
    blade = max(0.02 * height, 0.08)
    layout = a.rotor_layout
    if layout == Rotor.TANDEM:
        hubs = [(0.13 * length, 0.88 * height), (0.87 * length, height)]
    elif layout == Rotor.TILTROTOR:
        wing = _wing_geometry(a)
        x = wing.leading_edge_at(wing.half_span) + 0.3 * wing.tip_chord if wing else 0.45 * length
        hubs = [(x, height)]
    else:
        hubs = [(0.38 * length, height)]
    shapes = []
    for x, hub in hubs:
        mast_base = top if layout != Rotor.TILTROTOR else top - 0.3 * (top - 0.1 * height)
        shapes.append(
            _poly("mast", [(x - 0.2, mast_base), (x - 0.2, hub - blade), (x + 0.2, hub - blade), (x + 0.2, mast_base)])
        )
        levels = [hub - blade]
        if layout == Rotor.COAXIAL:
            levels.append(hub - blade - max(0.1 * height, 0.5))
        for z in levels:
            shapes.append(
                _poly("rotor", [(x - radius, z), (x + radius, z), (x + radius, z + blade), (x - radius, z + blade)])
            )
    if layout == Rotor.SINGLE:
        tail = 0.09 * a.rotor_diameter
        bottom = 0.12 * height
        centre_z = bottom + 0.78 * (top - bottom) + 0.5 * tail
        cz = min(centre_z, height - tail)
        shapes.append(_ellipse("tail-rotor", length - tail, cz, tail, tail))
    return shapes


# --- The person --------------------------------------------------------------------


def person_shapes(x: float) -> list[Shape]:
    """A standing 1.8 m person, feet on z = 0, centred on x (metres, z up)."""
    head = 0.115
    body = [
        (-0.23, 1.45),
        (0.23, 1.45),
        (0.21, 0.85),
        (0.13, 0.85),
        (0.11, 0.0),
        (0.02, 0.0),
        (0.0, 0.78),
        (-0.02, 0.0),
        (-0.11, 0.0),
        (-0.13, 0.85),
        (-0.21, 0.85),
    ]
    return [
        _poly("person", [(x + dx, z) for dx, z in body]),
        _ellipse("person", x, PERSON_HEIGHT_M - head, head, head),
    ]


# --- Rendering ---------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


FOOT = 0.3048


def _length_text(metres: float, system: str) -> str:
    """18.92 m, or 62 ft 1 in, as the drawing's labels and text alternative say it."""
    if system == units.IMPERIAL:
        feet, inches = divmod(round(metres / FOOT * 12), 12)
        return f"{feet:,} ft {inches} in"
    return f"{metres:,.2f}".rstrip("0").rstrip(".") + " m"


@dataclass(frozen=True)
class _Frame:
    """Maps metres to SVG user units: origin (ox, oy) and metres per unit; z up flips y."""

    ox: float
    oy: float
    metres_per_px: float
    z_up: bool = False

    def point(self, x: float, y: float) -> tuple[float, float]:
        py = self.oy - y / self.metres_per_px if self.z_up else self.oy + y / self.metres_per_px
        return self.ox + x / self.metres_per_px, py


def _shape_svg(shape: Shape, frame: _Frame, stroke: str, fill: str, dash: str = "") -> str:
    attrs = [f'data-part="{shape.part}"']
    if shape.part in ("rotor",) and shape.kind == "ellipse":
        fill_attr = f'fill="{DISC_FILL}" fill-opacity="0.06"'
        dash = dash or "6 4"
    elif shape.part in ("fin", "propeller", "gear", "strut", "tail-rotor") and not shape.closed:
        fill_attr = 'fill="none"'
    elif shape.part == "person":
        fill_attr = f'fill="{MUTED}"'
    else:
        fill_attr = f'fill="{fill}"'
    width = "2" if shape.part in ("fin", "propeller", "tail-rotor") and not shape.closed else "1.25"
    attrs += [fill_attr, f'stroke="{stroke}"', f'stroke-width="{width}"', 'stroke-linejoin="round"']
    if dash:
        attrs.append(f'stroke-dasharray="{dash}"')
    if shape.kind == "ellipse":
        cx, cy = frame.point(*shape.centre)
        rx, ry = (r / frame.metres_per_px for r in shape.radii)
        return f'<ellipse cx="{_n(cx)}" cy="{_n(cy)}" rx="{_n(rx)}" ry="{_n(ry)}" {" ".join(attrs)}/>'
    points = [frame.point(x, y) for x, y in shape.points]
    d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points) + (" Z" if shape.closed else "")
    return f'<path d="{d}" {" ".join(attrs)}/>'


def _text(x: float, y: float, text: str, *, size: int = TEXT_SIZE, anchor: str = "start", weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{size}" fill="{INK}"'
        f' text-anchor="{anchor}"{bold}>{escape(text)}</text>'
    )


def _nice_scale_bar(metres_per_px: float, room_px: float, system: str) -> tuple[float, str]:
    """The longest round length (1, 2, 5 x 10^n m or ft) that fits in room_px."""
    unit = 1.0 if system == units.METRIC else FOOT
    label = "m" if system == units.METRIC else "ft"
    best = (unit, f"1 {label}")
    for power in range(0, 4):
        for step in (1, 2, 5):
            count = step * 10**power
            if count * unit / metres_per_px <= room_px:
                best = (count * unit, f"{count} {label}")
    return best


def _scale_bar(x: float, y: float, metres_per_px: float, room_px: float, system: str) -> str:
    metres, label = _nice_scale_bar(metres_per_px, room_px, system)
    length = metres / metres_per_px
    return (
        f'<g data-part="scale-bar" data-metres="{_n(metres)}">'
        f'<path d="M{_n(x)} {_n(y - 4)} L{_n(x)} {_n(y)} L{_n(x + length)} {_n(y)} L{_n(x + length)} {_n(y - 4)}"'
        f' fill="none" stroke="{INK}" stroke-width="1.5"/>'
        + _text(x + length + 6, y + 4, f"Scale: {label}", size=12)
        + "</g>"
    )


def _describe(a: Airframe, system: str) -> str:
    """The drawing in words: the figures it was drawn from and its configuration."""
    parts = []
    figures = [
        ("long", a.length),
        ("wingspan" if not a.is_rotorcraft else "", a.wingspan if not a.is_rotorcraft else None),
        ("high", a.height),
    ]
    known = []
    for word, value in figures:
        if value:
            known.append(
                f"{_length_text(value, system)} {word}"
                if word != "wingspan"
                else f"wingspan {_length_text(value, system)}"
            )
    if a.has_rotors and a.rotor_diameter:
        known.append(f"rotor diameter {_length_text(a.rotor_diameter, system)}")
    parts.append(f"{a.name}, drawn to scale from its published dimensions" + (": " + ", ".join(known) if known else ""))
    layout = []
    if a.has_rotors and a.rotor_layout:
        layout.append(Rotor(a.rotor_layout).label.lower())
    if a.has_wing and a.wing_planform and a.wing_planform != Wing.NONE:
        layout.append(Wing(a.wing_planform).label.lower())
    if a.engine_count and a.engine_placement:
        noun = "engine" if a.engine_count == 1 else "engines"
        split = engine_split(a)
        if split is not None and split.centre:  # say where the odd one is: 727, DC-10, Ju 52
            where = split.words(a.engine_placement)
            layout.append(f"{a.engine_count} {noun}{':' if split.pairs else ','} {where}")
        else:
            layout.append(f"{a.engine_count} {noun}, {Eng(a.engine_placement).label.lower()}")
    if a.tail_layout and not a.is_rotorcraft:
        layout.append(Tail(a.tail_layout).label.lower())
    if layout:
        parts.append("; ".join(layout))
    parts += missing_figures(a)
    parts.append("A 1.8 m person stands beside it for scale")
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "."


def missing_figures(a: Airframe) -> list[str]:
    """What the drawing could not show, in words, shown on the drawing itself."""
    notes = []
    if not a.length:
        if _rotor_only(a, top=True):
            notes.append("Length not in the catalogue yet: rotor drawn, fuselage not")
        else:
            notes.append("Length not in the catalogue yet: no drawing to scale")
        if a.has_rotors and not a.rotor_diameter:
            notes.append("Rotor diameter not in the catalogue yet")
        return notes
    if not a.wing_planform and not a.rotor_layout:
        notes.append("Layout not recorded yet: drawn as a plain outline")
    else:  # a layout recorded in part: say which part is drawn plain or left out
        if a.has_wing and not a.wing_planform:
            notes.append("Wing planform not recorded yet: drawn as a plain straight wing")
        if not a.is_rotorcraft and not a.tail_layout and a.wing_planform != Wing.FLYING_WING:
            notes.append("Tail layout not recorded yet: drawn as a plain tailplane and fin")
        if a.engine_count and not a.engine_placement:
            notes.append("Engine placement not recorded yet: engines not drawn")
    if a.has_wing and not a.wingspan:
        # A tiltrotor's proprotors sit at its wingtips: without the span there is nowhere to draw them.
        drawn = "wings and proprotors" if a.rotor_layout == Rotor.TILTROTOR else "wings"
        notes.append(f"Wingspan not in the catalogue yet: {drawn} not drawn")
    if a.has_rotors and not a.rotor_diameter:
        notes.append("Rotor diameter not in the catalogue yet: rotors not drawn")
    if misfit := engine_misfit(a.engine_placement, a.engine_count):
        noun = "engine" if a.engine_count == 1 else "engines"
        notes.append(f"{a.engine_count} {noun} {misfit}: engines not drawn")
    if not a.height:
        notes.append("Height not in the catalogue yet: no side view")
    return notes


def _svg(
    width: float,
    height: float,
    label: str,
    body: list[str],
    metres_per_px: float | None,
    css_class: str,
    decorative: bool = False,
) -> str:
    scale = f' data-metres-per-px="{metres_per_px:.12g}"' if metres_per_px else ""
    # A decorative copy (a card, whose text already gives the figures) is hidden from screen readers.
    name = 'aria-hidden="true" focusable="false"' if decorative else f'role="img" aria-label="{escape(label)}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {_n(width)} {_n(height)}"'
        f' width="{_n(width)}" height="{_n(height)}" {name}'
        f' preserveAspectRatio="xMinYMin meet"{scale}>'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def drawing_extent(a: Airframe) -> float:
    """Widest horizontal extent of the drawing in metres (views and person), for shared scales."""
    widths = [0.0]
    for shapes in (top_shapes(a), side_shapes(a)):
        if shapes:
            x0, _, x1, _ = _extent(shapes)
            widths.append(x1 - x0 + _person_gap(a) + 0.6)
    return max(widths)


def _person_gap(a: Airframe) -> float:
    return max(2.0, 0.06 * (a.length or 0))


def shared_scale(airframes: list[Airframe], width_px: float, max_view_height_px: float | None = None) -> float | None:
    """Metres per unit so that the largest of these drawings fits width_px
    (and, if given, no view is taller than max_view_height_px)."""
    widest = max((drawing_extent(a) for a in airframes), default=0.0)
    if widest <= 0:
        return None
    mpp = widest / (width_px - 2 * MARGIN)
    if max_view_height_px:
        for a in airframes:
            for shapes in (top_shapes(a), side_shapes(a)):
                if shapes:
                    _, y0, _, y1 = _extent(shapes)
                    mpp = max(mpp, (y1 - y0) / max_view_height_px)
    return mpp


def aircraft_drawing(
    a: Airframe,
    *,
    width: float = 640,
    metres_per_px: float | None = None,
    system: str = units.METRIC,
    views: tuple[str, ...] = ("top", "side"),
    labels: bool = True,
    css_class: str = "drawing",
    decorative: bool = False,
) -> str:
    """Top and side views with a person for scale, as one SVG.

    metres_per_px fixes the scale (so several drawings compare); otherwise the
    drawing is scaled to fill `width`. labels=False leaves out the view
    captions and scale bar (for small drawings on cards; the text alternative
    still says everything).
    """
    label = _describe(a, system)
    notes = missing_figures(a) if labels else []  # small copies leave the words to their page
    mpp = metres_per_px or shared_scale([a], width, max_view_height_px=0.5 * width)
    top = top_shapes(a) if "top" in views else []
    side = side_shapes(a) if "side" in views else []
    body: list[str] = []
    y = MARGIN
    drawn_width = 0.0
    if mpp and (top or side):
        boxes = [_extent(s) for s in (top, side) if s]
        left = min(b[0] for b in boxes)
        person_x = max(b[2] for b in boxes) + _person_gap(a)
        person = person_shapes(person_x)
        ox = MARGIN - left / mpp  # both views share it: the same x in metres is the same x on the page
        drawn_width = (person_x + 0.6 - left) / mpp
        for name, shapes in (("top", top), ("side", side)):
            if not shapes:
                continue
            if labels:
                y += LINE - 4
                body.append(_text(MARGIN, y, "Top view" if name == "top" else "Side view", weight="600"))
                y += 8
            if name == "top":
                _, y0, _, y1 = _extent(shapes)
                region = max((y1 - y0) / mpp, PERSON_HEIGHT_M / mpp)
                frame = _Frame(ox, y + (region - (y1 - y0) / mpp) / 2 - y0 / mpp, mpp)
                ground = _Frame(ox, y + region, mpp, z_up=True)  # the person stands on the region's foot
                group = [_shape_svg(s, frame, INK, FILL) for s in shapes]
                group += [_shape_svg(s, ground, INK, FILL) for s in person]
            else:
                region = _extent(shapes + person)[3] / mpp
                frame = ground = _Frame(ox, y + region, mpp, z_up=True)
                group = [_shape_svg(s, frame, INK, FILL) for s in shapes + person]
                group.append(
                    f'<path d="M{_n(MARGIN)} {_n(frame.oy)} H{_n(MARGIN + drawn_width)}" stroke="{MUTED}"'
                    ' stroke-width="1" fill="none" data-part="ground"/>'
                )
            body.append(f'<g data-view="{name}">' + "".join(group) + "</g>")
            y += region + (VIEW_GAP if labels else 8)
        if labels:
            body.append(_scale_bar(MARGIN, y, mpp, max(drawn_width * 0.4, 40), system))
            y += LINE + 4
    for note in notes:
        y += LINE
        body.append(_text(MARGIN, y, note + "."))
    if notes:
        y += 8
    total_width = max(width if metres_per_px is None else 0, drawn_width + 2 * MARGIN, 300 if notes else 0)
    return _svg(total_width, y + MARGIN / 2, label, body, mpp, css_class, decorative)


def overlay(
    airframes: list[Airframe],
    *,
    width: float = 720,
    metres_per_px: float | None = None,
    system: str = units.METRIC,
) -> str:
    """Several aircraft's top views on one scale, noses and centrelines aligned (for compare).

    Each outline has its own colour and dash pattern, repeated in the legend,
    so no aircraft is told from another by colour alone.
    """
    drawn = [(i, a, top_shapes(a)) for i, a in enumerate(airframes)]
    with_shapes = [(i, a, s) for i, a, s in drawn if s]
    body: list[str] = []
    y = MARGIN
    mpp = metres_per_px
    if with_shapes:
        box = [_extent(s) for _, _, s in with_shapes]
        x0, y0 = min(b[0] for b in box), min(b[1] for b in box)
        x1, y1 = max(b[2] for b in box), max(b[3] for b in box)
        mpp = mpp or (x1 - x0) / (width - 2 * MARGIN)
        frame = _Frame(MARGIN - x0 / mpp, y - y0 / mpp, mpp)
        # Largest first, so smaller outlines are drawn on top and stay visible.
        for i, _a, shapes in sorted(with_shapes, key=lambda t: -(t[1].length or 0)):
            colour, dash = OVERLAY_STYLES[i % len(OVERLAY_STYLES)]
            parts = "".join(_shape_svg(s, frame, colour, "none", dash) for s in shapes if s.part != "hub")
            body.append(f'<g data-view="top" data-aircraft="{i}" fill-opacity="0.9">{parts}</g>')
        y += (y1 - y0) / mpp + 16
        body.append(_scale_bar(MARGIN, y, mpp, (width - 2 * MARGIN) * 0.4, system))
        y += 12
    for i, a, shapes in drawn:
        colour, dash = OVERLAY_STYLES[i % len(OVERLAY_STYLES)]
        y += LINE + 4
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<path d="M{MARGIN} {_n(y - 4)} H{MARGIN + 36}" stroke="{colour}" stroke-width="3"{dash_attr} fill="none"'
            f' data-part="legend"/>'
        )
        if shapes:
            facts = f"length {_length_text(a.length, system)}" if a.length else "length not in the catalogue yet"
            if a.wingspan and a.has_wing:
                facts += f", wingspan {_length_text(a.wingspan, system)}"
            if a.rotor_diameter and a.has_rotors:
                facts += f", rotor {_length_text(a.rotor_diameter, system)}"
        else:
            facts = "not drawn: length not in the catalogue yet"
        body.append(_text(MARGIN + 44, y, f"{a.name} ({facts})"))
    names = ", ".join(a.name for a in airframes)
    label = f"Top views of {names} overlaid on one scale, noses aligned. " + " ".join(
        _describe(a, system) for a in airframes
    )
    return _svg(width, y + MARGIN, label, body, mpp, "drawing drawing--overlay")
