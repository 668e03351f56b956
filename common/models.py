"""Pieces every app shares: timestamps, partial dates and the published queryset."""

import datetime
import functools
import random
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base giving every record indexed creation and update times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text=_("When the record was first saved."))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, help_text=_("When the record was last saved."))

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        """Django's, without a query for a constraint the values in hand decide (`common.constraints`)."""
        from common.constraints import validate_constraints

        validate_constraints(self, exclude)

    def clean_fields(self, exclude=None):
        """Django's, without asking the database again whether a related record this instance holds exists.

        `ForeignKey.validate` sends `SELECT 1 … WHERE id = %s` for every foreign key; when the instance holds the
        related record itself, read from the database in this request (the API's related fields read it to
        validate the id they were given), the answer is known. Anything else is Django's own check; the database's
        foreign key holds every row regardless (a record deleted meanwhile fails the write at commit: a 409)."""
        held = {f.name for f in self._meta.concrete_fields if _holds_related_row(self, f)}
        super().clean_fields(exclude=set(exclude or ()) | held)


def _holds_related_row(instance, field) -> bool:
    """Whether `instance` holds, for this foreign key, the related row itself as read from the database."""
    if not field.many_to_one or field.remote_field.parent_link or not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return (related is not None and not related._state.adding and field.target_field.primary_key
            and related.pk == getattr(instance, field.attname) and not field.get_limit_choices_to())  # fmt: skip


class DatePrecision(models.TextChoices):
    """How much of a date a source actually gives."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


# What each partial date is, in the words an editor or a script author reads in help texts.
DATE_IN_WORDS = {
    "born_on": _("the date of birth"),
    "detained_on": _("the date of detention"),
    "released_on": _("the date custody ended"),
    "last_confirmed_on": _("the date the person was last confirmed held"),
    "moved_on": _("the date of the move"),
    "charged_on": _("the date of the charge"),
    "sentenced_on": _("the date of the sentence"),
    "changed_on": _("the date of the change"),
    "counted_from": _("the date of the start the term is counted from"),
    "decided_on": _("the date of the decision"),
    "extended_to": _("the date custody was extended to"),
    "designated_on": _("the date of the designation"),
    "withdrawn_on": _("the date it was withdrawn"),
    "date": _("the date"),
    "published_on": _("the date of publication"),
    "said_on": _("the date it was said"),
}


def precision_field(date_field: str, **kwargs) -> models.CharField:
    """The `<date>_precision` companion of a partial date field."""
    what = DATE_IN_WORDS.get(date_field, DATE_IN_WORDS["date"])
    return models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=format_lazy(
            _(
                "How much of {what} the sources give: the day; the month only (kept as the 1st of the month); or "
                "the year only (kept as 1 January). Typing “May 2024” or “2008” as the date sets it."
            ),
            what=what,
        ),
        **kwargs,
    )


def precision_constraint(model_name: str, date_field: str) -> models.CheckConstraint:
    """Pin a precision column to its choices in the database."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{date_field}_precision__in": DatePrecision.values}),
        name=f"{model_name}_{date_field}_precision_valid",
    )


def truncate_date(value: datetime.date | None, precision: str) -> datetime.date | None:
    """Store a partial date as the first day of its month or year."""
    if value is None:
        return None
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    return value


# Month names in the three grammatical cases a sentence may need (Russian: "февраль 2022 г.", "с февраля 2022 г.",
# "в феврале 2022 г."); English uses one form for all three. Translated in the catalogues, so a new language is a
# catalogue too.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
MONTH_FORMS = {
    "nominative": [
        pgettext_lazy("month, nominative", "January"), pgettext_lazy("month, nominative", "February"),
        pgettext_lazy("month, nominative", "March"), pgettext_lazy("month, nominative", "April"),
        pgettext_lazy("month, nominative", "May"), pgettext_lazy("month, nominative", "June"),
        pgettext_lazy("month, nominative", "July"), pgettext_lazy("month, nominative", "August"),
        pgettext_lazy("month, nominative", "September"), pgettext_lazy("month, nominative", "October"),
        pgettext_lazy("month, nominative", "November"), pgettext_lazy("month, nominative", "December"),
    ],
    "genitive": [
        pgettext_lazy("month, genitive", "January"), pgettext_lazy("month, genitive", "February"),
        pgettext_lazy("month, genitive", "March"), pgettext_lazy("month, genitive", "April"),
        pgettext_lazy("month, genitive", "May"), pgettext_lazy("month, genitive", "June"),
        pgettext_lazy("month, genitive", "July"), pgettext_lazy("month, genitive", "August"),
        pgettext_lazy("month, genitive", "September"), pgettext_lazy("month, genitive", "October"),
        pgettext_lazy("month, genitive", "November"), pgettext_lazy("month, genitive", "December"),
    ],
    "prepositional": [
        pgettext_lazy("month, prepositional", "January"), pgettext_lazy("month, prepositional", "February"),
        pgettext_lazy("month, prepositional", "March"), pgettext_lazy("month, prepositional", "April"),
        pgettext_lazy("month, prepositional", "May"), pgettext_lazy("month, prepositional", "June"),
        pgettext_lazy("month, prepositional", "July"), pgettext_lazy("month, prepositional", "August"),
        pgettext_lazy("month, prepositional", "September"), pgettext_lazy("month, prepositional", "October"),
        pgettext_lazy("month, prepositional", "November"), pgettext_lazy("month, prepositional", "December"),
    ],
}  # fmt: skip


def format_partial_date(
    value: datetime.date | None, precision: str = DatePrecision.DAY, form: str = "nominative"
) -> str:
    """Show a date only as precisely as it is known, in the active language: "17 February 2022", "February 2022",
    "2008"; in Russian "17 февраля 2022 г.", "февраль 2022 г.", "2008 г.". `form` is the grammatical case a
    sentence needs for a month alone ("genitive": "с февраля 2022 г."; "prepositional": "в феврале 2022 г.")."""
    if value is None:
        return ""
    return _formatted_date(value, precision, form, get_language())


@functools.lru_cache(maxsize=4096)
def _formatted_date(value: datetime.date, precision: str, form: str, language: str | None) -> str:
    """`format_partial_date`'s words, kept per language: a case page formats a few dozen dates, each two or three
    catalogue look-ups that walk the chain of fallback catalogues (a third of a cold page's gettext calls)."""
    if precision == DatePrecision.YEAR:
        return pgettext("partial date: a year alone", "%(year)s") % {"year": value.year}
    if precision == DatePrecision.MONTH:
        month = MONTH_FORMS[form][value.month - 1]
        return pgettext("partial date: a month and its year", "%(month)s %(year)s") % {
            "month": month,
            "year": value.year,
        }
    return pgettext("partial date: a day", "%(day)s %(month)s %(year)s") % {
        "day": value.day, "month": MONTH_FORMS["genitive"][value.month - 1], "year": value.year}  # fmt: skip


def iso_partial_date(value: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """ISO 8601 at the precision known: "2022-02-17", "2022-02", "2008" (schema.org dates accept all three)."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def span_last_day(value: datetime.date, precision: str) -> datetime.date:
    """The last day a partial date can mean: "August 2019" → 31 August 2019, "2008" → 31 December 2008."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        following = (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    return value


def certain_days(start, start_precision, end, end_reason, today: datetime.date) -> int:
    """Days certainly in custody: a partial start counts from its span's last day, a partial end (stored as its
    span's first day) until that day; an end whose date is not on file gives no certain day."""
    if start is None or (end is None and end_reason):
        return 0
    return max(((end or today) - span_last_day(start, start_precision)).days, 0)


def certain_start(start, start_precision, confirmed, confirmed_precision, released, released_precision):
    """From when a custody is certain: its start, or, when no report dates the start, the earliest day a report
    shows it under way: the day a report confirmed it (the end of that date's span) or the day of its release (a
    release on a known day proves the custody on that day; one known only as a month proves no day: its span's
    last day comes after the first, until which the custody is certain). (date or None, precision). The same rule
    as `detainees.filters.held_on_q`, in SQL."""
    if start is not None:
        return start, start_precision
    known = [
        span_last_day(day, precision)
        for day, precision in ((confirmed, confirmed_precision), (released, released_precision))
        if day is not None
    ]
    return (min(known) if known else None), DatePrecision.DAY


class PartialDatesMixin:
    """Normalise every `<field>` that has a `<field>_precision` companion before validation.

    Models list their partial date fields in `partial_date_fields`.
    """

    partial_date_fields: tuple[str, ...] = ()

    def normalise_partial_dates(self) -> None:
        for field in self.partial_date_fields:
            precision = getattr(self, f"{field}_precision")
            setattr(self, field, truncate_date(getattr(self, field), precision))

    def clean_fields(self, exclude=None):
        self.normalise_partial_dates()
        super().clean_fields(exclude=exclude)

    def partial_date(self, field: str) -> str:
        """The field formatted with its own precision."""
        return format_partial_date(getattr(self, field), getattr(self, f"{field}_precision"))


def certainly_before(a, a_precision: str, b, b_precision: str) -> bool:
    """Whether every day `a` can mean comes before every day `b` can mean: the one test of order between two partial
    dates. "February 2022" is not certainly before "17 February 2022" (the spans overlap); "January 2022" is."""
    if a is None or b is None:
        return False
    return span_last_day(a, a_precision) < truncate_date(b, b_precision)


def check_order(
    errors: dict, earlier, earlier_precision: str, later, later_precision: str, later_field: str, message: str
) -> None:
    """Record `message` against `later_field` when `later` certainly comes before `earlier` (every day of its span
    before every day of the other's); two spans that overlap may be in order and are accepted."""
    if certainly_before(later, later_precision, earlier, earlier_precision):
        shown_later = format_partial_date(later, later_precision)
        shown_earlier = format_partial_date(earlier, earlier_precision)
        errors.setdefault(later_field, []).append(
            _("%(message)s (%(later)s is before %(earlier)s.)")
            % {"message": message, "later": shown_later, "earlier": shown_earlier}
        )


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


class PublishedQuerySet(models.QuerySet):
    """Visibility in one place: what the public may see.

    Every page, list, filter, facet, count, join and feed starts from `published()` or `visible_to(user)`; a join
    through a case (an exchange's participants, a source's citing cases) goes through `previews()` as well, so a
    draft leaves no trace anywhere, not even as a count.
    """

    def published(self):
        return self.filter(is_published=True)

    def under_the_sourcing_rule(self):
        """Cases held to "published means sourced": the public ones, and those awaiting review (asked to be public:
        common.review), so that asking to publish is refused while a fact is unsourced, as publishing is."""
        if any(f.name == "awaiting_review" for f in self.model._meta.concrete_fields):
            return self.filter(Q(is_published=True) | Q(awaiting_review=True))
        return self.published()

    def previews(self, user) -> bool:
        """Whether `user` may see this model's drafts: staff who may change the records."""
        opts = self.model._meta
        return bool(
            user is not None
            and user.is_active
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def visible_to(self, user):
        """Everything for staff who may change the records (preview), the published rest for others."""
        return self.all() if self.previews(user) else self.published()


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 80, skip: int = 0) -> str:
    """A slug for `text` not yet taken in `model` (Cyrillic transliterated, "-2", "-3" on clashes); `skip` passes
    over that many free ones first (see `UniqueSlugMixin`)."""
    from django.utils.text import slugify

    from common.text import transliterate

    text = re.sub(r"[\u2010-\u2015/]", "-", text)  # "Griner–Bout" → "griner-bout", not "grinerbout"
    base = slugify(transliterate(text))[:max_length].strip("-") or model._meta.model_name
    slug, n = base, 1
    while True:
        reserved = getattr(model, "slug_reserved", None)  # a model may keep addresses that redirect (merges)
        if not model._default_manager.filter(slug=slug).exists() and not (reserved and reserved(slug)):
            if skip == 0:
                return slug
            skip -= 1
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"


SLUG_ATTEMPTS = 25


class UniqueSlugMixin:
    """A record saved without a slug gets one from its name, unique even when others with the same name are being
    created at the same moment.

    Choosing a free slug and inserting it are two statements: two requests may both find "ivan-petrov" free, and the
    database's unique index refuses the second (once a 500). The insert runs in a savepoint; when the slug turns out
    taken, it is chosen again, a little further along each time (a random number of free slugs passed over) so that
    many writers racing for the same name do not keep colliding on the same next one.
    """

    slug_source = "name"

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        model = self._meta.concrete_model
        using = kwargs.get("using") or router.db_for_write(model, instance=self)
        max_length = self._meta.get_field("slug").max_length
        for attempt in range(SLUG_ATTEMPTS):
            self.slug = unique_slug(model, getattr(self, self.slug_source), max_length=max_length,
                                    skip=random.randrange(2 * attempt + 1))  # fmt: skip
            try:
                with transaction.atomic(using=using):
                    return super().save(*args, **kwargs)
            except IntegrityError:
                taken = model._default_manager.using(using).filter(slug=self.slug).exists()
                if not taken or attempt == SLUG_ATTEMPTS - 1:  # another rule broken, or no luck at all: as it is
                    self.slug = ""
                    raise


class ReviewState(models.TextChoices):
    """Where a case stands (read-only; `is_published` alone decides what the public sees)."""

    DRAFT = "draft", _("draft")
    AWAITING_REVIEW = "awaiting_review", _("awaiting review")
    PUBLISHED = "published", _("published")


class ReviewedModel(models.Model):
    """A case that a second editor checks before it goes public (see common.review). Its review state is derived
    from `is_published` and `awaiting_review`, never stored twice."""

    awaiting_review = models.BooleanField(
        default=False, editable=False,
        help_text=_("An editor asked to publish it; a second editor has not approved it yet. Not public meanwhile."),
    )  # fmt: skip
    last_checked_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text=_("When a second editor last approved or checked this case (never who)."),
    )  # fmt: skip

    class Meta:
        abstract = True

    @property
    def review_state(self) -> str:
        return review_state_of(self.is_published, self.awaiting_review)


def review_state_of(is_published: bool, awaiting_review: bool) -> str:
    """The one derivation of a case's review state."""
    if is_published:
        return ReviewState.PUBLISHED.value
    return (ReviewState.AWAITING_REVIEW if awaiting_review else ReviewState.DRAFT).value


def review_constraint(model_name: str) -> models.CheckConstraint:
    """A public case is not awaiting review."""
    return models.CheckConstraint(
        condition=~(Q(is_published=True) & Q(awaiting_review=True)), name=f"{model_name}_published_not_awaiting"
    )


class ReviewItem(models.Model):
    """One entry of the review queue: a case awaiting publication, or the changes to a published case since it was
    last checked. Open until a second editor (not one of `editors`) approves or checks it, or reverts it."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", _("publication to approve")
        CHANGE = "change", _("changes to check")

    class Outcome(models.TextChoices):
        OPEN = "", _("open")
        APPROVED = "approved", _("approved")
        CHECKED = "checked", _("checked")
        REVERTED = "reverted", _("reverted")
        SENT_BACK = "sent_back", _("sent back to draft")
        WITHDRAWN = "withdrawn", _("withdrawn")

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", help_text=_("Kind of case.")
    )
    object_id = models.PositiveBigIntegerField(help_text=_("The case's id."))
    kind = models.CharField(max_length=10, choices=Kind.choices, help_text=_("What the second editor decides."))
    since = models.DateTimeField(
        help_text=_("When the first change not yet checked began: history from here on is what to check.")
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True,
        help_text=_("Who made the changes to check: none of them may approve or check them."),
    )  # fmt: skip
    checks = models.JSONField(
        default=dict, blank=True,
        help_text=_("Whose changes in this item were checked, and by whom: {author's id: checker's id}. The item "
                    "closes when every author's changes were checked by someone other than that author."),
    )  # fmt: skip
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.OPEN, blank=True, help_text=_("How it was closed.")
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was closed."))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The second editor who closed it."),
    )  # fmt: skip

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("review item")
        permissions = [("review_cases", _("Can approve publications and check changes made by other editors"))]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], condition=Q(outcome=""), name="reviewitem_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "approved", "checked", "reverted", "sent_back", "withdrawn"]),
                name="reviewitem_outcome",
            ),
            models.CheckConstraint(condition=Q(kind__in=["publish", "change"]), name="reviewitem_kind"),
        ]
        indexes = [models.Index(fields=["outcome", "since"], name="reviewitem_open_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.object_id}"

    @property
    def case(self):
        return self.content_type.model_class()._base_manager.filter(pk=self.object_id).first()

    def case_name(self, case=None) -> str:
        """The case's name; for a deleted case (a deletion to check), its name as it last stood."""
        if case is not None:
            return str(case)
        model = self.content_type.model_class()
        last = model.history.filter(id=self.object_id).exclude(history_type="-").order_by("-history_date").first()
        return str(last.instance) if last is not None else f"#{self.object_id}"

    def checked_by_author(self) -> dict[int, int]:
        """{author's id: id of the editor who checked that author's changes} (h24)."""
        return {int(author): int(checker) for author, checker in (self.checks or {}).items()}

    def unchecked_authors(self) -> list:
        """The editors whose changes in this item no one else has checked yet."""
        done = self.checked_by_author()
        return [u for u in self.editors.all() if u.pk not in done]

    def progress(self) -> list[str]:
        """What was checked and what is left, author by author ("B’s changes checked by A", "A’s changes still to
        check by someone other than A"); empty while no author's part was checked."""
        from django.contrib.auth import get_user_model

        done = self.checked_by_author()
        if not done:
            return []
        editors = list(self.editors.all())
        names = {u.pk: u.get_username() for u in get_user_model()._default_manager.filter(pk__in=done.values())}
        lines = [str(_("%(author)s’s changes checked by %(checker)s") % {
                     "author": u.get_username(), "checker": names.get(done[u.pk], f"#{done[u.pk]}")})
                 for u in editors if u.pk in done]  # fmt: skip
        lines += [str(_("%(author)s’s changes still to check by someone other than %(author)s") % {
                      "author": u.get_username()}) for u in editors if u.pk not in done]  # fmt: skip
        return lines

    def close(self, outcome: str, user) -> None:
        from django.utils import timezone

        self.outcome, self.closed_by, self.closed_at = outcome, user, timezone.now()
        self.save(update_fields=["outcome", "closed_by", "closed_at"])


# --- Languages (h12): an editor's own language for the admin ------------------------------------------------------
class EditorLanguage(models.Model):
    """The language an editor reads the admin in (the admin's header sets it; see common.i18n)."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="editor_language", verbose_name=_("editor")
    )
    language = models.CharField(
        _("language"), max_length=10, help_text=_("The language of the admin for this editor, e.g. en-gb or ru.")
    )

    class Meta:
        verbose_name = _("editor's language")
        verbose_name_plural = _("editors' languages")

    def __str__(self):
        return f"{self.user} · {self.language}"
