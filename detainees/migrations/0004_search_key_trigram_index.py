"""On PostgreSQL, a trigram GIN index makes `search_key LIKE '%word%'` an index scan.

SQLite has no trigram index; the same query runs there as a scan, which is the embedded fallback.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS detainee_search_key_trgm ON detainees_detainee USING gin (search_key gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS detainee_search_key_trgm"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("detainees", "0003_charge_charged_on")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
