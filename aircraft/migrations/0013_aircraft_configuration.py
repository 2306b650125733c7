"""The layout fields the to-scale drawing needs, and the drawing's sizes and
layout in every aircraft's digest (load_aircraft fills the layout from the
fixture; until then the drawing says what it lacks)."""

from django.db import migrations, models

from aircraft import digest as digests

FIELDS = ("engine_count", "wing_planform", "engine_placement", "tail_layout", "rotor_layout")


def fill_digests(apps, schema_editor):
    Aircraft = apps.get_model("aircraft", "Aircraft")
    Figure = apps.get_model("aircraft", "Figure")
    planes = {plane.pk: plane for plane in Aircraft.objects.all()}
    figures: dict[int, list] = {}
    for figure in Figure.objects.order_by("pk"):
        figures.setdefault(figure.aircraft_id, []).append(figure)
    for plane in planes.values():
        lineage, current, seen = [], plane, set()
        while current is not None and current.pk not in seen and len(lineage) < 6:
            lineage.append(current)
            seen.add(current.pk)
            current = planes.get(current.variant_of_id)
        effective = {}
        for member in lineage:
            for f in figures.get(member.pk, []):
                effective.setdefault((f.quantity, f.kind), digests.PlainFigure(f.quantity, f.kind, f.value, f.unit))
        layout = {}
        for name in FIELDS:
            layout[name] = next((getattr(m, name) for m in lineage if getattr(m, name) not in (None, "")), None)
        plane.digest = {**(plane.digest or {}), "sizes": digests.sizes(effective), "layout": layout}
    Aircraft.objects.bulk_update(planes.values(), ["digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0012_aircraft_photos"),
    ]

    operations = [
        migrations.AddField(
            model_name="aircraft",
            name="engine_placement",
            field=models.CharField(
                blank=True,
                choices=[
                    ("underwing", "Pods under the wing"),
                    ("wing-nacelles", "Nacelles on the wing (propellers)"),
                    ("wing-buried", "Buried in the wing"),
                    ("fuselage", "In the fuselage"),
                    ("rear-fuselage", "Pods on the rear fuselage"),
                    ("above-fuselage", "Pod above the rear fuselage"),
                    ("nose", "In the nose (tractor propeller)"),
                    ("pusher", "At the tail (pusher propeller)"),
                    ("wingtip", "At the wingtips (tilting nacelles)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="aircraft",
            name="rotor_layout",
            field=models.CharField(
                blank=True,
                choices=[
                    ("none", "No rotor"),
                    ("single", "Single main rotor"),
                    ("tandem", "Tandem rotors"),
                    ("coaxial", "Coaxial rotors"),
                    ("tiltrotor", "Tiltrotor"),
                    ("intermeshing", "Intermeshing rotors"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="aircraft",
            name="tail_layout",
            field=models.CharField(
                blank=True,
                choices=[
                    ("conventional", "Conventional (low tailplane, one fin)"),
                    ("t-tail", "T-tail"),
                    ("cruciform", "Cruciform"),
                    ("twin-fin", "Twin fins"),
                    ("h-tail", "H-tail (fins at the tailplane tips)"),
                    ("twin-boom", "Twin booms"),
                    ("v-tail", "V-tail"),
                    ("canard", "Canard foreplane, one fin"),
                    ("tailless", "Tailless (one fin, no tailplane)"),
                    ("none", "No tail surfaces"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="aircraft",
            name="wing_planform",
            field=models.CharField(
                blank=True,
                choices=[
                    ("straight", "Straight wing"),
                    ("swept", "Swept wing"),
                    ("delta", "Delta wing"),
                    ("flying-wing", "Flying wing"),
                    ("swing-wing", "Variable-sweep (swing) wing"),
                    ("biplane", "Biplane"),
                    ("none", "No wing (rotorcraft)"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
