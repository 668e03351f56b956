"""CSV imports that cannot silently erase or overwrite (django-import-export), for every resource in one place.

- **Blank means unchanged.** On a row for a record already on file, an empty cell leaves that field as it is: a
  spreadsheet that lost a column's contents (or never had them) must not erase what editors wrote. To empty a field
  on purpose, write the literal marker `[erase]` in its cell. On a new record, blank and `[erase]` both mean empty.
- **An update carries its version.** The export has a `version` column (the record's last save time, as the admin
  form's hidden version). A row that updates a record must bring the version it was exported at; a row without it,
  or with an older one (someone saved the record since), is refused with what changed and by whom — as the admin
  refuses a stale form. The version is claimed atomically when the row is saved (`common.admin.claim_version`).
- **The preview says what will be erased:** each update that empties a field lists those fields above the table.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportMixin

from common.admin import claim_version, describe_changes, version_of
from common.csvsafe import SafeExportMixin

ERASE = "[erase]"


def is_blank(value) -> bool:
    """An empty cell, or an empty value on file (no text, no date, an empty list)."""
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


class CarefulImportResource(SafeExportMixin, resources.ModelResource):
    """Base of every import resource: blank cells change nothing, `[erase]` empties, updates carry their version.

    Subclasses list "version" in `Meta.fields`."""

    version = fields.Field(column_name="version", attribute="updated_at", readonly=True)

    def dehydrate_version(self, instance) -> str:
        return version_of(instance)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.erased: dict[int, list[str]] = {}

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            return
        loaded = str(row.get("version") or "").strip()
        if not loaded:
            raise ValidationError({"version": [
                _("This row updates %(kind)s “%(record)s” (id %(id)s) but carries no `version`: export the records "
                  "again and edit that file, so that the import can tell whether someone changed them since.")
                % {"kind": instance._meta.verbose_name, "record": instance, "id": instance.pk}]})  # fmt: skip
        if loaded != version_of(instance):
            changed = describe_changes(instance, loaded)
            raise ValidationError({"version": [
                _("Someone saved %(kind)s “%(record)s” after this file was exported%(changes)s. This row was not "
                  "imported: export again and re-apply your change.")
                % {"kind": instance._meta.verbose_name, "record": instance,
                   "changes": f" — {changed}" if changed else ""}]})  # fmt: skip

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if not field.attribute or field.column_name not in row:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        value = row[field.column_name]
        if isinstance(value, str) and value.strip() == ERASE:
            if not instance._state.adding and not is_blank(field.get_value(instance) if not is_m2m else None):
                self.erased.setdefault(kwargs.get("row_number"), []).append(field.column_name)
            row = {**row, field.column_name: ""}
        elif is_blank(value) and not instance._state.adding:
            return None  # blank: unchanged
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:  # a save since the check above is refused: the conditional UPDATE claims the version
            claim_version(instance, str(row.get("version") or "").strip())
        super().save_instance(instance, is_create, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        row_result.erased = self.erased.get(kwargs.get("row_number"), [])


class CarefulImportMixin(ImportExportMixin):
    """The admin side: the preview lists, for each update, the fields it will erase."""

    import_template_name = "admin/import_export/careful_import.html"
