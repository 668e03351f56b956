"""CSV import of sources through the admin (django-import-export)."""

from import_export import fields, widgets

from common.csvimport import CarefulImportResource

from .models import Outlet, Source


class SourceResource(CarefulImportResource):
    """Columns: title, url, outlet (its name, as on file), published_on, published_on_precision, author, language,
    summary, archive_url, version. A row whose url is on file updates that source: it must carry the `version` it
    was exported at, a blank cell leaves the field as it is and `[erase]` empties it (common.csvimport)."""

    outlet = fields.Field(attribute="outlet", column_name="outlet", widget=widgets.ForeignKeyWidget(Outlet, "name"))

    class Meta:
        model = Source
        fields = ["title", "url", "outlet", "published_on", "published_on_precision", "author", "language", "summary",
                  "archive_url", "version"]  # fmt: skip
        import_id_fields = ["url"]
        clean_model_instances = True
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = "Imported from CSV"
