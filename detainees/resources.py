"""CSV import of detainees through the admin (django-import-export): preview, per-row errors, drafts only."""

from import_export import fields, widgets

from common.csvimport import CarefulImportResource

from .models import Detainee


class DetaineeResource(CarefulImportResource):
    """Columns: name, name_original, aliases and citizenships (several joined by "|"), born_on (YYYY-MM-DD),
    born_on_precision, description, wikidata_id; `id` and `version` (as exported) to update a record on file, where
    a blank cell leaves the field as it is and `[erase]` empties it (common.csvimport). Every row is validated as
    the admin validates it, and a new person lands as a draft for an editor to check and publish."""

    aliases = fields.Field(attribute="aliases", column_name="aliases", widget=widgets.SimpleArrayWidget("|"))
    citizenships = fields.Field(
        attribute="citizenships", column_name="citizenships", widget=widgets.SimpleArrayWidget("|")
    )

    class Meta:
        model = Detainee
        fields = ["id", "name", "name_original", "aliases", "citizenships", "born_on", "born_on_precision",
                  "description", "wikidata_id", "version"]  # fmt: skip
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.is_published = False
        instance._change_reason = "Imported from CSV"

    def dehydrate_citizenships(self, detainee):
        return "|".join(c.code for c in detainee.citizenships)
