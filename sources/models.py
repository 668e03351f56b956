"""Who published what, and what officials said: the evidence behind every fact."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.models import (
    PartialDatesMixin,
    TimeStampedModel,
    precision_constraint,
    precision_field,
)


class OutletKind(models.TextChoices):
    WIRE_AGENCY = "wire_agency", "Wire agency"
    STATE_MEDIA = "state_media", "State media"
    INDEPENDENT = "independent", "Independent"
    NEWSPAPER = "newspaper", "Newspaper"
    BROADCASTER = "broadcaster", "Broadcaster"
    GOVERNMENT = "government", "Government"
    NGO = "ngo", "NGO"
    OTHER = "other", "Other"


class SourceQuerySet(models.QuerySet):
    """Queries on sources."""

    def search(self, query: str):
        qs = self
        for word in query.split()[:10]:
            qs = qs.filter(
                models.Q(title__icontains=word) | models.Q(author__icontains=word)
                | models.Q(summary__icontains=word) | models.Q(outlet__name__icontains=word)
            )  # fmt: skip
        return qs

    def cited_in_case(self, detainee_id: int):
        """Sources cited anywhere in one case: the person, their custody, statements and exchanges about them."""
        paths = [
            "cited_detainees", "cited_detentions__detainee", "cited_charges__detention__detainee",
            "cited_sentences__detention__detainee", "cited_sentence_changes__sentence__detention__detainee",
            "cited_transfers__detention__detainee", "cited_designations__detainee", "statements__detainees",
            "cited_exchanges__participants__detainee",
        ]  # fmt: skip
        condition = models.Q()
        for path in paths:
            condition |= models.Q(pk__in=Source.objects.filter(**{path: detainee_id}).values("pk"))
        return self.filter(condition)


class StatementQuerySet(models.QuerySet):
    """Queries on statements; a statement about any draft record stays out of public view."""

    def published(self):
        return self.exclude(detainees__is_published=False).exclude(exchanges__is_published=False)

    def visible_to(self, user):
        if user is not None and user.is_active and user.is_staff and user.has_perm("sources.change_statement"):
            return self.all()
        return self.published()


class Outlet(TimeStampedModel):
    """A publisher of sources: a wire agency, a newspaper, a government, an NGO."""

    Kind = OutletKind

    name = models.CharField(max_length=200, unique=True, help_text='Name as the outlet styles itself, e.g. "TASS".')
    country = CountryField(blank=True, db_index=True, help_text="Country the outlet is based in (ISO 3166-1 alpha-2).")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        db_index=True,
        help_text="What sort of publisher it is.",
    )
    website = models.URLField(blank=True, help_text="Home page of the outlet.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=OutletKind.values), name="outlet_kind_valid")]

    def __str__(self):
        return self.name


class Source(PartialDatesMixin, TimeStampedModel):
    """An article or document that records cite."""

    partial_date_fields = ("published_on",)

    title = models.CharField(max_length=500, help_text="Headline or document title, as published.")
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Address of the original; unique when given. Empty for offline documents.",
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="sources", help_text="Who published it."
    )
    via = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relayed_sources",
        help_text="Agency the outlet reported through (e.g. RIA Novosti for a Moscow Times story), if any.",
    )
    published_on = models.DateField(null=True, blank=True, help_text="Publication date.")
    published_on_precision = precision_field("published_on")
    author = models.CharField(max_length=300, blank=True, help_text="Byline, if any.")
    language = models.CharField(
        max_length=8, blank=True, choices=settings.LANGUAGES, help_text="Language of the original (ISO 639-1 code)."
    )
    summary = models.TextField(
        blank=True, help_text="What the source says, in the editor's own words. Never paste the article."
    )
    archive_url = models.URLField(
        max_length=1000, blank=True, help_text="Archived copy (Wayback Machine, archive.today)."
    )
    text = models.TextField(
        blank=True,
        help_text="The article's full text, for staff only (intake matching). Never shown publicly or in the API.",
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        # Undated last on every database (PostgreSQL and SQLite differ on where NULLs go by default).
        ordering = [models.F("published_on").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~models.Q(url=""), name="source_url_unique"),
            precision_constraint("source", "published_on"),
        ]
        indexes = [models.Index(fields=["published_on"], name="source_published_on_idx")]

    def __str__(self):
        outlet = f" ({self.outlet})" if self.outlet_id else ""
        return f"{self.title}{outlet}"

    def get_absolute_url(self):
        return reverse("sources:source-detail", args=[self.pk])

    def citation_label(self) -> str:
        """Short reference: outlet, date."""
        parts = [str(self.outlet) if self.outlet_id else "", self.partial_date("published_on")]
        return ", ".join(p for p in parts if p) or self.title


class Statement(PartialDatesMixin, TimeStampedModel):
    """An official's public statement about detainees or exchanges, as reported by a source."""

    partial_date_fields = ("said_on",)

    speaker = models.CharField(max_length=200, db_index=True, help_text='Who spoke, e.g. "Sergei Vershinin".')
    speaker_role = models.CharField(
        max_length=200, blank=True, help_text='Their office, e.g. "Deputy Foreign Minister".'
    )
    speaker_country = CountryField(blank=True, db_index=True, help_text="Country the speaker speaks for.")
    said_on = models.DateField(null=True, blank=True, help_text="When it was said.")
    said_on_precision = precision_field("said_on")
    quote = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(600)],
        help_text="A short quote, one sentence at most (600 characters). Copy no more than that.",
    )
    summary = models.TextField(blank=True, help_text="What was said, in the editor's words, when there is no quote.")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="statements", help_text="Where the statement was reported."
    )
    detainees = models.ManyToManyField(
        "detainees.Detainee", blank=True, related_name="statements", help_text="The detainees it is about."
    )
    exchanges = models.ManyToManyField(
        "exchanges.Exchange", blank=True, related_name="statements", help_text="The exchanges it is about."
    )

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[detainees, exchanges])

    class Meta:
        ordering = ["-said_on", "-id"]
        constraints = [precision_constraint("statement", "said_on")]
        indexes = [models.Index(fields=["said_on"], name="statement_said_on_idx")]

    def __str__(self):
        when = self.partial_date("said_on")
        return f"{self.speaker}, {when}" if when else self.speaker


class Claim(TimeStampedModel):
    """One source's version of a disputed fact about a record.

    Where sources disagree (one side says two states mediated, the other that
    none did), each version is kept as a Claim with its source, rather than the
    editor choosing silently.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="Kind of record the claim is about."
    )
    object_id = models.PositiveBigIntegerField(help_text="Id of the record the claim is about.")
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=100, help_text='The fact in dispute, e.g. "mediators".')
    value = models.CharField(max_length=500, help_text='What this source says, e.g. "AE, SA" or "none".')
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims", help_text="Who says so.")
    note = models.TextField(blank=True, help_text="Context for readers.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["field", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="claim_record_idx")]

    def __str__(self):
        return f"{self.field}: {self.value} ({self.source.citation_label()})"

    COUNTRY_FIELDS = {"mediators", "held_by", "released_by", "received_by", "place_country", "country"}

    def value_display(self) -> str:
        """The value as readers read it: country codes of a country field as names ("AE, SA" → "United Arab
        Emirates, Saudi Arabia"); anything else as written."""
        if self.field not in self.COUNTRY_FIELDS:
            return self.value
        from django_countries import countries

        parts = [p.strip() for p in self.value.replace(";", ",").split(",")]
        names = [countries.name(p.upper()) if len(p) == 2 else "" for p in parts]
        return ", ".join(names) if all(names) else self.value
