"""Who published what, and what officials said: the evidence behind every fact."""

import re

from django.conf import global_settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from common.fastpaths import url as fast_url
from common.history import HistoricalRecords
from common.models import (
    PartialDatesMixin,
    PublishedQuerySet,
    TimeStampedModel,
    UniqueSlugMixin,
    precision_constraint,
    precision_field,
)
from common.text import search_key, search_words, word_start


class OutletKind(models.TextChoices):
    WIRE_AGENCY = "wire_agency", _("Wire agency")
    STATE_MEDIA = "state_media", _("State media")
    INDEPENDENT = "independent", _("Independent")
    NEWSPAPER = "newspaper", _("Newspaper")
    BROADCASTER = "broadcaster", _("Broadcaster")
    GOVERNMENT = "government", _("Government")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "smid", "ref", "ref_src")


def url_key(url: str) -> str:
    """The same article's address however it was copied: no scheme, no "www.", no fragment, no tracking
    parameters (utm_*, fbclid…), no trailing slash, host in lower case. "" for an empty address."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in pairs if not k.lower().startswith(TRACKING_PARAMETERS))
    path = parts.path.rstrip("/") or ""
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


TITLE_NOISE = frozenset(
    "a an and are as at be by for from has have in into is it its of on or over says said that the their this to "
    "was were will with after about amid".split()
)


def title_words(title: str) -> set[str]:
    """A title's telling words, folded and cut to their first five letters ("Russians" and "Russian" agree)."""
    words = re.findall(r"\w+", title.casefold())
    return {w[:5] for w in words if w not in TITLE_NOISE and len(w) > 2}


def similar_titles(one: str, other: str) -> bool:
    """The same title (case, spacing, punctuation aside), or one sharing most of the other's telling words: half of
    the shorter title's and at least two ("Antonov: swap channel works" and "Antonov says the channel works")."""
    a, b = title_words(one), title_words(other)
    if not a or not b:
        return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()
    shared = len(a & b)
    return a == b or (shared >= 2 and shared * 2 >= min(len(a), len(b)))


class SourceQuerySet(models.QuerySet):
    def same_article(self, *, url: str = "", outlet=None, published_on=None, title: str = ""):
        """Sources that are this article already: the same address once copied differently (`url_key`), or the
        same outlet, publication date and title (case and spacing aside)."""
        found = []
        key = url_key(url)
        if key:
            last = key.split("?")[0].rsplit("/", 1)[-1] or key.split("/")[0]
            for source in self.filter(url__icontains=last).only("id", "url", "title"):
                if url_key(source.url) == key:
                    found.append(source.pk)
        if outlet and published_on and title.strip():
            same_day = self.filter(outlet=outlet, published_on=published_on)
            for pk, theirs, headline in same_day.values_list("pk", "title", "headline_on_file"):
                # A title that is an editor's description (not the headline) cannot be compared: same outlet and
                # day is then reason enough to ask.
                if not headline or similar_titles(theirs, title):
                    found.append(pk)
        return self.filter(pk__in=found).select_related("outlet")

    """Queries on sources."""

    def search(self, query: str):
        qs = self
        for word in query.split()[:10]:
            qs = qs.filter(
                models.Q(title__icontains=word) | models.Q(author__icontains=word)
                | models.Q(summary__icontains=word) | models.Q(outlet__name__icontains=word)
            )  # fmt: skip
        return qs

    def cited_in_case(self, detainee_id: int, user=None):
        """Sources cited anywhere in one case: the person, their custody, and the statements and exchanges about
        them that `user` may see (a draft exchange or a statement about a draft is not part of a public case)."""
        from django.apps import apps

        exchanges = apps.get_model("exchanges", "Exchange").objects.visible_to(user)
        paths = {
            "cited_detainees": {}, "cited_detentions__detainee": {}, "cited_charges__detention__detainee": {},
            "cited_sentences__detention__detainee": {}, "cited_sentence_changes__sentence__detention__detainee": {},
            "cited_transfers__detention__detainee": {}, "cited_designations__detainee": {},
            "cited_counsel__detention__detainee": {}, "cited_custody_extensions__detention__detainee": {},
            "statements__detainees": {"statements__in": Statement.objects.visible_to(user)},
            "cited_exchanges__participants__detainee": {"cited_exchanges__in": exchanges},
        }  # fmt: skip
        condition = models.Q()
        for path, visible in paths.items():
            condition |= models.Q(pk__in=Source.objects.filter(**{path: detainee_id}, **visible).values("pk"))
        return self.filter(condition)


class StatementQuerySet(PublishedQuerySet):
    """Queries on statements. The rule for drafts (stated on /about/): a statement is shown with its public subjects
    only, a draft subject never shown nor counted; one about drafts alone is part of those drafts and stays hidden
    until one of them is published. A statement about no record at all is public."""

    def published(self):
        links = {name: Statement._meta.get_field(name).remote_field.through for name in ("detainees", "exchanges")}
        about = {name: through.objects.filter(statement_id=models.OuterRef("pk")) for name, through in links.items()}
        public = models.Exists(about["detainees"].filter(detainee__is_published=True)) | models.Exists(
            about["exchanges"].filter(exchange__is_published=True)
        )
        anything = models.Exists(about["detainees"]) | models.Exists(about["exchanges"])
        return self.filter(public | ~anything)

    def with_subjects(self, user):
        """The people and exchanges each statement is about, those `user` may see only (`statement.detainees.all()`
        and `.exchanges.all()` then name no draft)."""
        from django.apps import apps

        detainees = apps.get_model("detainees", "Detainee").objects.visible_to(user)
        exchanges = apps.get_model("exchanges", "Exchange").objects.visible_to(user)
        return self.prefetch_related(models.Prefetch("detainees", detainees), models.Prefetch("exchanges", exchanges))


class AddressesAsUris(models.Model):
    """Web addresses are stored as URIs: an address pasted with non-ASCII letters (a Cyrillic path) or control
    characters is percent-encoded on every path (`full_clean`), so what the API gives back is the `format: uri` its
    schema promises (schemathesis found a fragment with a control character accepted and returned as it came)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.URLField) and value:
                setattr(self, field.attname, iri_to_uri(value.strip()))
        super().clean_fields(exclude=exclude)


class Outlet(AddressesAsUris, TimeStampedModel):
    """A publisher of sources: a wire agency, a newspaper, a government, an NGO."""

    Kind = OutletKind

    name = models.CharField(max_length=200, unique=True, help_text=_('Name as the outlet styles itself, e.g. "TASS".'))
    country = CountryField(
        blank=True, db_index=True, help_text=_("Country the outlet is based in (ISO 3166-1 alpha-2).")
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        db_index=True,
        help_text=_("What sort of publisher it is."),
    )
    website = models.URLField(blank=True, help_text=_("Home page of the outlet."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=OutletKind.values), name="outlet_kind_valid")]

    def __str__(self):
        return self.name


class Source(AddressesAsUris, PartialDatesMixin, TimeStampedModel):
    """An article or document that records cite."""

    partial_date_fields = ("published_on",)

    title = models.CharField(max_length=500, help_text=_("Headline or document title, as published."))
    headline_on_file = models.BooleanField(
        default=True,
        help_text=_(
            "Untick when the exact headline is not known: the title is then the editor's short description, "
            'and pages say "headline not on file". Never invent a headline.'
        ),
    )
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text=_("Address of the original; unique when given. Empty for offline documents."),
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text=_("Who published it."),
    )
    via = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relayed_sources",
        help_text=_("Agency the outlet reported through (e.g. RIA Novosti for a Moscow Times story), if any."),
    )
    published_on = models.DateField(null=True, blank=True, help_text=_("Publication date."))
    published_on_precision = precision_field("published_on")
    author = models.CharField(max_length=300, blank=True, help_text=_("Byline, if any."))
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=global_settings.LANGUAGES,  # every language a source may be in, not only the site's own
        help_text=_("Language of the original (ISO 639-1 code)."),
    )
    summary = models.TextField(
        blank=True, help_text=_("What the source says, in the editor's own words. Never paste the article.")
    )
    summary_ru = models.TextField(
        blank=True,
        verbose_name=_("summary in Russian"),
        help_text=_(
            "The summary in Russian, for Russian pages (/ru/); empty shows the English one, marked not yet translated."
        ),
    )
    archive_url = models.URLField(
        max_length=1000, blank=True, help_text=_("Archived copy (Wayback Machine, archive.today).")
    )
    text = models.TextField(
        blank=True,
        help_text=_("The article's full text, for staff only (intake matching). Never shown publicly or in the API."),
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
        return fast_url("sources:source-detail", args=[self.pk])

    def clean(self):
        """One article, one source: an address that is a source's already, copied with another scheme, "www.",
        tracking parameters or a trailing slash, is refused on every path (admin, API, intake, import)."""
        super().clean()
        if self.url:
            others = Source.objects.exclude(pk=self.pk).same_article(url=self.url)
            if others:
                other = others[0]
                message = f"This article is on file already as source #{other.pk}, “{other.title}” ({other.url})."
                # code "unique": the API answers a 409 naming `url`, as for any value another record already has
                raise ValidationError({"url": ValidationError(message, code="unique")})

    def citation_label(self) -> str:
        """Short reference: outlet, date."""
        parts = [str(self.outlet) if self.outlet_id else "", self.partial_date("published_on")]
        return ", ".join(p for p in parts if p) or self.title


class OfficialQuerySet(models.QuerySet):
    def search(self, query: str):
        """Every word of `query` begins a word of a name, original-script name or alias, in any spelling ("Sergey" =
        "Sergei")."""
        qs = self
        for word in search_words(query):
            qs = qs.filter(word_start("search_key", word))
        return qs


class Official(UniqueSlugMixin, TimeStampedModel):
    """A person who speaks for a state or an organisation: a public record, one page with their statements."""

    name = models.CharField(
        max_length=200, help_text=_('Name in Latin script as most sources write it: "Sergei Ryabkov".')
    )
    slug = models.SlugField(
        max_length=90,
        unique=True,
        editable=False,
        help_text=_("Address of the official's page; set once from the name."),
    )
    name_original = models.CharField(
        max_length=200, blank=True, help_text=_('Name in the original script: "Сергей Рябков".')
    )
    aliases = models.JSONField(default=list, blank=True, help_text=_('Other spellings, as a list: ["Sergey Ryabkov"].'))
    country = CountryField(blank=True, db_index=True, help_text=_("Country they speak for."))
    role = models.CharField(
        max_length=200, blank=True, help_text=_('Current or last office: "Deputy Foreign Minister".')
    )
    description_ru = models.TextField(
        blank=True,
        verbose_name=_("description in Russian"),
        help_text=_("Who they are, in Russian, for Russian pages (/ru/)."),
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q123456.")],
        help_text=_("Wikidata item."),
    )
    search_key = models.TextField(editable=False, default="", help_text=_("Folded names for search; derived."))

    objects = OfficialQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return fast_url("sources:official-detail", args=[self.slug])

    def clean(self):
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a.strip() for a in self.aliases):
            raise ValidationError({"aliases": [_("Aliases must be a list of non-empty names.")]})
        self.aliases = [a.strip() for a in self.aliases]

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name, self.name_original, *(self.aliases or []))
        super().save(*args, **kwargs)


class Statement(PartialDatesMixin, TimeStampedModel):
    """An official's public statement about detainees or exchanges, as reported by a source."""

    partial_date_fields = ("said_on",)

    speaker = models.CharField(max_length=200, db_index=True, help_text=_('Who spoke, e.g. "Sergei Vershinin".'))
    speaker_role = models.CharField(
        max_length=200, blank=True, help_text=_('Their office, e.g. "Deputy Foreign Minister".')
    )
    speaker_country = CountryField(blank=True, db_index=True, help_text=_("Country the speaker speaks for."))
    official = models.ForeignKey(
        Official,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text=_("The official on file who spoke; `speaker` keeps the name as the source gave it."),
    )
    said_on = models.DateField(null=True, blank=True, help_text=_("When it was said."))
    said_on_precision = precision_field("said_on")
    quote = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(600)],
        help_text=_("A short quote, one sentence at most (600 characters). Copy no more than that."),
    )
    summary = models.TextField(blank=True, help_text=_("What was said, in the editor's words, when there is no quote."))
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="statements", help_text=_("Where the statement was reported.")
    )
    detainees = models.ManyToManyField(
        "detainees.Detainee", blank=True, related_name="statements", help_text=_("The detainees it is about.")
    )
    exchanges = models.ManyToManyField(
        "exchanges.Exchange", blank=True, related_name="statements", help_text=_("The exchanges it is about.")
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


# The kinds of record a claim may be about, as the API names them: about_type → (app label, model).
CLAIM_TYPES = {
    "detainee": ("detainees", "detainee"),
    "detention": ("detainees", "detention"),
    "exchange": ("exchanges", "exchange"),
}


def disputed_fields(claims) -> dict[str, list]:
    """Claims by the field they dispute ({"mediators": [claim, claim]}), so a page shows a disputed field as
    disputed, with each version's source, where it shows the field."""
    fields: dict[str, list] = {}
    for claim in claims:
        fields.setdefault(claim.field, []).append(claim)
    return fields


class ClaimQuerySet(models.QuerySet):
    def published(self):
        """Claims about published records only: a draft's claims stay as hidden as the draft."""
        from django.apps import apps

        q = models.Q()
        for about_type, (app_label, model_name) in CLAIM_TYPES.items():
            model = apps.get_model(app_label, model_name)
            public = model.objects.filter(detainee__is_published=True) if about_type == "detention" else (
                model.objects.filter(is_published=True))  # fmt: skip
            q |= models.Q(
                content_type__app_label=app_label, content_type__model=model_name, object_id__in=public.values("pk")
            )
        return self.filter(q)


class Claim(TimeStampedModel):
    """One source's version of a disputed fact about a record.

    Where sources disagree (one side says two states mediated, the other that
    none did), each version is kept as a Claim with its source, rather than the
    editor choosing silently.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text=_("Kind of record the claim is about.")
    )
    object_id = models.PositiveBigIntegerField(help_text=_("Id of the record the claim is about."))
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=100, help_text=_('The fact in dispute, e.g. "mediators".'))
    value = models.CharField(max_length=500, help_text=_('What this source says, e.g. "AE, SA" or "none".'))
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims", help_text=_("Who says so."))
    note = models.TextField(blank=True, help_text=_("Context for readers."))

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["field", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="claim_record_idx")]

    def __str__(self):
        return f"{self.field}: {self.value} ({self.source.citation_label()})"

    @property
    def about_type(self) -> str:
        key = (self.content_type.app_label, self.content_type.model) if self.content_type_id else None
        return next((k for k, v in CLAIM_TYPES.items() if v == key), "")

    def clean(self):
        if self.content_type_id and self.object_id is not None:
            model = self.content_type.model_class()
            if model is None or not model._default_manager.filter(pk=self.object_id).exists():
                raise ValidationError({"about_id": [_("No such record.")]})

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
