"""Prisoner exchanges: who was released by which state and received by which."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Prefetch, Q
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from common.fastpaths import url as fast_url
from common.history import HistoricalRecords
from common.models import (
    PartialDatesMixin,
    PublishedQuerySet,
    ReviewedModel,
    TimeStampedModel,
    UniqueSlugMixin,
    precision_constraint,
    precision_field,
    review_constraint,
)
from detainees.models import Detainee, Group, captor_name, sources_field


class ExchangeQuerySet(PublishedQuerySet):
    """Queries on exchanges."""

    def search(self, query: str):
        """Every word in the name, place or description (in English or Russian), or in a participant's name (any
        spelling)."""
        from common.text import prefix_forms, search_words, word_start

        qs = self
        raws = query.split()[:10]
        for i, raw in enumerate(raws):
            condition = Q(name__icontains=raw) | Q(place__icontains=raw) | Q(description__icontains=raw)
            condition |= Q(name_ru__icontains=raw) | Q(place_ru__icontains=raw) | Q(description_ru__icontains=raw)
            folds = search_words(raw)
            if i == len(raws) - 1 and folds:  # the word being typed: any name it can be the start of
                folds = [*folds[:-1], *prefix_forms(raw)]
            for folded in folds:
                people = ExchangeParticipant.objects.filter(  # a word of the name begins so (common.text)
                    word_start("detainee__search_key", folded), detainee__is_published=True
                )
                condition |= Q(pk__in=people.values("exchange_id"))
            qs = qs.filter(condition)
        return qs

    def with_participants(self, user=None):
        """Prefetch the participants `user` may see (the public: never a draft person) with their detainees, and the
        counted people."""
        participants = (
            ExchangeParticipant.objects.visible_to(user)
            .select_related("detainee", "released_by_group", "received_by_group")
            .order_by("id")
        )
        counts = ExchangeCount.objects.select_related("released_by_group", "received_by_group").order_by("id")
        return self.prefetch_related(Prefetch("participants", queryset=participants), Prefetch("counts", counts))


NOT_ON_FILE = "a side not on file"  # an exchange side given neither as a state nor as a group (a key: kept English)
_NOT_ON_FILE_WORDS = gettext_noop("a side not on file")  # for the catalogue; pages show it through side_label()


def side_label(name) -> str:
    """A side's name as a page shows it: the words for a side not on file in the page's language."""
    return gettext(NOT_ON_FILE) if name == NOT_ON_FILE else name


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
    COMPLETED = "completed", _("Completed")
    PROPOSED = "proposed", _("Proposed")
    FAILED = "failed", _("Failed")


class Exchange(UniqueSlugMixin, PartialDatesMixin, ReviewedModel, TimeStampedModel):
    """A swap of prisoners between states; any number of people and countries."""

    partial_date_fields = ("date",)

    Status = ExchangeStatus

    name = models.CharField(max_length=200, help_text=_('"Griner–Bout exchange".'))
    name_ru = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("name in Russian"),
        help_text=_('The name for Russian pages (/ru/): "Обмен Грайнер — Бут"; empty shows the English one.'),
    )
    slug = models.SlugField(
        max_length=90, unique=True, editable=False, help_text=_("Address of the exchange page; set once from the name.")
    )
    date = models.DateField(null=True, blank=True, help_text=_("When the exchange took place (or was proposed)."))
    date_precision = precision_field("date")
    place = models.CharField(
        max_length=200, blank=True, help_text=_('Where the handover happened: "Abu Dhabi airport".')
    )
    place_ru = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("place in Russian"),
        help_text=_('The place for Russian pages (/ru/): "аэропорт Абу-Даби"; empty shows the English one.'),
    )
    place_country = CountryField(blank=True, db_index=True, help_text=_("Country of the place."))
    mediators = CountryField(multiple=True, blank=True, help_text=_("Countries that mediated."))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.COMPLETED,
        db_index=True,
        help_text=_("Whether it happened."),
    )
    description = models.TextField(blank=True, help_text=_("What happened, in the editor's words."))
    description_ru = models.TextField(
        blank=True,
        verbose_name=_("description in Russian"),
        help_text=_(
            "The same in Russian, for Russian pages (/ru/); empty shows the English one, marked not yet translated."
        ),
    )
    is_published = models.BooleanField(default=False, db_index=True, help_text=_("Visible to the public."))
    sources = sources_field("exchanges")
    claims = GenericRelation("sources.Claim", related_query_name="exchange")

    objects = ExchangeQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExchangeStatus.values), name="exchange_status_valid"),
            precision_constraint("exchange", "date"),
            review_constraint("exchange"),
        ]
        indexes = [models.Index(fields=["is_published", "-date"], name="exchange_published_date_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return fast_url("exchanges:exchange-detail", args=[self.slug])

    def clean(self):
        if self.pk is not None:
            people = [p.detainee for p in self.participants.select_related("detainee").prefetch_related(
                "detainee__detentions__held_by_group")]  # fmt: skip
            problems = custody_conflicts(self, people)
            if problems:
                from django.core.exceptions import ValidationError

                raise ValidationError({"status": problems})

    def party_codes(self) -> list[str]:
        """Countries that released or received someone, named or counted (uses prefetched participants, counts)."""
        codes = set()
        for p in [*self.participants.all(), *self.counts.all()]:
            codes.update([p.released_by.code, p.received_by.code])
        return sorted(codes - {""})

    def country_codes(self) -> list[str]:
        """Every country taking part: the parties and the mediators."""
        return sorted(set(self.party_codes()) | {c.code for c in self.mediators})

    def people_total(self) -> int:
        """Named participants plus people counted (uses prefetched participants and counts)."""
        return len(self.participants.all()) + sum(c.number for c in self.counts.all())

    @property
    def happened(self) -> bool:
        return self.status == ExchangeStatus.COMPLETED

    def directions(self) -> list[dict]:
        """Who went which way: one entry per (releasing, receiving) pair, named people and counts added together,
        largest first. A releasing or receiving side is a country or a group."""
        sides: dict[tuple, dict] = {}
        for row in [*self.participants.all(), *self.counts.all()]:
            key = (row.released_by.code, row.released_by_group_id, row.received_by.code, row.received_by_group_id)
            entry = sides.setdefault(key, {
                "released_by": captor_name(row.released_by, row.released_by_group, NOT_ON_FILE),
                "released_by_code": row.released_by.code,
                "released_by_group": row.released_by_group,
                "received_by": captor_name(row.received_by, row.received_by_group, NOT_ON_FILE),
                "received_by_code": row.received_by.code,
                "received_by_group": row.received_by_group,
                "participants": [], "counts": [], "total": 0,
            })  # fmt: skip
            if isinstance(row, ExchangeParticipant):
                entry["participants"].append(row)
                entry["total"] += 1
            else:
                entry["counts"].append(row)
                entry["total"] += row.number
        for entry in sides.values():
            entry["received_by_inferred"] = entry["released_by_inferred"] = False
        self._name_unrecorded_sides(sides)
        return sorted(sides.values(), key=lambda e: (-e["total"], e["released_by"], e["received_by"]))

    @staticmethod
    def _name_unrecorded_sides(sides: dict) -> None:
        """Name the blank sides `unrecorded_sides` can name, from the entry that records that side; the entry says
        so (`received_by_inferred` / `released_by_inferred`)."""
        for key, named in unrecorded_sides(sides).items():
            entry = sides[key]
            for prefix, side in named.items():
                at = slice(0, 2) if prefix == "received_by" else slice(2, 4)  # where `side` is the entry's own
                source = next(e for k, e in sides.items() if k[at] == side)
                counter = "released_by" if prefix == "received_by" else "received_by"
                entry[prefix] = source[counter]
                entry[f"{prefix}_code"] = source[f"{counter}_code"]
                entry[f"{prefix}_group"] = source[f"{counter}_group"]
                entry[f"{prefix}_inferred"] = True


Side = tuple[str, int | None]  # (country code, group id): ("", None) is a side not on file


def unrecorded_sides(keys) -> dict[tuple, dict[str, Side]]:
    """The one rule naming a side an exchange leaves blank (people counted, their receiver or releaser not on file),
    for the exchange page, the overview and the flows alike. `keys` are one exchange's directions as (released_by,
    released_by_group_id, received_by, received_by_group_id); the answer maps a key with a blank side to
    {"received_by" or "released_by": the side it is named by}.

    A blank side is named by the exchange's own record of its other side, when the exchange records exactly one:
    Israel released 1,027 counted people in the exchange in which Hamas released Gilad Shalit to Israel, so Israel's
    people went to Hamas's side. With no single such side it stays "a side not on file"."""
    keys, blank, named = list(keys), ("", None), {}
    for key in keys:
        released, received = key[:2], key[2:]
        for own, other, prefix in ((released, received, "received_by"), (received, released, "released_by")):
            if other != blank or own == blank:
                continue
            # Sides that went the opposite way from `own`: to `own` when `own` released, from it when it received
            if prefix == "received_by":
                opposite = {k[:2] for k in keys if k[2:] == own and k[:2] != blank}
            else:
                opposite = {k[2:] for k in keys if k[:2] == own and k[2:] != blank}
            if len(opposite) == 1:
                named.setdefault(key, {})[prefix] = opposite.pop()
    return named


class ExchangeParticipant(TimeStampedModel):
    """One person in an exchange, with the state that let them go and the one that took them."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="participants", help_text=_("The exchange.")
    )
    detainee = models.ForeignKey(
        Detainee, on_delete=models.PROTECT, related_name="exchange_participations", help_text=_("The person exchanged.")
    )
    released_by = CountryField(blank=True, help_text=_("The state that released the person."))
    released_by_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="released_participants",
        help_text=_("The group that released the person, when not a state."),
    )  # fmt: skip
    received_by = CountryField(blank=True, help_text=_("The state that received the person."))
    received_by_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="received_participants",
        help_text=_("The group that received the person, when not a state."),
    )  # fmt: skip
    note = models.CharField(max_length=300, blank=True, help_text=_("Anything particular about this person's part."))

    objects = ExchangeParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "detainee"], name="participant_once_per_exchange"),
            models.CheckConstraint(
                condition=~Q(released_by=models.F("received_by")) | Q(released_by=""), name="participant_changes_hands"
            ),
            models.CheckConstraint(
                condition=Q(released_by="") | Q(released_by_group=None), name="participant_one_releaser_at_most"
            ),
            models.CheckConstraint(
                condition=Q(received_by="") | Q(received_by_group=None), name="participant_one_receiver_at_most"
            ),
        ]
        indexes = [
            models.Index(fields=["released_by"], name="participant_released_by_idx"),
            models.Index(fields=["received_by"], name="participant_received_by_idx"),
        ]

    def __str__(self):
        return f"{self.detainee}: {side_label(self.released_by_name)} → {side_label(self.received_by_name)}"

    @property
    def released_by_name(self) -> str:
        return captor_name(self.released_by, self.released_by_group, NOT_ON_FILE)

    @property
    def received_by_name(self) -> str:
        return captor_name(self.received_by, self.received_by_group, NOT_ON_FILE)

    def clean(self):
        validate_sides(self)
        try:
            exchange = self.exchange  # in the admin, the exchange form's instance, with what the editor typed
        except Exchange.DoesNotExist:
            return
        if self.detainee_id and (problems := custody_conflicts(exchange, [self.detainee])):
            from django.core.exceptions import ValidationError

            raise ValidationError({"detainee": problems})


def custody_conflicts(exchange: Exchange, people) -> list[str]:
    """An exchange and its people agree: a completed, published exchange cannot have released someone whose custody
    on file is still open at its date. The one rule, checked from the participant's side (admin inline, API, import)
    and the exchange's (completing or publishing it); `Detention.exchanges_that_ended_it` checks it from the custody's
    side. The editor ends the custody (end reason “exchanged”, citing the exchange's sources): nothing is closed behind
    their back."""
    if exchange.status != ExchangeStatus.COMPLETED or not exchange.is_published:
        return []
    when = exchange.partial_date("date") or _("its date, not on file")
    problems = []
    for person in people:
        for detention in person.detentions.all():
            if detention.open_at(exchange.date, exchange.date_precision):
                problems.append(
                    _(
                        "%(name)s is still held by %(holder)s since %(since)s on file, but this completed, published "
                        "exchange released them (%(when)s). End that custody first (release date %(when)s, end "
                        "reason “exchanged”, citing the exchange's sources), or keep the exchange proposed or a draft."
                    )
                    % {"name": person.name, "holder": detention.holder_name,
                       "since": detention.partial_date("detained_on"), "when": when}  # fmt: skip
                )
    return problems


def validate_sides(row) -> None:
    """At most one of each pair (state or group), and the two sides differ."""
    from django.core.exceptions import ValidationError

    errors = {}
    if row.released_by and row.released_by_group_id:
        errors["released_by_group"] = [_("A state or a group released them, not both.")]
    if row.received_by and row.received_by_group_id:
        errors["received_by_group"] = [_("A state or a group received them, not both.")]
    if row.released_by and row.released_by == row.received_by:
        errors["received_by"] = [_("The receiving state must differ from the releasing one.")]
    if row.released_by_group_id and row.released_by_group_id == row.received_by_group_id:
        errors["received_by_group"] = [_("The receiving group must differ from the releasing one.")]
    if errors:
        raise ValidationError(errors)


class ExchangeCount(TimeStampedModel):
    """People of an exchange not entered one by one: a number going one way ("Russia released 95 Ukrainian POWs")."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="counts", help_text=_("The exchange.")
    )
    released_by = CountryField(blank=True, help_text=_("The state that released them."))
    released_by_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="released_counts",
        help_text=_("The group that released them, when not a state."),
    )  # fmt: skip
    received_by = CountryField(blank=True, help_text=_("The state that received them."))
    received_by_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="received_counts",
        help_text=_("The group that received them, when not a state."),
    )  # fmt: skip
    number = models.PositiveIntegerField(help_text=_("How many people went this way (beyond those named)."))
    description = models.CharField(
        max_length=300, blank=True, help_text=_('Who they were: "prisoners of war", "Palestinian prisoners".')
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gt=0), name="exchange_count_positive"),
            models.CheckConstraint(
                condition=Q(released_by="") | Q(released_by_group=None), name="exchange_count_one_releaser_at_most"
            ),
            models.CheckConstraint(
                condition=Q(received_by="") | Q(received_by_group=None), name="exchange_count_one_receiver_at_most"
            ),
        ]

    def __str__(self):
        sides = f"{side_label(self.released_by_name)} → {side_label(self.received_by_name)}"
        if self.description:
            return f"{self.number} {self.description}: {sides}"
        words = {"n": self.number, "sides": sides}
        return ngettext("%(n)s person: %(sides)s", "%(n)s people: %(sides)s", self.number or 0) % words

    @property
    def released_by_name(self) -> str:
        return captor_name(self.released_by, self.released_by_group, NOT_ON_FILE)

    @property
    def received_by_name(self) -> str:
        return captor_name(self.received_by, self.received_by_group, NOT_ON_FILE)

    def clean(self):
        validate_sides(self)
