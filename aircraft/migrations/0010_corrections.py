"""Corrections from visitors (a review queue for editors), and the figures a source
says are not published. Catalogue editors may review corrections."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITORS = "Catalogue editors"
REVIEW = ["view_correction", "change_correction"]


def let_editors_review(apps, schema_editor):
    for app_config in apps.get_app_configs():  # permissions are normally made after migrations
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(*Permission.objects.filter(content_type__app_label="aircraft", codename__in=REVIEW))


def stop_editors_reviewing(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="aircraft", codename__in=REVIEW))


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0007_catalogue_v2_drop_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="aircraft",
            name="unpublished",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("length", "Length"),
                        ("wingspan", "Wingspan"),
                        ("rotor_diameter", "Rotor diameter"),
                        ("height", "Height"),
                        ("empty_weight", "Empty weight"),
                        ("max_takeoff_weight", "Max take-off weight"),
                        ("max_speed", "Maximum speed"),
                        ("mach", "Mach"),
                        ("cruise_speed", "Cruise speed"),
                        ("range", "Range"),
                        ("service_ceiling", "Service ceiling"),
                        ("thrust", "Thrust per engine"),
                        ("power", "Power per engine"),
                        ("crew", "Crew"),
                        ("passengers", "Passengers"),
                        ("payload", "Payload"),
                    ],
                    max_length=30,
                ),
                blank=True,
                default=list,
                help_text="Figures a source says are not published, e.g. service_ceiling for a classified ceiling. "
                "Say which source in the notes.",
                size=None,
            ),
        ),
        migrations.CreateModel(
            name="Correction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "quantity",
                    models.CharField(
                        choices=[
                            ("length", "Length"),
                            ("wingspan", "Wingspan"),
                            ("rotor_diameter", "Rotor diameter"),
                            ("height", "Height"),
                            ("empty_weight", "Empty weight"),
                            ("max_takeoff_weight", "Max take-off weight"),
                            ("max_speed", "Maximum speed"),
                            ("mach", "Mach"),
                            ("cruise_speed", "Cruise speed"),
                            ("range", "Range"),
                            ("service_ceiling", "Service ceiling"),
                            ("thrust", "Thrust per engine"),
                            ("power", "Power per engine"),
                            ("crew", "Crew"),
                            ("passengers", "Passengers"),
                            ("payload", "Payload"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("afterburner", "with afterburner"),
                            ("at-altitude", "at altitude"),
                            ("combat-radius", "combat radius"),
                            ("cruise", "cruise"),
                            ("dry", "dry"),
                            ("empty", "empty"),
                            ("ferry", "ferry"),
                            ("fuselage", "fuselage"),
                            ("main", "main rotor"),
                            ("maximum", "maximum"),
                            ("operating", "operating empty"),
                            ("overall", "crew"),
                            ("overall", "maximum"),
                            ("overall", "overall"),
                            ("overall", "service"),
                            ("rotors-turning", "rotors turning"),
                            ("sea-level", "at sea level"),
                            ("takeoff", "take-off"),
                            ("typical", "typical"),
                            ("wings-spread", "wings spread"),
                            ("wings-swept", "wings swept"),
                        ],
                        max_length=20,
                    ),
                ),
                ("value", models.CharField(help_text="As the source prints it, in its unit.", max_length=40)),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("m", "m"),
                            ("ft", "ft"),
                            ("kg", "kg"),
                            ("lb", "lb"),
                            ("km/h", "km/h"),
                            ("kn", "kn"),
                            ("mph", "mph"),
                            ("km", "km"),
                            ("nmi", "nmi"),
                            ("mi", "mi"),
                            ("kN", "kN"),
                            ("lbf", "lbf"),
                            ("kW", "kW"),
                            ("shp", "shp"),
                            ("hp", "hp"),
                            ("count", "count"),
                            ("mach", "mach"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "source_url",
                    models.URLField(
                        help_text="The page or document that gives this value.", max_length=500, verbose_name="source"
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=1000)),
                (
                    "source_title",
                    models.CharField(blank=True, help_text="Defaults to the figure and the site.", max_length=300),
                ),
                (
                    "source_publisher",
                    models.CharField(blank=True, help_text="Defaults to the site's name.", max_length=200),
                ),
                (
                    "source_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("military-fact-sheet", "Military fact sheet"),
                            ("manufacturer", "Manufacturer data"),
                            ("type-certificate", "Type certificate data sheet"),
                            ("airport-planning", "Airport planning document"),
                            ("museum", "Museum record"),
                            ("government", "Government publication"),
                            ("encyclopedia", "Encyclopedia article"),
                            ("dataset", "Public dataset"),
                            ("book", "Book"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Waiting for review"), ("accepted", "Accepted"), ("declined", "Declined")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("reviewed_by", models.CharField(blank=True, help_text="The editor's username.", max_length=150)),
                (
                    "aircraft",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="corrections", to="aircraft.aircraft"
                    ),
                ),
                (
                    "figure",
                    models.ForeignKey(
                        blank=True,
                        help_text="The figure it wrote.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="aircraft.figure",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["status", "-created_at"], name="correction_queue")],
            },
        ),
        migrations.RunPython(let_editors_review, stop_editors_reviewing),
    ]
