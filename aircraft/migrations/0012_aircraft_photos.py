"""Photos with credits, and the catalogue editors may add, change and remove them."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

GROUP = "Catalogue editors"
PERMISSIONS = ["add_aircraftphoto", "change_aircraftphoto", "delete_aircraftphoto", "view_aircraftphoto"]


def grant_editors(apps, schema_editor):
    # Permissions are normally created after migrations; the group needs them now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("aircraft")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="aircraft", codename__in=PERMISSIONS))


def revoke_editors(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP):
        group.permissions.remove(*Permission.objects.filter(codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0011_manufacturer_source_details"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="AircraftPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "image",
                    models.ImageField(
                        height_field="height",
                        help_text="JPEG, PNG or WebP. Smaller sizes and WebP copies are made when it is saved.",
                        upload_to="photos/",
                        validators=[django.core.validators.FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
                        width_field="width",
                    ),
                ),
                ("width", models.PositiveIntegerField(default=0, editable=False)),
                ("height", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "alt_text",
                    models.CharField(
                        help_text="What the photo shows, for people who cannot see it.",
                        max_length=300,
                        verbose_name="text alternative",
                    ),
                ),
                (
                    "caption",
                    models.CharField(blank=True, help_text="Optional: where and when it was taken.", max_length=300),
                ),
                (
                    "author",
                    models.CharField(help_text="The photographer or the body that holds the rights.", max_length=200),
                ),
                (
                    "licence",
                    models.CharField(
                        choices=[
                            ("public-domain", "Public domain"),
                            ("us-government", "Public domain (work of the U.S. federal government)"),
                            ("cc0-1.0", "CC0 1.0 (public domain dedication)"),
                            ("cc-by-2.0", "CC BY 2.0"),
                            ("cc-by-2.5", "CC BY 2.5"),
                            ("cc-by-3.0", "CC BY 3.0"),
                            ("cc-by-4.0", "CC BY 4.0"),
                            ("cc-by-sa-2.0", "CC BY-SA 2.0"),
                            ("cc-by-sa-2.5", "CC BY-SA 2.5"),
                            ("cc-by-sa-3.0", "CC BY-SA 3.0"),
                            ("cc-by-sa-4.0", "CC BY-SA 4.0"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "source_url",
                    models.URLField(
                        help_text="The page the photo and its licence were taken from.",
                        max_length=500,
                        verbose_name="source",
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Lower comes first; the first leads the page."
                    ),
                ),
                ("renditions", models.JSONField(blank=True, default=dict, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "aircraft",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="photos", to="aircraft.aircraft"
                    ),
                ),
            ],
            options={
                "ordering": ["aircraft", "position", "id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("author", ""), _negated=True), name="photo_has_author"),
                    models.CheckConstraint(
                        condition=models.Q(("source_url", ""), _negated=True), name="photo_has_source"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("licence", ""), _negated=True), name="photo_has_licence"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("alt_text", ""), _negated=True), name="photo_has_alt_text"
                    ),
                ],
            },
        ),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
