"""The Editors group (common 0001) holds the permissions of the case models of its day; give it those of
MergedDetainee (add, change, delete, view), as exchanges 0004 did for the models added then."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="detainees", content_type__model="mergeddetainee")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_editors_group"),
        ("detainees", "0015_h9_merged_detainee"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
