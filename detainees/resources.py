"""CSV import of detainees through the admin (django-import-export): preview, per-row errors, drafts only."""

from import_export import fields, widgets

from common.csvimport import CarefulImportResource

from .models import Detainee
from .services import likely_duplicates


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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.created_here: list[int] = []  # records this import (or its dry run, the preview) inserted

    def after_import_row(self, row, row_result, **kwargs):
        """A new person resembling someone on file is listed in the preview (the same matcher as the admin form)."""
        super().after_import_row(row, row_result, **kwargs)
        row_result.duplicates = []
        if row_result.import_type != row_result.IMPORT_TYPE_NEW or not row_result.object_id:
            return
        self.created_here.append(row_result.object_id)
        person = Detainee.objects.filter(pk=row_result.object_id).first()
        if person is not None:
            row_result.duplicates = likely_duplicates(
                name=person.name,
                name_original=person.name_original,
                aliases=person.aliases,
                born_on=person.born_on,
                born_on_precision=person.born_on_precision,
                citizenships=person.citizenships,
                exclude_pks=self.created_here,
            )

    def dehydrate_citizenships(self, detainee):
        return "|".join(c.code for c in detainee.citizenships)
