"""The Editors group (common 0001) was given the permissions of the models of its day; give it those of the models
added since: Group, Official, ExchangeCount (add, change, delete, view)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_MODELS = [("detainees", "group"), ("sources", "official"), ("exchanges", "exchangecount")]


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
    for app_label, model in NEW_MODELS:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_editors_group"),
        ("exchanges", "0003_counts_and_group_sides"),
        ("detainees", "0010_groups_and_last_confirmed"),
        ("sources", "0004_officials_and_headline_flag"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
