# The list's default order ends in id (common.api.stable_order): with id in the index, a page's ids are read off the
# index alone (an index-only scan), not fetched row by row and sorted again by id (h65).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("detainees", "0025_h48_search_key_leading_space"),
        ("sources", "0007_h48_search_key_leading_space"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="detainee",
            index=models.Index(fields=["is_published", "name", "id"], name="detainee_published_name_id_idx"),
        ),
        migrations.RemoveIndex(model_name="detainee", name="detainee_published_name_idx"),
    ]
