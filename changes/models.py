"""The change feed's log (see `changes.apps`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """One event: a public record came into view or changed (`upsert`), or left the public view (`delete`).

    `seq` is the feed's total order, assigned only by the publisher while it holds the feed's lock, so an event never
    becomes visible with a `seq` lower than one a reader has already seen. `document` is the anonymous API
    representation that was published (empty for a delete), `digest` its hash: an event is appended only when the
    representation differs from the last one published for the record.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert", _("upsert")
        DELETE = "delete", _("delete")

    seq = models.BigAutoField(primary_key=True, help_text=_("The event's place in the feed's one total order."))
    resource = models.CharField(max_length=40, help_text=_("The API list the record belongs to, e.g. `detainees`."))
    object_id = models.BigIntegerField(help_text=_("The record's id in that list."))
    op = models.CharField(max_length=6, choices=Op.choices, help_text=_("`upsert` or `delete`."))
    at = models.DateTimeField(help_text=_("When the publisher appended the event."))
    document = models.JSONField(null=True, blank=True, help_text=_("The anonymous representation published (upserts)."))
    digest = models.CharField(max_length=64, blank=True, help_text=_("A hash of `document`; empty for a delete."))

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["resource", "object_id", "seq"], name="change_record_seq"),
            models.Index(fields=["resource", "seq"], name="change_resource_seq"),
            models.Index(fields=["op", "seq"], name="change_op_seq"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(op__in=["upsert", "delete"]), name="change_op_known"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.op} {self.resource}/{self.object_id}"
