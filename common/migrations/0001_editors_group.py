"""Create the "Editors" group: full rights on the case records, none on users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from common.editors import make_editors_group


def create_editors(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    make_editors_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("detainees", "0002_initial"),
        ("exchanges", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
