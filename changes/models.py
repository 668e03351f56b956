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


class Mark(models.Model):
    """"This public record may have changed": appended by the database triggers of `changes.triggers` in the same
    transaction as the write, whatever wrote it; consumed (deleted) by the publisher that rendered the record after
    reading the mark. A resource written `+detainees` or `+exchanges` also asks for everything whose visibility
    hangs on that record (its detentions, charges, participations, the statements and claims about it...)."""

    id = models.BigAutoField(primary_key=True)
    resource = models.CharField(max_length=41,
                                help_text=_("The API list of the record, `+` when its visibility moved."))
    object_id = models.BigIntegerField(help_text=_("The record's id."))

    class Meta:
        indexes = [models.Index(fields=["resource", "object_id"], name="change_mark_record")]

    def __str__(self):
        return f"Mark {self.pk} on {self.resource}/{self.object_id}"


class Published(models.Model):
    """The last event of each record ever published: what the feed last said about it. The publisher compares a
    fresh rendering's hash with `digest` here; `/api/v1/deletions/`, Last-Modified and the dump read it too."""

    resource = models.CharField(max_length=40, help_text=_("The API list the record belongs to."))
    object_id = models.BigIntegerField(help_text=_("The record's id in that list."))
    seq = models.BigIntegerField(help_text=_("The seq of the record's last event."))
    op = models.CharField(max_length=6, choices=Change.Op.choices, help_text=_("The op of that event."))
    at = models.DateTimeField(help_text=_("When that event was appended."))
    previous_at = models.DateTimeField(null=True, blank=True, help_text=_("When the event before it was appended."))
    digest = models.CharField(max_length=64, blank=True, help_text=_("The hash of the document last published."))
    reason = models.CharField(max_length=12, blank=True,
                              help_text=_("For a delete: `deleted`, or `unpublished` "
                                          "(still on file, no longer public)."))

    class Meta:
        verbose_name = _("published record")  # not Django's "published", "publisheds"
        verbose_name_plural = _("published records")
        constraints = [models.UniqueConstraint(fields=["resource", "object_id"], name="published_one_per_record")]
        indexes = [models.Index(fields=["op", "resource", "seq"], name="published_op_seq")]

    def __str__(self):
        return f"{self.resource}/{self.object_id} at #{self.seq}"


class Release(models.Model):
    """A dated version of the whole public dataset: a dump at `seq`, and the delta from the release before it."""

    name = models.CharField(max_length=40, unique=True, help_text=_("The release's name: its date, then a number."))
    seq = models.BigIntegerField(help_text=_("The feed's seq the release was taken at: every event up to it is in."))
    created_at = models.DateTimeField(help_text=_("When the release was made."))
    dump = models.CharField(max_length=200, help_text=_("The dump file's name, in DUMP_DIR."))
    dump_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the dump file as stored (gzip)."))
    dump_bytes = models.BigIntegerField(help_text=_("The dump file's size."))
    delta = models.CharField(max_length=200, blank=True, help_text=_("The delta file's name (empty for the first)."))
    delta_sha256 = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the delta file (gzip)."))
    delta_bytes = models.BigIntegerField(default=0, help_text=_("The delta file's size."))
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("The release the delta starts from."))  # fmt: skip
    added = models.IntegerField(default=0, help_text=_("Records added since the previous release."))
    changed = models.IntegerField(default=0, help_text=_("Records changed since the previous release."))
    deleted = models.IntegerField(default=0, help_text=_("Records deleted since the previous release."))

    class Meta:
        ordering = ["-seq", "-id"]

    def __str__(self):
        return f"Release {self.name} at #{self.seq}"
