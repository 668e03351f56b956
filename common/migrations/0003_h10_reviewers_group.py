"""Create the "Reviewers" group: the second editors, who approve publications and check changes (common.review).

Existing published cases need nothing: their review state is derived from `is_published` (published), and no case
awaits review before this migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from common.editors import make_reviewers_group


def create_reviewers(apps, schema_editor):
    app_config = apps.get_app_config("common")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    make_reviewers_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0002_h10_review_queue")]

    operations = [migrations.RunPython(create_reviewers, remove_reviewers)]
