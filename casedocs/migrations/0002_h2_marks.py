"""Stale marks move to an append-only table (issue 22: writers deadlocked on the documents' rows)."""

from django.db import migrations, models

from casedocs.triggers import drop_for_migration, install_for_migration


def noop(apps, schema_editor):
    pass


class Migration(migrations.Migration):

    dependencies = [
        ("casedocs", "0001_initial"),
        ("detainees", "0013_status_name_index"),
    ]

    operations = [
        migrations.RunPython(drop_for_migration, noop),  # the old triggers name the columns removed here
        migrations.CreateModel(
            name="CaseMark",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("detainee_id", models.BigIntegerField(
                    help_text="The person whose stored documents are out of date.", null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["detainee_id"], name="casemark_person_idx")],
            },
        ),
        # A document the old columns called stale is built again; those current stay current (no marks yet).
        migrations.RunSQL(
            "UPDATE casedocs_casedocument SET built_on = NULL "
            "WHERE stale OR built_generation IS NULL OR built_generation <> generation",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveIndex(model_name="casedocument", name="casedoc_stale_idx"),
        migrations.RemoveField(model_name="casedocument", name="generation"),
        migrations.RemoveField(model_name="casedocument", name="stale"),
        migrations.RemoveField(model_name="casedocument", name="built_generation"),
        migrations.AddField(
            model_name="casedocument",
            name="version",
            field=models.BigIntegerField(default=0, help_text="Moves with each build stored (builders only)."),
        ),
        migrations.AlterField(
            model_name="casedocument",
            name="built_on",
            field=models.DateField(help_text="When it was built; empty until the first build.", null=True),
        ),
        migrations.AlterField(
            model_name="casedocument", name="api", field=models.TextField(blank=True, help_text="The API document, for ORIGIN."),
        ),
        migrations.AlterField(
            model_name="casedocument", name="page",
            field=models.TextField(blank=True, help_text="The anonymous case page, for ORIGIN."),
        ),
        migrations.RunPython(install_for_migration, drop_for_migration),
    ]
