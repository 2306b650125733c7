"""The "Catalogue editors" group: may add and change aircraft and manufacturers,
but not users, groups or deletions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalogue editors"
PERMISSIONS = [
    "add_aircraft",
    "change_aircraft",
    "view_aircraft",
    "add_manufacturer",
    "change_manufacturer",
    "view_manufacturer",
    "view_cataloguerelease",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="aircraft", codename__in=PERMISSIONS))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aircraft", "0002_search_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
