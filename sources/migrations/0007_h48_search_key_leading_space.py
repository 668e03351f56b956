"""Every stored search key of an official begins with a space (`common.text.search_key`), so that a word start is one
`LIKE '% form%'`, as for detainees and groups (detainees 0023), not `LIKE 'form%' OR LIKE '% form%'`.

One UPDATE, not a save per row. The key is shown on no case document, no feed document and no facet, so the
triggers that mark those (casedocs, changes, facets) are dropped first: kept, they would mark the cases an official's
statements show on stale for nothing. They are put back after every migrate (`casedocs.triggers.install_after_migrate`
and the feed's and the facets' own receivers).
"""

from django.db import migrations

TABLES = ["sources_official"]


def drop_triggers(apps, schema_editor):
    from casedocs import triggers

    triggers.drop_for_migration(apps, schema_editor)  # the feed's and the facets' too


def install_triggers(apps, schema_editor):
    from casedocs import triggers

    triggers.install_after_migrate(None, using=schema_editor.connection.alias)


def add_space(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"UPDATE {table} SET search_key = ' ' || search_key WHERE search_key <> '' AND search_key NOT LIKE %s",
                [" %"],
            )


def remove_space(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"UPDATE {table} SET search_key = substr(search_key, 2) WHERE search_key LIKE %s", [" %"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_h12_summary_ru_official_description_ru")]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.RunPython(add_space, remove_space),
        migrations.RunPython(install_triggers, drop_triggers),  # backwards: gone before the UPDATE
    ]
