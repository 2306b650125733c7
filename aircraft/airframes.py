"""An aircraft as the drawing code sees it: dimensions in metres and layout.

Read from the digest the services keep (sizes and inherited layout), so a card
or a chart of the whole catalogue builds its drawings without touching figures.
"""

from __future__ import annotations

from .configuration import RotorLayout
from .drawings import Airframe
from .models import Aircraft

ROTORCRAFT = {RotorLayout.SINGLE, RotorLayout.TANDEM, RotorLayout.COAXIAL, RotorLayout.INTERMESHING}


def airframe(plane: Aircraft) -> Airframe:
    digest = plane.digest or {}
    sizes = digest.get("sizes", {})
    layout = digest.get("layout") or {}
    rotor = layout.get("rotor_layout") or ""
    if rotor in ROTORCRAFT:
        # The fuselage, not the rotors turning: the discs are drawn from their own diameter.
        length = sizes.get("length:fuselage") or sizes.get("length:overall")
    else:
        length = sizes.get("length:overall") or sizes.get("length:fuselage")
    return Airframe(
        name=plane.display_name,
        length=length,
        wingspan=sizes.get("wingspan:overall") or sizes.get("wingspan:wings-spread"),
        height=sizes.get("height:overall"),
        rotor_diameter=sizes.get("rotor_diameter:main"),
        wing_planform=layout.get("wing_planform") or "",
        engine_placement=layout.get("engine_placement") or "",
        engine_count=layout.get("engine_count"),
        tail_layout=layout.get("tail_layout") or "",
        rotor_layout=rotor,
    )
