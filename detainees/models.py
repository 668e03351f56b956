"""Detainees and their custody: detentions, transfers, charges, sentences, designations."""

import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_countries.fields import CountryField

from common.currencies import CurrencyValidator
from common.fastpaths import url as fast_url
from common.history import HistoricalRecords
from common.models import (
    PartialDatesMixin,
    PublishedQuerySet,
    ReviewedModel,
    TimeStampedModel,
    UniqueSlugMixin,
    certain_days,
    certain_start,
    certainly_before,
    check_order,
    format_partial_date,
    precision_constraint,
    precision_field,
    raise_if,
    review_constraint,
)
from common.text import prefix_forms, russian_sort_key, search_key, search_words, word_start


def sources_field(what: str) -> models.ManyToManyField:
    """The citations of a record: the sources that support it."""
    return models.ManyToManyField(
        "sources.Source",
        blank=True,
        related_name=f"cited_{what}",
        help_text=_("Sources that support this record. Every published fact needs at least one."),
    )


class GroupKind(models.TextChoices):
    ARMED_GROUP = "armed_group", _("Armed group")
    MILITIA = "militia", _("Militia")
    TERRORIST_ORGANISATION = "terrorist_organisation", _("Terrorist organisation")
    CRIMINAL_ORGANISATION = "criminal_organisation", _("Criminal organisation")
    DE_FACTO_AUTHORITY = "de_facto_authority", _("De facto authority")
    OTHER = "other", _("Other")


class NamedQuerySet(models.QuerySet):
    def search(self, query: str):
        """Every word of `query` must begin a word of a name, original-script name or alias, in any spelling."""
        qs = self
        for word in search_words(query):
            qs = qs.filter(word_start("search_key", word))
        return qs


class Group(UniqueSlugMixin, TimeStampedModel):
    """A non-state captor, or a party to an exchange that is not a state: an armed group, a militia, a gang.

    A public record (no draft state). Wherever a country says who holds, releases or receives someone, a group may
    stand instead.
    """

    Kind = GroupKind

    name = models.CharField(max_length=200, unique=True, help_text=_('Name as most sources write it, e.g. "Hamas".'))
    slug = models.SlugField(
        max_length=90, unique=True, editable=False, help_text=_("Address of the group's page; set once from the name.")
    )
    name_original = models.CharField(max_length=200, blank=True, help_text=_('Name in the original script: "حماس".'))
    aliases = models.JSONField(default=list, blank=True, help_text=_("Other names and spellings, as a list."))
    kind = models.CharField(
        max_length=30, choices=Kind.choices, default=Kind.OTHER, db_index=True, help_text=_("What sort of group.")
    )
    country = CountryField(blank=True, db_index=True, help_text=_("Country where it mainly operates."))
    description = models.TextField(blank=True, help_text=_("Who they are, in the editor's words."))
    description_ru = models.TextField(
        blank=True,
        verbose_name=_("description in Russian"),
        help_text=_(
            "The same in Russian, for Russian pages (/ru/); empty shows the English one, marked not yet translated."
        ),
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q123456.")],
        help_text=_("Wikidata item, e.g. Q38799."),
    )
    search_key = models.TextField(editable=False, default="", help_text=_("Folded names for search; derived."))

    objects = NamedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="group_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return fast_url("groups:group-detail", args=[self.slug])

    def clean(self):
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a.strip() for a in self.aliases):
            raise ValidationError({"aliases": [_("Aliases must be a list of non-empty names.")]})
        self.aliases = [a.strip() for a in self.aliases]

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name, self.name_original, *(self.aliases or []))
        super().save(*args, **kwargs)


def captor_name(country, group, unknown: str = "an unknown captor") -> str:
    """Who holds, releases or receives: the group's name, the country's name, or `unknown`."""
    if group is not None:
        return group.name
    code = getattr(country, "code", country) or ""
    from django_countries import countries

    return countries.name(code) or code or unknown


class CustodyOnFile(models.TextChoices):
    """Whether any custody (detention) of a person is on file: many people are known only from an exchange."""

    NONE = "none", _("No custody on file")
    ON_FILE = "on_file", _("Custody on file")


class Status(models.TextChoices):
    """A detainee's situation, derived from their latest detention."""

    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    EXCHANGED = "exchanged", _("Exchanged")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


def current_status_of(detention_ref):
    """The status and holder a detention gives its detainee, as SQL: the one place the rule is written.

    `detention_ref` names the detention (e.g. `OuterRef("latest_detention")`); the expressions are evaluated on
    that detention's row.
    """
    status = Case(
        When(end_reason=EndReason.EXCHANGED, then=Value(Status.EXCHANGED)),
        When(end_reason=EndReason.DIED_IN_CUSTODY, then=Value(Status.DECEASED)),
        When(Q(end_reason="") & Q(released_on__isnull=True), then=Value(Status.HELD)),
        # Handed to another state whose custody is not on file yet: still in custody, holder unknown.
        When(end_reason__in=TRANSFER_REASONS, then=Value(Status.HELD)),
        default=Value(Status.RELEASED),
        output_field=models.CharField(),
    )
    held_by = Case(
        When(Q(end_reason="") & Q(released_on__isnull=True), then=F("held_by")),
        default=Value(""),
        output_field=models.CharField(),
    )
    held_by_group = Case(
        When(Q(end_reason="") & Q(released_on__isnull=True), then=F("held_by_group")),
        default=Value(None),
        output_field=models.BigIntegerField(),
    )
    return Detention.objects.filter(pk=detention_ref).annotate(
        derived_status=status, derived_held_by=held_by, derived_held_by_group=held_by_group
    )


def status_without_custody():
    """The status of a person with no detention on file, as SQL on the detainee's row: exchanged when they took
    part in a published, completed exchange (the 24 of Ankara were all in custody, whatever else is on file),
    unknown otherwise. A draft exchange changes no one's status."""
    from django.apps import apps
    from django.db.models import Exists

    participations = apps.get_model("exchanges", "ExchangeParticipant").objects.filter(
        detainee=OuterRef("pk"), exchange__is_published=True, exchange__status="completed"
    )
    return Case(
        When(Exists(participations), then=Value(Status.EXCHANGED)),
        default=Value(Status.UNKNOWN),
        output_field=models.CharField(),
    )


# A person's latest custody first: a custody whose start no report dates counts as the latest (Detention's order).
LATEST_FIRST = (F("detained_on").desc(nulls_first=True), "-id")


class DetaineeQuerySet(PublishedQuerySet):
    """Queries on detainees.

    A detainee's status, current holder and latest detention are stored on the row (indexed, so lists filter and
    count on them cheaply) and kept current by `refresh_status()`, which every change to a detention triggers
    (see `detainees.signals`). Bulk writers that bypass signals call it themselves.
    """

    def with_status(self):
        """What lists and case pages show beside the stored status: the latest detention's dates."""
        return self.select_related("latest_detention__held_by_group", "held_by_group")

    def refresh_status(self) -> int:
        """Recompute the stored status fields of these detainees from their detentions, in two UPDATEs."""
        latest = Detention.objects.filter(detainee=OuterRef("pk")).order_by(*LATEST_FIRST)
        ids = self.order_by().values("pk")
        Detainee.objects.filter(pk__in=ids).update(latest_detention=Subquery(latest.values("pk")[:1]))
        current = current_status_of(OuterRef("latest_detention"))
        return Detainee.objects.filter(pk__in=ids).update(
            status=Coalesce(Subquery(current.values("derived_status")[:1]), status_without_custody()),
            held_by=Coalesce(Subquery(current.values("derived_held_by")[:1]), Value("")),
            held_by_group=Subquery(current.values("derived_held_by_group")[:1]),
            latest_detained_on=Subquery(current.values("detained_on")[:1]),
        )

    def stale_status(self):
        """Detainees whose stored status differs from what their detentions say now; empty when all is well."""
        latest = Detention.objects.filter(detainee=OuterRef("pk")).order_by(*LATEST_FIRST)
        fresh = self.annotate(fresh_latest=Subquery(latest.values("pk")[:1]))
        current = current_status_of(OuterRef("fresh_latest"))
        fresh = fresh.annotate(
            fresh_status=Coalesce(Subquery(current.values("derived_status")[:1]), status_without_custody()),
            fresh_held_by=Coalesce(Subquery(current.values("derived_held_by")[:1]), Value("")),
            fresh_held_by_group=Subquery(current.values("derived_held_by_group")[:1]),
        )
        return fresh.exclude(
            Q(status=F("fresh_status"))
            & Q(held_by=F("fresh_held_by"))
            & (Q(held_by_group=F("fresh_held_by_group")) | Q(held_by_group=None, fresh_held_by_group=None))
            & (Q(latest_detention=F("fresh_latest")) | Q(latest_detention=None, fresh_latest=None))
        )

    def ranked(self, query: str):
        """Best matches first: names that begin with the words searched, then the rest, each by name.

        Besides being what a reader expects, this keeps PostgreSQL on the trigram index: sorted by name alone, it
        walks the name index through every row hoping to meet 25 matches early (100 ms for a rare name).
        """
        words = search_words(query)
        if not words:
            return self.order_by("name", "id")
        begins = Q()
        for form in prefix_forms(query):  # a stored key begins with a space (common.text.search_key)
            begins |= Q(search_key__startswith=" " + " ".join([*words[:-1], form]))
        return self.alias(search_rank=Case(When(begins, then=Value(0)), default=Value(1))).order_by(
            "search_rank", "name", "id"
        )

    def search(self, query: str):
        """Every word of `query` must begin a word of a name, original-script name or alias, in any spelling ("Бут"
        finds Bout, not Poczobut); the last word may be cut short, as while typing ("gershkovic", "bo" for Bout).
        Each is one `LIKE '% form%'` on the folded key (`common.text.word_start`), which PostgreSQL answers from the
        trigram index (an OR of forms is a BitmapOr of index scans, one per form)."""
        words = search_words(query)
        qs = self
        for word in words[:-1]:
            qs = qs.filter(word_start("search_key", word))
        if words:
            last = Q()
            for form in prefix_forms(query):
                last |= word_start("search_key", form)
            qs = qs.filter(last)
        return qs


class Detainee(UniqueSlugMixin, PartialDatesMixin, ReviewedModel, TimeStampedModel):
    """A person held by a state."""

    partial_date_fields = ("born_on",)

    name = models.CharField(
        max_length=200, help_text=_('Name in Latin script as most sources write it, e.g. "Viktor Bout".')
    )
    slug = models.SlugField(
        max_length=90,
        unique=True,
        editable=False,
        help_text=_("Address of the case page; set once from the name and kept when the name is edited."),
    )
    name_original = models.CharField(
        max_length=200, blank=True, help_text=_('Name in the original script, e.g. "Виктор Бут".')
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Other spellings and transliterations, as a list: ["Victor Bout", "Viktor Anatolyevich Bout"].'),
    )
    citizenships = CountryField(multiple=True, blank=True, help_text=_("Every citizenship the person holds."))
    born_on = models.DateField(null=True, blank=True, help_text=_("Date of birth."))
    born_on_precision = precision_field("born_on")
    description = models.CharField(
        max_length=300, blank=True, help_text=_('Who they are in a few words: "basketball player", "former US Marine".')
    )
    description_ru = models.CharField(
        max_length=300, blank=True,
        verbose_name=_("description in Russian"),
        help_text=_(
            "The same in Russian, for Russian pages (/ru/); empty shows the English one, marked not yet translated."
        ),
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q123456.")],
        help_text=_("Wikidata item, e.g. Q7137."),
    )
    is_published = models.BooleanField(
        default=False, db_index=True, help_text=_("Visible to the public. Drafts are seen only by editors.")
    )
    sources = sources_field("detainees")
    claims = GenericRelation("sources.Claim", related_query_name="detainee")
    search_key = models.TextField(
        editable=False, default="", help_text=_("Folded names and aliases for search; derived, never edited.")
    )
    name_ru_sort = models.CharField(
        max_length=210, editable=False, default="",
        help_text=_("The name Russian pages show, folded for sorting A–Я; derived from the names, never edited."),
    )  # fmt: skip
    # Derived from the detentions by DetaineeQuerySet.refresh_status(); stored so that lists filter, sort and count
    # on them with an index. Never typed: editors change the detentions.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.UNKNOWN, editable=False,
        help_text=_("Derived from the latest detention."),
    )  # fmt: skip
    held_by = CountryField(
        blank=True, editable=False, help_text=_("Country holding the person now; empty when not held.")
    )
    held_by_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+",
        help_text=_("Group holding the person now, when a group rather than a state holds them."),
    )  # fmt: skip
    latest_detention = models.ForeignKey(
        "Detention", null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+",
        help_text=_("The detention the status comes from."),
    )  # fmt: skip
    latest_detained_on = models.DateField(null=True, blank=True, editable=False, help_text=_("Start of it."))

    objects = DetaineeQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[sources],
        excluded_fields=[
            "search_key",
            "name_ru_sort",
            "status",
            "held_by",
            "held_by_group",
            "latest_detention",
            "latest_detained_on",
        ],
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            precision_constraint("detainee", "born_on"),
            review_constraint("detainee"),
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="detainee_wikidata_id_unique"
            ),
        ]
        indexes = [
            # The list's default order, ending in id as every page's order does (common.api.stable_order): a page's
            # ids are read off the index alone, not fetched row by row and sorted again by id (h65: 1.8 -> 0.45 ms
            # for page 80 at 10,000 cases).
            models.Index(fields=["is_published", "name", "id"], name="detainee_published_name_id_idx"),
            models.Index(fields=["is_published", "status", "held_by"], name="detainee_status_idx"),
            models.Index(fields=["is_published", "latest_detained_on"], name="detainee_latest_detained_idx"),
            # The commonest filter in the lists' default order: a page of ?status= is read off the index, none skipped.
            models.Index(fields=["is_published", "status", "name", "id"], name="detainee_status_name_idx"),
            # The Russian list's default order (A–Я by the name shown), paged off the index as the English one is.
            models.Index(fields=["is_published", "name_ru_sort", "id"], name="detainee_published_name_ru_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return fast_url("detainees:detainee-detail", args=[self.slug])

    def clean(self):
        errors = {}
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a.strip() for a in self.aliases):
            errors["aliases"] = [_("Aliases must be a list of non-empty names.")]
        else:
            self.aliases = [a.strip() for a in self.aliases]
        raise_if(errors)

    DERIVED_FIELDS = ("status", "held_by", "held_by_group", "latest_detention", "latest_detained_on")

    def save(self, *args, **kwargs):
        self.search_key = self.compute_search_key()
        self.name_ru_sort = russian_sort_key(self.name, self.name_original, self.aliases)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The status fields belong to refresh_status(): an instance loaded before a detention changed must not
            # write its stale copy back.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.DERIVED_FIELDS
            ]
        super().save(*args, **kwargs)

    def refresh_status_from_db(self) -> None:
        self.refresh_from_db(fields=self.DERIVED_FIELDS)

    def compute_search_key(self) -> str:
        return search_key(self.name, self.name_original, *(self.aliases or []))

    @classmethod
    def slug_reserved(cls, slug: str) -> bool:
        """A merged record's address redirects to its survivor forever: no new case takes it (`unique_slug`)."""
        return MergedDetainee.objects.filter(merged_slug=slug).exists()

    def days_held(self, today: datetime.date | None = None) -> int:
        """Days in custody over all detentions, up to today for one still open (uses prefetched detentions)."""
        today = today or timezone.localdate()
        return sum(d.days_held(today) for d in self.detentions.all())

    def days_held_is_a_minimum(self) -> bool:
        """Some date of the custody is known only to the month or year: the count is "at least"."""
        return any(d.dates_are_partial or (d.released_on is None and d.end_reason) for d in self.detentions.all())


class MergedDetaineeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The merges a caller may learn of: to the public, a published record folded into a published one (a
        draft's id, and a draft survivor, never show); to editors who preview drafts, all."""
        if Detainee.objects.previews(user):
            return self.all()
        return self.filter(was_published=True, into__is_published=True)

    def redirect_for(self, user, *, pk=None, slug=None):
        """The merge that answers for a removed record's id or case-page slug, or None. A record on file by that id
        (restored from the deleted records) answers for itself, so callers ask only after a miss."""
        qs = self.visible_to(user).select_related("into")
        if pk is not None:
            if not str(pk).isdigit() or int(pk) > 2**63 - 1:
                return None
            return qs.filter(merged_id=int(pk)).first()
        return qs.filter(merged_slug=slug).first()

    def current(self):
        """Merges whose removed id is not back on file (a restore from the deleted records brings it back)."""
        return self.exclude(merged_id__in=Detainee.objects.values("pk"))


class MergedDetainee(TimeStampedModel):
    """A detainee record folded into another by `merge_detainees`: its id, case page and API address keep answering,
    with a permanent redirect to the record it was merged into, so mirrors and citations do not break."""

    merged_id = models.PositiveBigIntegerField(unique=True, help_text=_("Id of the record that was merged away."))
    merged_slug = models.SlugField(
        max_length=90, unique=True, help_text=_("Its case page's address, which now redirects; never given out again.")
    )
    merged_name = models.CharField(max_length=200, help_text=_("Its name at the time of the merge."))
    was_published = models.BooleanField(
        default=False, help_text=_("Whether it was public when merged: a draft's id is never revealed by a redirect.")
    )
    into = models.ForeignKey(
        Detainee, on_delete=models.CASCADE, related_name="merged_records",
        help_text=_("The surviving record; when it is itself merged later, this follows it."),
    )  # fmt: skip

    objects = MergedDetaineeQuerySet.as_manager()

    class Meta:
        ordering = ["merged_id"]

    def __str__(self):
        return f"#{self.merged_id} ({self.merged_name}) → #{self.into_id}"


class EndReason(models.TextChoices):
    RELEASED = "released", pgettext_lazy("end of custody", "Released")
    EXCHANGED = "exchanged", pgettext_lazy("end of custody", "Exchanged")
    PARDONED = "pardoned", pgettext_lazy("end of custody", "Pardoned")
    SENTENCE_SERVED = "sentence_served", pgettext_lazy("end of custody", "Sentence served")
    DEPORTED = "deported", pgettext_lazy("end of custody", "Deported")
    DIED_IN_CUSTODY = "died_in_custody", pgettext_lazy("end of custody", "Died in custody")
    ESCAPED = "escaped", pgettext_lazy("end of custody", "Escaped")
    EXTRADITED = "extradited", pgettext_lazy("end of custody", "Extradited")
    HANDED_OVER = "handed_over", pgettext_lazy("end of custody", "Handed over")


# Custody that ends in another holder's custody: the person's next detention is its successor.
TRANSFER_REASONS = (EndReason.EXTRADITED, EndReason.HANDED_OVER)


class Detention(PartialDatesMixin, TimeStampedModel):
    """One episode of custody by one holder, from arrest (or handover) to release (or handover).

    A person arrested by one state and extradited or handed to another has one detention per holder, in order:
    the first ends in `extradited` or `handed_over`, and its successor is the same person's next detention.
    """

    partial_date_fields = ("detained_on", "released_on", "last_confirmed_on")

    EndReason = EndReason

    detainee = models.ForeignKey(
        Detainee, on_delete=models.CASCADE, related_name="detentions", help_text=_("The person held.")
    )
    held_by = CountryField(blank=True, help_text=_("The state holding the person in this episode."))
    held_by_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="detentions",
        help_text=_(
            "The group holding the person, when not a state. Set this or the state, not both; neither means "
            "the captor is unknown."
        ),
    )
    detained_on = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "Date of arrest or detention. Leave empty when no report dates it (a person reported held, or freed, "
            "with no arrest date): give then the date a report last confirmed the custody, or its release date."
        ),
    )
    detained_on_precision = precision_field("detained_on")
    place = models.CharField(
        max_length=200, blank=True, help_text=_('Where they were detained: "Sheremetyevo airport, Moscow".')
    )
    circumstances = models.CharField(
        max_length=300, blank=True, help_text=_('How: "airport customs search", "sting operation".')
    )
    released_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("End of custody by this holder (release, or handover to the next holder); empty while held."),
    )
    released_on_precision = precision_field("released_on")
    end_reason = models.CharField(
        max_length=20, choices=EndReason.choices, blank=True, help_text=_("Why custody ended; empty while held.")
    )
    last_confirmed_on = models.DateField(
        null=True, blank=True, help_text=_("Latest date a source confirmed the person still in this custody.")
    )
    last_confirmed_on_precision = precision_field("last_confirmed_on")
    sources = sources_field("detentions")
    claims = GenericRelation("sources.Claim", related_query_name="detention")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        # A custody whose start no report dates comes after the dated ones (as an undated sentence is listed last):
        # on every database alike (PostgreSQL and SQLite disagree on where NULL sorts by default).
        ordering = [F("detained_on").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                # Raw dates order two partial dates only when the end is a day: a month or a year (stored as its
                # first day) may overlap the start's span, and `clean()` (`certainly_before`) judges those.
                condition=Q(released_on__gte=F("detained_on")) | Q(released_on=None) | ~Q(released_on_precision="day"),
                name="detention_release_after_detention",
            ),
            models.CheckConstraint(
                condition=Q(end_reason__in=[*EndReason.values, ""]), name="detention_end_reason_valid"
            ),
            precision_constraint("detention", "detained_on"),
            precision_constraint("detention", "released_on"),
            precision_constraint("detention", "last_confirmed_on"),
            models.CheckConstraint(
                condition=Q(held_by="") | Q(held_by_group=None), name="detention_one_captor_at_most"
            ),
        ]
        indexes = [
            models.Index(fields=["detainee", "-detained_on"], name="detention_latest_idx"),
            models.Index(fields=["held_by", "detained_on"], name="detention_held_by_idx"),
            models.Index(fields=["detained_on"], name="detention_detained_on_idx"),
            models.Index(fields=["released_on"], name="detention_released_on_idx"),
            models.Index(fields=["end_reason"], name="detention_end_reason_idx"),
        ]

    def __str__(self):
        # The admin heads each custody with this (the case's inline rows): in the editor's language.
        words = {"person": self.detainee, "holder": self.holder_name}
        if self.detained_on is None:
            return str(_("%(person)s held by %(holder)s from a date not reported") % words)
        since = format_partial_date(self.detained_on, self.detained_on_precision, form="genitive")
        return str(_("%(person)s held by %(holder)s from %(date)s") % {**words, "date": since})

    @property
    def holder_name(self) -> str:
        return captor_name(self.held_by, self.held_by_group)

    def clean(self):
        errors: dict[str, list[str]] = {}
        check_order(errors, self.detained_on, self.detained_on_precision, self.released_on, self.released_on_precision,
                    "released_on", _("Release cannot come before detention."))  # fmt: skip
        if self.held_by and self.held_by_group_id:
            errors.setdefault("held_by_group", []).append(_("A state or a group holds the person, not both."))
        check_order(
            errors, self.detained_on, self.detained_on_precision, self.last_confirmed_on,
            self.last_confirmed_on_precision, "last_confirmed_on", _("Custody cannot be confirmed before it began."),
        )  # fmt: skip
        if self.detainee_id and self.detained_on:
            # A successor in a custody chain begins at its predecessor's handover, not certainly before it.
            previous = (
                Detention.objects.filter(detainee_id=self.detainee_id, detained_on__lte=self.detained_on)
                .exclude(pk=self.pk).order_by("-detained_on", "-id").first()
            )  # fmt: skip
            if previous is not None and previous.ends_in_handover:
                check_order(
                    errors,
                    previous.released_on,
                    previous.released_on_precision,
                    self.detained_on,
                    self.detained_on_precision,
                    "detained_on",
                    _("Custody after the handover by %(holder)s cannot begin before it.")
                    % {"holder": previous.holder_name},
                )
        if self.released_on and not self.end_reason:
            errors.setdefault("end_reason", []).append(_("Say why custody ended, or clear the release date."))
        if self.detained_on is None and self.last_confirmed_on is None and self.released_on is None:
            # An undated start needs one day the custody is known by: the census counts it from there.
            errors.setdefault("detained_on", []).append(
                _("Give the date of detention or, when no report dates it, the date a report last confirmed the "
                  "custody (or its release date).")
            )
        if self.is_open and self.detainee_id:
            for message in self.exchanges_that_ended_it():
                errors.setdefault("released_on", []).append(message)
        if self.end_reason and not self.released_on and self.end_reason not in TRANSFER_REASONS:
            # A handover's date may be unknown (the next holder's custody then starts undated); a release's not.
            errors.setdefault("released_on", []).append(_("Give the release date (a month or a year will do)."))
        raise_if(errors)

    @property
    def is_open(self) -> bool:
        return self.released_on is None and not self.end_reason

    def open_at(self, day, precision: str) -> bool:
        """Still open on file and not certainly begun after `day` (a partial date): custody that an exchange on that
        date must have ended. An undated exchange ends every open custody of its people."""
        return self.is_open and not certainly_before(day, precision, self.detained_on, self.detained_on_precision)

    def exchanges_that_ended_it(self) -> list[str]:
        """Why this custody cannot be open: the completed, published exchanges its person took part in while it was
        (see `exchanges.models.custody_conflicts`, the same rule from the exchange's side)."""
        participations = self.detainee.exchange_participations.filter(
            exchange__status="completed", exchange__is_published=True
        ).select_related("exchange")
        return [
            f"{self.detainee.name} was released in the completed exchange “{p.exchange.name}” "
            f"({p.exchange.partial_date('date') or 'date not on file'}); custody that began before it cannot still be "
            "open. Give the release date and the end reason “exchanged”, or correct the exchange."
            for p in participations
            if self.open_at(p.exchange.date, p.exchange.date_precision)
        ]

    @property
    def ends_in_handover(self) -> bool:
        return self.end_reason in TRANSFER_REASONS

    def days_held(self, today: datetime.date) -> int:
        """Days certainly in custody (see `certain_days`); a start no report dates counts from the day a report
        confirmed the custody."""
        start, precision = certain_start(self.detained_on, self.detained_on_precision, self.last_confirmed_on,
                                         self.last_confirmed_on_precision, self.released_on,
                                         self.released_on_precision)  # fmt: skip
        return certain_days(start, precision, self.released_on, self.end_reason, today)

    @property
    def current_facility(self):
        """The latest transfer of an open custody: where the person is held now, as far as the file knows (reads
        prefetched transfers). None once custody ended or when no move is on file."""
        if not self.is_open:
            return None
        transfers = list(self.transfers.all())
        return max(transfers, key=lambda t: (t.moved_on, t.pk)) if transfers else None

    @property
    def start_unknown(self) -> bool:
        """No report dates the start of this custody (shown as "date unknown")."""
        return self.detained_on is None

    @property
    def dates_are_partial(self) -> bool:
        return (self.detained_on is None or self.detained_on_precision != "day"
                or bool(self.released_on and self.released_on_precision != "day"))  # fmt: skip


class FacilityKind(models.TextChoices):
    PRE_TRIAL_CENTRE = "pre_trial_centre", _("Pre-trial centre")
    PRISON = "prison", _("Prison")
    PENAL_COLONY = "penal_colony", _("Penal colony")
    FEDERAL_PRISON = "federal_prison", _("Federal prison")
    IMMIGRATION_DETENTION = "immigration_detention", _("Immigration detention")
    OTHER = "other", _("Other")


class Transfer(PartialDatesMixin, TimeStampedModel):
    """A move between places of custody within one detention."""

    partial_date_fields = ("moved_on",)

    FacilityKind = FacilityKind

    detention = models.ForeignKey(
        Detention, on_delete=models.CASCADE, related_name="transfers", help_text=_("The detention.")
    )
    moved_on = models.DateField(help_text=_("Date of the move."))
    moved_on_precision = precision_field("moved_on")
    facility_name = models.CharField(max_length=200, help_text=_('"Penal colony IK-2, Mordovia".'))
    facility_kind = models.CharField(
        max_length=30, choices=FacilityKind.choices, default=FacilityKind.OTHER, help_text=_("Kind of facility.")
    )
    sources = sources_field("transfers")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["moved_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility_kind__in=FacilityKind.values), name="transfer_facility_kind_valid"
            ),
            precision_constraint("transfer", "moved_on"),
        ]

    def __str__(self):
        return f"{self.facility_name} ({self.partial_date('moved_on')})"

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.detention_id:
            detention = self.detention
            check_order(
                errors,
                detention.detained_on,
                detention.detained_on_precision,
                self.moved_on,
                self.moved_on_precision,
                "moved_on",
                _("A transfer cannot come before the detention began."),
            )
            check_order(
                errors,
                self.moved_on,
                self.moved_on_precision,
                detention.released_on,
                detention.released_on_precision,
                "moved_on",
                _("A transfer cannot come after release."),
            )
        raise_if(errors)


class CounselRole(models.TextChoices):
    """Reports mostly say "his lawyer" without saying who chose them: `defence` claims no more than that."""

    DEFENCE = "defence", _("Defence lawyer")
    APPOINTED = "appointed", _("Court-appointed lawyer")
    OTHER = "other", _("Other legal representative")


class Counsel(TimeStampedModel):
    """A lawyer who defends or represents the person in the proceedings of one custody.

    Per detention, not per person: the lawyers of one state's case are not those of the next holder's. Only what a
    report states: a name as the report spells it, and the role it gives."""

    Role = CounselRole

    detention = models.ForeignKey(
        Detention, on_delete=models.CASCADE, related_name="counsel", help_text=_("The custody whose case they act in.")
    )
    name = models.CharField(max_length=200, help_text=_("Name as the report spells it."))
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.DEFENCE,
        help_text=_("A lawyer defending the person (whoever chose them), one the court appointed, or another kind "
                    "of representative."),
    )  # fmt: skip
    note = models.CharField(
        max_length=300, blank=True, help_text=_('What the report says of them, briefly: "said he would appeal".')
    )
    sources = sources_field("counsel")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["id"]
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        constraints = [models.CheckConstraint(condition=Q(role__in=CounselRole.values), name="counsel_role_valid")]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class CustodyExtension(PartialDatesMixin, TimeStampedModel):
    """A court's decision ordering or extending pre-trial custody to a date: Russian courts rule every month or
    few months, so a case may have a dated series of them. Not a change to a sentence (there is none yet)."""

    partial_date_fields = ("decided_on", "extended_to")

    detention = models.ForeignKey(
        Detention, on_delete=models.CASCADE, related_name="extensions", help_text=_("The custody extended.")
    )
    decided_on = models.DateField(
        null=True, blank=True, help_text=_("Date of the court's decision. Leave empty when no report dates it.")
    )
    decided_on_precision = precision_field("decided_on")
    court = models.CharField(max_length=200, blank=True, help_text=_('"Lefortovo District Court".'))
    extended_to = models.DateField(
        null=True, blank=True, help_text=_("The date custody was ordered or extended to; empty when not reported.")
    )
    extended_to_precision = precision_field("extended_to")
    description = models.CharField(
        max_length=300, blank=True,
        help_text=_("Anything else the report says: an appeal rejected, house arrest refused."),
    )  # fmt: skip
    sources = sources_field("custody_extensions")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = [F("decided_on").asc(nulls_last=True), "id"]
        verbose_name = _("custody extension")
        constraints = [
            precision_constraint("custody_extension", "decided_on"),
            precision_constraint("custody_extension", "extended_to"),
            models.CheckConstraint(
                condition=Q(extended_to__gte=F("decided_on")) | Q(extended_to=None) | Q(decided_on=None)
                | ~Q(extended_to_precision="day"),  # fmt: skip
                name="custody_extension_to_after_decision",
            ),
        ]

    def __str__(self):
        to = self.partial_date("extended_to") or _("a date not reported")
        return str(_("Custody extended to %(date)s") % {"date": to})

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.decided_on is None and self.extended_to is None:
            errors["extended_to"] = [_("Give the date custody was extended to, or the date of the decision.")]
        check_order(errors, self.decided_on, self.decided_on_precision, self.extended_to, self.extended_to_precision,
                    "extended_to", _("Custody cannot be extended to a day before the decision."))  # fmt: skip
        if self.detention_id:
            check_order(errors, self.detention.detained_on, self.detention.detained_on_precision, self.decided_on,
                        self.decided_on_precision, "decided_on",
                        _("A decision on custody cannot come before the detention began."))  # fmt: skip
        raise_if(errors)


class ChargeCategory(models.TextChoices):
    DRUGS = "drugs", _("Drugs")
    ESPIONAGE = "espionage", _("Espionage")
    TREASON = "treason", _("Treason")
    ARMS_TRAFFICKING = "arms_trafficking", _("Arms trafficking")
    TERRORISM = "terrorism", _("Terrorism")
    CYBERCRIME = "cybercrime", _("Cybercrime")
    FRAUD = "fraud", _("Fraud")
    PROPERTY = "property", _("Property crime (theft, extortion, damage)")
    VIOLENCE = "violence", _("Violence")
    POLITICAL = "political", _("Political")
    IMMIGRATION = "immigration", _("Immigration")
    OTHER = "other", _("Other")


class ChargeOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DROPPED = "dropped", _("Dropped")
    # A court may find the accused not answerable and order psychiatric treatment instead of a punishment (Russian
    # Criminal Code art. 97-104): neither a conviction nor an acquittal, and not "pending" once ordered.
    TREATMENT = "treatment", _("Compulsory psychiatric treatment ordered instead of punishment")


class Charge(PartialDatesMixin, TimeStampedModel):
    """An accusation within a detention."""

    partial_date_fields = ("charged_on",)

    Category = ChargeCategory

    Outcome = ChargeOutcome

    detention = models.ForeignKey(
        Detention, on_delete=models.CASCADE, related_name="charges", help_text=_("The detention.")
    )
    category = models.CharField(
        max_length=20, choices=Category.choices, db_index=True, help_text=_("Kind of accusation.")
    )
    statute = models.CharField(max_length=200, blank=True, help_text=_('Law invoked: "Criminal Code art. 229.1".'))
    charged_on = models.DateField(null=True, blank=True, help_text=_("When the charge was brought, if known."))
    charged_on_precision = precision_field("charged_on")
    description = models.TextField(blank=True, help_text=_("The accusation in the editor's words."))
    outcome = models.CharField(
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.PENDING,
        db_index=True,
        help_text=_("Where the charge stands."),
    )
    sources = sources_field("charges")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=ChargeCategory.values), name="charge_category_valid"),
            models.CheckConstraint(condition=Q(outcome__in=ChargeOutcome.values), name="charge_outcome_valid"),
            precision_constraint("charge", "charged_on"),
        ]

    def __str__(self):
        statute = f" ({self.statute})" if self.statute else ""
        return f"{self.get_category_display()}{statute}"

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.detention_id:
            check_order(
                errors,
                self.detention.detained_on,
                self.detention.detained_on_precision,
                self.charged_on,
                self.charged_on_precision,
                "charged_on",
                _("A charge cannot come before the detention began."),
            )
        raise_if(errors)


class SentenceCombination(models.TextChoices):
    """How a sentence takes in an earlier one (cumulative sentences, Russian Criminal Code art. 69-70)."""

    PARTIAL_ADDITION = "partial_addition", _("Part of the earlier term added")
    FULL_ADDITION = "full_addition", _("The whole earlier term added")
    ABSORPTION = "absorption", _("The earlier term absorbed by this one")
    # Reports often say only that a term "counts" or "includes" an earlier sentence: no more is claimed.
    COMBINED = "combined", _("Combined with an earlier term (how not reported)")


class Sentence(PartialDatesMixin, TimeStampedModel):
    """A court's sentence in a detention."""

    partial_date_fields = ("sentenced_on", "counted_from")

    Combination = SentenceCombination

    detention = models.ForeignKey(
        Detention, on_delete=models.CASCADE, related_name="sentences", help_text=_("The detention.")
    )
    charges = models.ManyToManyField(
        Charge, blank=True, related_name="sentences", help_text=_("The charges of the same detention that it covers.")
    )
    court = models.CharField(max_length=200, blank=True, help_text=_('"Khimki City Court".'))
    sentenced_on = models.DateField(
        null=True, blank=True,
        help_text=_("Date of the sentence. Leave empty when no report dates it (the term is still worth recording)."),
    )  # fmt: skip
    sentenced_on_precision = precision_field("sentenced_on")
    term_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Custodial term in months (9 years = 108). Empty for life or a fine only.")
    )
    is_life = models.BooleanField(default=False, help_text=_("Life imprisonment."))
    is_death = models.BooleanField(
        default=False, verbose_name=_("death sentence"),
        help_text=_("A sentence of death (a later pardon or commutation is a change to the sentence)."),
    )  # fmt: skip
    is_suspended = models.BooleanField(
        default=False, verbose_name=_("suspended"),
        help_text=_("The custodial term is suspended (a conditional sentence, served on probation, not in prison)."),
    )  # fmt: skip
    fine_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text=_("Fine, in the currency below.")
    )
    fine_currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[CurrencyValidator()],
        help_text=_("ISO 4217 code of the fine's currency: RUB, USD."),
    )
    court_city = models.CharField(
        max_length=100, blank=True, verbose_name=_("court's city"),
        help_text=_('Where the court sits: "Rostov-on-Don". Worth giving when the court\'s name does not say it.'),
    )  # fmt: skip
    court_country = CountryField(
        blank=True, verbose_name=_("court's country"),
        help_text=_(
            "Country whose court passed the sentence, when it is not the holder of the custody (a person captured "
            "by one state or group and tried by another's court). Empty: the holder's court."
        ),
    )  # fmt: skip
    in_absentia = models.BooleanField(
        default=False, verbose_name=_("passed in absentia"),
        help_text=_("The court sentenced the person in their absence (not in its custody, or already freed)."),
    )  # fmt: skip
    closed_trial = models.BooleanField(
        default=False, verbose_name=_("trial behind closed doors"),
        help_text=_("The trial, or most of it, was held behind closed doors (reported as a closed or secret trial)."),
    )  # fmt: skip
    counted_from = models.DateField(
        null=True, blank=True, verbose_name=_("term counted from"),
        help_text=_(
            "The day the court counts the term from, when a report gives it and it is not the sentence's date: "
            "the arrest, or an earlier arrest whose custody is credited."
        ),
    )  # fmt: skip
    counted_from_precision = precision_field("counted_from")
    combines = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="combined_into",
        verbose_name=_("combines the earlier sentence"),
        help_text=_(
            "An earlier sentence of the same person that this one combines into its term, when it is on file "
            "(deleting it clears this link; the kind of combination stays)."
        ),
    )  # fmt: skip
    combination = models.CharField(
        max_length=20, blank=True, choices=SentenceCombination.choices, verbose_name=_("combined with an earlier term"),
        help_text=_(
            "How the term takes in an earlier sentence (Russian Criminal Code art. 69-70): part of the earlier term "
            "added, all of it added, absorbed by the longer term, or combined in a way the reports do not give. The "
            "term in months is then the combined term."
        ),
    )  # fmt: skip
    sources = sources_field("sentences")

    history = HistoricalRecords(m2m_fields=[sources, charges])

    class Meta:
        ordering = ["sentenced_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_months__gt=0) | Q(term_months=None), name="sentence_term_positive"),
            models.CheckConstraint(
                condition=~(Q(is_life=True) & Q(term_months__isnull=False)), name="sentence_life_has_no_term"
            ),
            models.CheckConstraint(
                condition=Q(fine_amount__gte=0) | Q(fine_amount=None), name="sentence_fine_not_negative"
            ),
            models.CheckConstraint(
                condition=~(Q(is_death=True) & (Q(is_life=True) | Q(term_months__isnull=False) | Q(is_suspended=True))),
                name="sentence_death_has_no_term",
            ),
            models.CheckConstraint(
                condition=~(Q(is_suspended=True) & Q(term_months__isnull=True)), name="sentence_suspended_has_term"
            ),
            precision_constraint("sentence", "sentenced_on"),
            precision_constraint("sentence", "counted_from"),
            models.CheckConstraint(
                condition=Q(combination__in=[*SentenceCombination.values, ""]), name="sentence_combination_valid"
            ),
            models.CheckConstraint(condition=Q(combines=None) | ~Q(combination=""), name="sentence_combines_says_how"),
            models.CheckConstraint(condition=~Q(combines=F("id")), name="sentence_combines_not_itself"),
        ]
        indexes = [models.Index(fields=["sentenced_on"], name="sentence_sentenced_on_idx")]

    def __str__(self):
        return f"{self.term_display() or _('Sentence')} ({self.partial_date('sentenced_on')})"

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.is_life and self.term_months:
            errors["term_months"] = [_("A life sentence has no term in months; clear one of them.")]
        if self.is_death and (self.is_life or self.term_months or self.is_suspended):
            errors["is_death"] = [_("A death sentence has no term, life term or suspension; clear the others.")]
        if self.is_suspended and not self.term_months:
            errors["term_months"] = [_("Give the suspended term in months.")]
        if self.fine_amount is not None and not self.fine_currency:
            errors["fine_currency"] = [_("Give the currency of the fine.")]
        if self.fine_currency and self.fine_amount is None:
            errors["fine_amount"] = [_("Give the amount of the fine, or clear the currency.")]
        if self.detention_id:
            check_order(errors, self.detention.detained_on, self.detention.detained_on_precision, self.sentenced_on,
                        self.sentenced_on_precision, "sentenced_on",
                        _("A sentence cannot come before the detention began."))  # fmt: skip
        if self.combines_id:
            self.clean_combines(errors)
        raise_if(errors)

    def clean_combines(self, errors: dict) -> None:
        """The earlier sentence combined must be another, earlier sentence of the same person."""
        earlier = self.combines
        if self.pk is not None and earlier.pk == self.pk:
            errors.setdefault("combines", []).append(_("A sentence cannot combine itself."))
            return
        if self.detention_id and earlier.detention.detainee_id != self.detention.detainee_id:
            errors.setdefault("combines", []).append(_("Choose an earlier sentence of the same person."))
            return
        check_order(errors, earlier.sentenced_on, earlier.sentenced_on_precision, self.sentenced_on,
                    self.sentenced_on_precision, "combines",
                    _("The sentence combined must come before this one."))  # fmt: skip
        if not self.combination:
            errors.setdefault("combination", []).append(_("Say how the earlier term is combined."))

    def validate_charges(self, charges) -> None:
        """Charges a sentence covers must belong to its own detention."""
        foreign = [str(c) for c in charges if c.detention_id != self.detention_id]
        if foreign:
            raise ValidationError({"charges": [_("Not a charge of this detention: %(charges)s.")
                                               % {"charges": ", ".join(foreign)}]})  # fmt: skip

    def term_display(self) -> str:
        """ "Life", "9 years", "3 years 6 months", plus the fine."""
        parts = []
        if self.is_death:
            parts.append(str(_("Death sentence")))
        elif self.is_life:
            parts.append(str(_("Life imprisonment")))
        elif self.term_months:
            shown = term_text(self.term_months)
            parts.append(str(_("%(term)s suspended") % {"term": shown}) if self.is_suspended else shown)
        if self.fine_amount is not None:
            parts.append(_("fine of %(amount)s %(currency)s")
                         % {"amount": intcomma(f"{self.fine_amount:.0f}"), "currency": self.fine_currency})  # fmt: skip
        return ", ".join(parts)


def term_text(term_months: int) -> str:
    """A term in months as it reads: 82 → "6 years 10 months"."""
    years, months = divmod(term_months, 12)
    term = []
    if years:
        term.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if months:
        term.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
    return " ".join(term)


class SentenceChangeKind(models.TextChoices):
    """What became of the sentence, said from the sentence's side (never "appeal upheld", which reads both ways)."""

    APPEAL_REJECTED = "appeal_rejected", _("Appeal rejected, sentence upheld")
    REDUCED_ON_APPEAL = "reduced_on_appeal", _("Sentence reduced on appeal")
    INCREASED_ON_APPEAL = "increased_on_appeal", _("Sentence increased on appeal")
    OVERTURNED_ON_APPEAL = "overturned_on_appeal", _("Conviction overturned on appeal")
    REDUCED = "reduced", _("Sentence reduced")
    INCREASED = "increased", _("Sentence increased")
    COMMUTED = "commuted", _("Sentence commuted")
    PARDONED = "pardoned", _("Pardoned")


class SentenceChange(PartialDatesMixin, TimeStampedModel):
    """A later change to a sentence: an appeal, a reduction, a commutation, a pardon."""

    partial_date_fields = ("changed_on",)

    Kind = SentenceChangeKind

    sentence = models.ForeignKey(
        Sentence, on_delete=models.CASCADE, related_name="changes", help_text=_("The sentence changed.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text=_("What happened to the sentence."))
    changed_on = models.DateField(
        null=True, blank=True, help_text=_("Date of the decision. Leave empty when no report dates it."),
    )  # fmt: skip
    changed_on_precision = precision_field("changed_on")
    court = models.CharField(max_length=200, blank=True, help_text=_("Court or authority that decided."))
    new_term_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The term in months after the change, if it changed.")
    )
    description = models.TextField(blank=True, help_text=_("The decision in the editor's words."))
    sources = sources_field("sentence_changes")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["changed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SentenceChangeKind.values), name="sentence_change_kind_valid"),
            models.CheckConstraint(
                condition=Q(new_term_months__gt=0) | Q(new_term_months=None), name="sentence_change_term_positive"
            ),
            precision_constraint("sentence_change", "changed_on"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.partial_date('changed_on')})"

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.sentence_id:
            check_order(
                errors,
                self.sentence.sentenced_on,
                self.sentence.sentenced_on_precision,
                self.changed_on,
                self.changed_on_precision,
                "changed_on",
                _("A change cannot come before the sentence."),
            )
        raise_if(errors)


class DesignationKind(models.TextChoices):
    WRONGFULLY_DETAINED = "wrongfully_detained", _("Wrongfully detained")
    HOSTAGE = "hostage", _("Hostage")
    POLITICAL_PRISONER = "political_prisoner", _("Political prisoner")
    PRISONER_OF_CONSCIENCE = "prisoner_of_conscience", _("Prisoner of conscience")
    OTHER = "other", _("Other")


class Designation(PartialDatesMixin, TimeStampedModel):
    """A dated recognition of a detainee's status by an authority."""

    partial_date_fields = ("designated_on", "withdrawn_on")

    Kind = DesignationKind

    detainee = models.ForeignKey(
        Detainee, on_delete=models.CASCADE, related_name="designations", help_text=_("The person.")
    )
    authority = models.CharField(max_length=200, help_text=_('Who designated: "US State Department", "Memorial".'))
    authority_country = CountryField(blank=True, db_index=True, help_text=_("Country of the authority."))
    kind = models.CharField(
        max_length=30, choices=Kind.choices, db_index=True, help_text=_("What they were recognised as.")
    )
    designated_on = models.DateField(null=True, blank=True, help_text=_("Date of the designation."))
    designated_on_precision = precision_field("designated_on")
    withdrawn_on = models.DateField(
        null=True, blank=True, help_text=_("Date the designation was withdrawn, if it was.")
    )
    withdrawn_on_precision = precision_field("withdrawn_on")
    sources = sources_field("designations")

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = [F("designated_on").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DesignationKind.values), name="designation_kind_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__gte=F("designated_on"))
                | Q(withdrawn_on=None)
                | Q(designated_on=None)
                | ~Q(withdrawn_on_precision="day"),
                name="designation_withdrawn_after_designated",
            ),
            precision_constraint("designation", "designated_on"),
            precision_constraint("designation", "withdrawn_on"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.authority})"

    def clean(self):
        errors: dict[str, list[str]] = {}
        check_order(
            errors,
            self.designated_on,
            self.designated_on_precision,
            self.withdrawn_on,
            self.withdrawn_on_precision,
            "withdrawn_on",
            _("Withdrawal cannot come before the designation."),
        )
        raise_if(errors)


class PersonFacet(models.Model):
    """One value a person shows under one facet of the list (`held_by` RU, `charge_category` espionage, `status`
    held…), derived, never edited: written by database triggers in the transaction of the write that changed it
    (`detainees.facets`). `held_by=` and `citizenship=` filter on it (one index probe per person, not a scan of
    their detentions or a LIKE over their citizenships), and `FacetCount` is the sum of its published rows."""

    detainee = models.ForeignKey(
        Detainee, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        help_text=_("The person (the triggers remove the rows of a person deleted)."),
    )  # fmt: skip
    facet = models.CharField(max_length=20, help_text=_("The filter it counts under."))
    value = models.CharField(max_length=20, help_text=_("The filter's value."))
    published = models.BooleanField(help_text=_("Whether the person was published: only those are counted."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["detainee", "facet", "value"], name="person_facet_unique")]
        indexes = [models.Index(fields=["facet", "value", "detainee"], name="person_facet_value_idx")]

    def __str__(self):
        return f"{self.detainee_id} {self.facet}={self.value}"


class FacetCount(models.Model):
    """How many published people show `value` under `facet`: the list's facet counts and totals, kept by the same
    triggers as `PersonFacet` (a write moves only the counts of the values it changed), so the first visit after a
    write reads ~60 rows instead of counting 100,000 people. `n` may be 0; drafts are never counted."""

    facet = models.CharField(max_length=20, help_text=_("The filter it counts under."))
    value = models.CharField(max_length=20, help_text=_("The filter's value."))
    n = models.IntegerField(default=0, help_text=_("Published people showing it."))
    stamp = models.BigIntegerField(
        null=True, blank=True,
        help_text=_("Set anew whenever a published person's value under it changes, even if the count does not."),
    )  # fmt: skip

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facet", "value"], name="facet_count_unique")]

    def __str__(self):
        return f"{self.facet}={self.value}: {self.n}"
