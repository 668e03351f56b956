from django.db import models
from django.utils.translation import gettext_lazy as _


class LoadedRecord(models.Model):
    """Which record of a shipped dataset document (`demo`: dataset/demo.json, `starter`: dataset/starter.json) a load
    put into which row of this database. The next load finds the record by this first, and by its natural key only
    when it never loaded it, so a record whose natural key changed between releases (a custody's start date found
    later) is the same record, not a second one. Not part of the dataset: exports leave it out, and a restored
    database starts without it (its next load matches by natural key, as before)."""

    document = models.CharField(_("document"), max_length=40)
    label = models.CharField(_("record type"), max_length=100)
    document_id = models.BigIntegerField(_("id in the document"))
    object_id = models.BigIntegerField(_("id in this database"))

    class Meta:
        verbose_name = _("loaded dataset record")
        verbose_name_plural = _("loaded dataset records")
        constraints = [
            models.UniqueConstraint(fields=["document", "label", "document_id"], name="dataset_loaded_record_once")
        ]

    def __str__(self):
        return f"{self.document} {self.label} {self.document_id} → {self.object_id}"
