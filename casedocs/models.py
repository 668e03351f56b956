"""A published case stored whole, so a first visit is one indexed read (see `casedocs.services`)."""

from django.db import models


class CaseDocument(models.Model):
    """One person's API document and public case page, as built at `built_generation` on `built_on`.

    Database triggers on every table a case is made of (`casedocs.triggers`) set `stale` and move `generation` in
    the same transaction as the change, whatever wrote it: the admin, the API, an import, a bulk update, raw SQL.
    A document is served only while `built_generation == generation` and `stale` is false, and, when it counts the
    days of a custody still open (`daily`), only on the day it was built. The origin (scheme and host) is stored as
    `casedocs.services.ORIGIN` and put back per request.
    """

    detainee = models.OneToOneField(
        "detainees.Detainee", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )  # no constraint and no cascade: the triggers mark it, `build_case_documents --prune` removes leftovers
    generation = models.BigIntegerField(default=0)
    stale = models.BooleanField(default=True)
    built_generation = models.BigIntegerField(null=True)
    built_on = models.DateField(null=True)
    daily = models.BooleanField(default=True, help_text="Its day counts grow each day (someone still held).")
    api = models.TextField(blank=True)
    page = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["detainee"], condition=models.Q(stale=True), name="casedoc_stale_idx")]

    def __str__(self):
        return f"Stored case {self.detainee_id} (generation {self.generation})"
