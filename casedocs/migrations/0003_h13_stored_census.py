"""The census stored outside requests (issue 24): its marks, written by the case triggers, and its stored days."""

import django.db.models.functions.datetime
from django.db import migrations, models

from casedocs.triggers import install_for_migration, install_without_census_for_migration


class Migration(migrations.Migration):

    dependencies = [
        ('casedocs', '0002_h2_marks'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoredCensus',
            fields=[
                ('key', models.CharField(help_text='"2024-12-01", or "december" for the series.', max_length=20, primary_key=True, serialize=False)),
                ('entries', models.TextField(help_text="The figures' entries, as JSON (detainees.census.census_entries).")),
                ('read_at', models.DateTimeField(help_text='When the build began reading the records.')),
                ('built_in', models.FloatField(default=0, help_text='Seconds the build took.')),
            ],
        ),
        migrations.CreateModel(
            name='CensusMark',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('detainee_id', models.BigIntegerField(help_text='The person whose census entries may have changed.', null=True)),
                ('at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), help_text="When the change was written (the database's clock).")),
            ],
            options={
                'indexes': [models.Index(fields=['at'], name='censusmark_at_idx')],
            },
        ),
        # The triggers mark the census too, now that its table exists (and stop before it goes, going back).
        migrations.RunPython(install_for_migration, install_without_census_for_migration),
    ]
