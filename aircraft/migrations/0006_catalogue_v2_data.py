"""Move each aircraft's figures from fixed columns into figures with a kind and a source.

The old record cited one source for everything, so every migrated figure cites
that source. A figure whose kind the old columns cannot tell is left out rather
than guessed: a speed in knots (at altitude or at sea level?), a range (typical,
ferry or combat radius?), a helicopter's length (fuselage or rotors turning?)
and the "introduced" year (first flight on some records, entry into service on
others). The catalogue fixture restores them from sources that say which.
Masses and ceilings converted from round imperial figures get those back (see
as_published), so no page shows a conversion artefact such as 840,001 lb.
"""

import re
from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

from aircraft import digest as digests

ROTORCRAFT = {"helicopter", "tiltrotor"}
ENGINES = re.compile(
    r"^(?:(\d+) × )?(.+?)(?: (turbofan|turbojet|turboprop|turboshaft|piston|electric|rocket|ramjet))?$"
)
EDITOR_PERMISSIONS = ["add_figure", "change_figure", "delete_figure", "view_figure"] + [
    f"{action}_aircraftsource" for action in ("add", "change", "delete", "view")
]


# Most old masses and ceilings were converted from round imperial figures
# (381,018 kg is 840,000 lb): shown as derived they would read 840,001 lb.
# A metric value that is not itself round but lands within conversion rounding
# of a round imperial one is restored to the imperial figure it came from.
RECOVERABLE = {"kg": ("lb", Decimal("0.45359237"), Decimal("1.2")), "m": ("ft", Decimal("0.3048"), Decimal("1.7"))}


def as_published(quantity: str, value: str, unit: str) -> tuple[str, str]:
    if unit not in RECOVERABLE or (unit == "m" and quantity != "service_ceiling"):
        return value, unit
    metric = Decimal(value)
    imperial_unit, factor, tolerance = RECOVERABLE[unit]
    imperial = metric / factor
    rounded = round(imperial, -2)
    if metric % 100 and rounded and abs(imperial - rounded) <= tolerance:
        return f"{int(rounded):,}", imperial_unit
    return value, unit


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _figures(plane) -> list[tuple[str, str, object, str]]:
    rotorcraft = plane.role in ROTORCRAFT
    rows = [
        ("height", "overall", plane.height_m, "m"),
        ("empty_weight", "empty", plane.empty_weight_kg, "kg"),
        ("max_takeoff_weight", "overall", plane.max_takeoff_weight_kg, "kg"),
        ("mach", "maximum", plane.max_speed_mach, "mach"),
        ("service_ceiling", "overall", plane.service_ceiling_m, "m"),
        ("crew", "overall", plane.crew, "count"),
    ]
    if rotorcraft:
        rows.append(("rotor_diameter", "main", plane.wingspan_m, "m"))
    else:
        rows += [("length", "overall", plane.length_m, "m"), ("wingspan", "overall", plane.wingspan_m, "m")]
    return [row for row in rows if row[2]]  # a crew of 0 (uncrewed) is what the role says


def forwards(apps, schema_editor):
    Aircraft = apps.get_model("aircraft", "Aircraft")
    Source = apps.get_model("aircraft", "AircraftSource")
    Figure = apps.get_model("aircraft", "Figure")
    for plane in Aircraft.objects.order_by("pk"):
        source = Source.objects.create(
            aircraft=plane,
            key="main",
            title=plane.source_name,
            publisher=plane.source_name.split(":")[0][:200],
            url=plane.source_url,
            kind=plane.source_kind,
            checked=plane.source_verified,
        )
        plain = {}
        for quantity, kind, raw, metric_unit in _figures(plane):
            value, unit = as_published(quantity, _text(raw), metric_unit)
            figure = digests.PlainFigure(quantity, kind, value, unit)
            metric = digests.quantities.parse(quantity, figure.value, unit).metric
            Figure.objects.create(
                aircraft=plane,
                quantity=quantity,
                kind=kind,
                value=figure.value,
                unit=unit,
                metric_value=metric,
                source=source,
            )
            plain[(quantity, kind)] = figure
        match = ENGINES.match(plane.engines or "")
        if plane.engines and match:
            plane.engine_count = int(match.group(1)) if match.group(1) else None
            plane.engine_model = match.group(2)[:120]
            plane.engine_type = match.group(3) or ""
            plane.powerplant_source = source
        for name, value in digests.digest(plain, None).items():
            setattr(plane, name, value)
        plane.save()

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Catalogue editors").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="aircraft", codename__in=EDITOR_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [("aircraft", "0005_catalogue_v2_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
