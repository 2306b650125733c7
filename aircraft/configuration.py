"""The few facts about an aircraft's layout that its drawing needs.

Choices only: the Aircraft fields that use them (wing_planform, engine_placement,
tail_layout, rotor_layout, each blank when not yet recorded) live in models.py.
aircraft.drawings reads the values, so adding a choice here means teaching the
drawing to draw it (tests/aircraft/test_drawings.py draws every choice).
"""

from django.db import models


class WingPlanform(models.TextChoices):
    STRAIGHT = "straight", "Straight wing"
    SWEPT = "swept", "Swept wing"
    DELTA = "delta", "Delta wing"
    FLYING_WING = "flying-wing", "Flying wing"
    SWING_WING = "swing-wing", "Variable-sweep (swing) wing"
    BIPLANE = "biplane", "Biplane"
    TRIPLANE = "triplane", "Triplane"
    NONE = "none", "No wing (rotorcraft)"


class EnginePlacement(models.TextChoices):
    UNDERWING = "underwing", "Pods under the wing"
    WING_NACELLES = "wing-nacelles", "Nacelles on the wing (propellers)"
    WING_BURIED = "wing-buried", "Buried in the wing"
    FUSELAGE = "fuselage", "In the fuselage"
    REAR_FUSELAGE = "rear-fuselage", "Pods on the rear fuselage"
    ABOVE_FUSELAGE = "above-fuselage", "Pod above the rear fuselage"
    NOSE = "nose", "In the nose (tractor propeller)"
    PUSHER = "pusher", "At the tail (pusher propeller)"
    WINGTIP = "wingtip", "At the wingtips (tilting nacelles)"
    WING_AND_TAIL = "wing-and-tail", "Under the wing and in the tail"
    WING_AND_NOSE = "wing-and-nose", "On the wing and in the nose"


class TailLayout(models.TextChoices):
    CONVENTIONAL = "conventional", "Conventional (low tailplane, one fin)"
    T_TAIL = "t-tail", "T-tail"
    CRUCIFORM = "cruciform", "Cruciform"
    TWIN_FIN = "twin-fin", "Twin fins"
    TRIPLE_FIN = "triple-fin", "Three fins"
    H_TAIL = "h-tail", "H-tail (fins at the tailplane tips)"
    TWIN_BOOM = "twin-boom", "Twin booms"
    V_TAIL = "v-tail", "V-tail"
    CANARD = "canard", "Canard foreplane, one fin"
    CANARD_TAILPLANE = "canard-tailplane", "Canard foreplane and tailplane"
    TAILLESS = "tailless", "Tailless (one fin, no tailplane)"
    NONE = "none", "No tail surfaces"


class RotorLayout(models.TextChoices):
    NONE = "none", "No rotor"
    SINGLE = "single", "Single main rotor"
    TANDEM = "tandem", "Tandem rotors"
    COAXIAL = "coaxial", "Coaxial rotors"
    TILTROTOR = "tiltrotor", "Tiltrotor"
    INTERMESHING = "intermeshing", "Intermeshing rotors"


# Placements that name where the odd engine goes: one on the centreline there, the rest in pairs on the wing.
CENTRE_ENGINE = {EnginePlacement.WING_AND_TAIL: "tail", EnginePlacement.WING_AND_NOSE: "nose"}


def engine_count_fits(placement: str, count: int | None) -> bool:
    """False when the placement names a split the engine count cannot make: wing-and-tail
    and wing-and-nose need an odd count of three or more (a DC-10's or a Ju 52's three)."""
    if placement not in CENTRE_ENGINE or not count:
        return True
    return count >= 3 and count % 2 == 1


def engine_misfit(placement: str, count: int | None) -> str:
    """Why the count cannot take that placement ("cannot be under the wing and in the tail
    (...)"), or "" when it can: the audit and the drawing say it in the same words."""
    if engine_count_fits(placement, count):
        return ""
    where = EnginePlacement(placement).label.lower()
    return f"cannot be {where} (one on the centreline, the rest in pairs)"
