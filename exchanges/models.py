"""Prisoner exchanges: who was released by which state and received by which."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django_countries import countries as all_countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.models import (
    PartialDatesMixin,
    PublishedQuerySet,
    TimeStampedModel,
    precision_constraint,
    precision_field,
    unique_slug,
)
from detainees.models import Detainee, sources_field


class ExchangeQuerySet(PublishedQuerySet):
    """Queries on exchanges."""

    def search(self, query: str):
        """Every word in the name, place or description, or in a participant's name (any spelling)."""
        from common.text import prefix_forms, search_words

        qs = self
        raws = query.split()[:10]
        for i, raw in enumerate(raws):
            condition = Q(name__icontains=raw) | Q(place__icontains=raw) | Q(description__icontains=raw)
            folds = search_words(raw)
            if i == len(raws) - 1 and folds:  # the word being typed: any name it can be the start of
                folds = [*folds[:-1], *prefix_forms(raw)]
            for folded in folds:
                people = ExchangeParticipant.objects.filter(
                    detainee__search_key__contains=folded, detainee__is_published=True
                )
                condition |= Q(pk__in=people.values("exchange_id"))
            qs = qs.filter(condition)
        return qs

    def with_participants(self, user=None):
        """Prefetch the participants `user` may see (the public: never a draft person) with their detainees."""
        participants = ExchangeParticipant.objects.visible_to(user).select_related("detainee").order_by("id")
        return self.prefetch_related(Prefetch("participants", queryset=participants))


class ExchangeParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The participants `user` may see: the person's case and the exchange both visible to them."""
        qs = self
        if not Detainee.objects.previews(user):
            qs = qs.filter(detainee__is_published=True)
        if not Exchange.objects.previews(user):
            qs = qs.filter(exchange__is_published=True)
        return qs


class ExchangeStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    PROPOSED = "proposed", "Proposed"
    FAILED = "failed", "Failed"


class Exchange(PartialDatesMixin, TimeStampedModel):
    """A swap of prisoners between states; any number of people and countries."""

    partial_date_fields = ("date",)

    Status = ExchangeStatus

    name = models.CharField(max_length=200, help_text='"Griner–Bout exchange".')
    slug = models.SlugField(
        max_length=90, unique=True, editable=False, help_text="Address of the exchange page; set once from the name."
    )
    date = models.DateField(null=True, blank=True, help_text="When the exchange took place (or was proposed).")
    date_precision = precision_field("date")
    place = models.CharField(max_length=200, blank=True, help_text='Where the handover happened: "Abu Dhabi airport".')
    place_country = CountryField(blank=True, db_index=True, help_text="Country of the place.")
    mediators = CountryField(multiple=True, blank=True, help_text="Countries that mediated.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.COMPLETED, db_index=True, help_text="Whether it happened."
    )
    description = models.TextField(blank=True, help_text="What happened, in the editor's words.")
    is_published = models.BooleanField(default=False, db_index=True, help_text="Visible to the public.")
    sources = sources_field("exchanges")
    claims = GenericRelation("sources.Claim", related_query_name="exchange")

    objects = ExchangeQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExchangeStatus.values), name="exchange_status_valid"),
            precision_constraint("exchange", "date"),
        ]
        indexes = [models.Index(fields=["is_published", "-date"], name="exchange_published_date_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exchanges:exchange-detail", args=[self.slug])

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Exchange, self.name)
        super().save(*args, **kwargs)

    def party_codes(self) -> list[str]:
        """Countries that released or received someone (uses prefetched participants)."""
        codes = set()
        for p in self.participants.all():
            codes.update([p.released_by.code, p.received_by.code])
        return sorted(codes)

    def country_codes(self) -> list[str]:
        """Every country taking part: the parties and the mediators."""
        return sorted(set(self.party_codes()) | {c.code for c in self.mediators})

    def directions(self) -> list[dict]:
        """Who went which way: one group per (released_by, received_by) pair, largest first."""
        groups: dict[tuple[str, str], list] = {}
        for p in self.participants.all():
            groups.setdefault((p.released_by.code, p.received_by.code), []).append(p)
        return [
            {
                "released_by": all_countries.name(a) or a,
                "released_by_code": a,
                "received_by": all_countries.name(b) or b,
                "received_by_code": b,
                "participants": people,
            }
            for (a, b), people in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]


class ExchangeParticipant(TimeStampedModel):
    """One person in an exchange, with the state that let them go and the one that took them."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="participants", help_text="The exchange."
    )
    detainee = models.ForeignKey(
        Detainee, on_delete=models.PROTECT, related_name="exchange_participations", help_text="The person exchanged."
    )
    released_by = CountryField(help_text="The state that released the person.")
    received_by = CountryField(help_text="The state that received the person.")
    note = models.CharField(max_length=300, blank=True, help_text="Anything particular about this person's part.")

    objects = ExchangeParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "detainee"], name="participant_once_per_exchange"),
            models.CheckConstraint(condition=~Q(released_by=models.F("received_by")), name="participant_changes_hands"),
        ]
        indexes = [
            models.Index(fields=["released_by"], name="participant_released_by_idx"),
            models.Index(fields=["received_by"], name="participant_received_by_idx"),
        ]

    def __str__(self):
        return f"{self.detainee}: {self.released_by.code} → {self.received_by.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.released_by and self.released_by == self.received_by:
            raise ValidationError({"received_by": "The receiving state must differ from the releasing one."})
