"""A published case stored whole, so a first visit is one indexed read (see `casedocs.services`)."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class CaseDocument(models.Model):
    """One person's API document and public case page, as built on `built_on`.

    Database triggers on every table a case is made of (`casedocs.triggers`) add a `CaseMark` for the person in the
    same transaction as the change, whatever wrote it: the admin, the API, an import, a bulk update, raw SQL. A
    document is served only while no mark of its person is left (the build that stored it removed the marks it had
    seen before reading the records). Nothing stored changes with the date: the day count of a custody still open
    (`daily`) and the page's "accessed" date are filled in when served. The page is empty until first asked for
    (an API read builds the API document alone). `version` moves with each build stored, so of two builds racing only
    the one that read the document first may store it. The origin (scheme and host) is stored as
    `casedocs.services.ORIGIN` and put back per request.
    """

    detainee = models.OneToOneField(
        "detainees.Detainee", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )  # no constraint and no cascade: the triggers mark it, `build_case_documents --prune` removes leftovers
    version = models.BigIntegerField(default=0, help_text=_("Moves with each build stored (builders only)."))
    built_on = models.DateField(null=True, help_text=_("When it was built; empty until the first build."))
    built_with = models.CharField(
        max_length=16, blank=True, default="", db_default="",  # rows are claimed by raw INSERTs (services)
        help_text=_("The code it was built with (casedocs.buildkey): served only by that code."),
    )  # fmt: skip
    daily = models.BooleanField(default=True, help_text=_("Its day counts grow each day (someone still held)."))
    api = models.TextField(blank=True, help_text=_("The API document, for ORIGIN."))
    page = models.TextField(blank=True, help_text=_("The anonymous case page, for ORIGIN."))

    def __str__(self):
        return f"Stored case {self.detainee_id} (version {self.version})"


class CaseMark(models.Model):
    """ "Something shown on this person's case changed": appended by the triggers, removed by the build that saw it.

    Append-only for writers: a write adds rows and never waits for another write's lock on a shared row (the
    stored documents used to carry the mark themselves, and writers citing one source deadlocked on them).
    """

    id = models.BigAutoField(primary_key=True)
    detainee_id = models.BigIntegerField(null=True, help_text=_("The person whose stored documents are out of date."))

    class Meta:
        indexes = [models.Index(fields=["detainee_id"], name="casemark_person_idx")]

    def __str__(self):
        return f"Mark {self.pk} on person {self.detainee_id}"


class CensusMark(models.Model):
    """"Something the census counts changed for this person": appended by the same triggers as `CaseMark`
    (`casedocs.triggers`), in the same transaction as the change, whatever wrote it. Read, never removed, by the
    census store (`casedocs.census_store`), which patches its stored figures with the people marked since they were
    read; `build_census` prunes the marks no stored figure needs any more."""

    id = models.BigAutoField(primary_key=True)
    detainee_id = models.BigIntegerField(null=True, help_text=_("The person whose census entries may have changed."))
    at = models.DateTimeField(db_default=Now(), help_text=_("When the change was written (the database's clock)."))

    class Meta:
        indexes = [models.Index(fields=["at"], name="censusmark_at_idx")]

    def __str__(self):
        return f"Census mark {self.pk} on person {self.detainee_id}"


class StoredCensus(models.Model):
    """The census of one day (or the 1 December series), person by person, as read at `read_at`: built outside
    requests by `build_census`; a request reads it and patches in the people marked since (see
    `casedocs.census_store`)."""

    key = models.CharField(max_length=20, primary_key=True, help_text=_('"2024-12-01", or "december" for the series.'))
    entries = models.TextField(help_text=_("The figures' entries, as JSON (detainees.census.census_entries)."))
    read_at = models.DateTimeField(help_text=_("When the build began reading the records."))
    built_in = models.FloatField(default=0, help_text=_("Seconds the build took."))

    class Meta:
        verbose_name = _("stored census")
        verbose_name_plural = _("stored censuses")  # not Django's "censuss"

    def __str__(self):
        return f"Stored census {self.key} (read at {self.read_at:%Y-%m-%d %H:%M:%S})"
