"""Dates typed as sources give them: "2 May 2024", "2024-05-02", "May 2024", "2024-05", "2008", and as Russian
reports write them: "17 августа 2023 года", "17 авг. 2023 г.", "в мае 2024 г.", "май 2024", "2008 год".

One text field sets both the date and its precision. A form that could be read two ways ("05/02/2024": 5 February
or 2 May?) is refused with both readings shown, never guessed.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DatePrecision, format_partial_date

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
# Russian month names in every case a report uses them (nominative, genitive, prepositional) and short forms.
RUSSIAN_MONTHS = {
    name: number
    for number, names in enumerate(
        [("январь", "января", "январе", "янв"), ("февраль", "февраля", "феврале", "фев", "февр"),
         ("март", "марта", "марте", "мар"), ("апрель", "апреля", "апреле", "апр"), ("май", "мая", "мае"),
         ("июнь", "июня", "июне", "июн"), ("июль", "июля", "июле", "июл"), ("август", "августа", "августе", "авг"),
         ("сентябрь", "сентября", "сентябре", "сен", "сент"), ("октябрь", "октября", "октябре", "окт"),
         ("ноябрь", "ноября", "ноябре", "ноя", "нояб"), ("декабрь", "декабря", "декабре", "дек")],
        start=1,
    )
    for name in names
}  # fmt: skip
MONTHS.update(RUSSIAN_MONTHS)
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "в мае 2024 г.", "2008 года", "17 августа 2023 года": the preposition before and the word for "year" after.
_RUSSIAN_YEAR_WORD = re.compile(r"\s*(?:г\.?|гг\.?|год(?:а|у)?)$")
_RUSSIAN_PREPOSITION = re.compile(r"^(?:в|во|с|со|от|на|к)\s+")
HELP = _(
    'As precisely as the source gives it: "2 May 2024", "2024-05-02", "May 2024", "2024-05" or "2008" (or as '
    'Russian reports write it: "17 августа 2023 года", "в мае 2024 г."). A month or a year alone is kept as such '
    "and shown so."
)


def _date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("“%(text)s” is not a date in the calendar.") % {"text": text}, code="invalid") from None


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """(date, precision) for what an editor typed; a month or year is stored as its first day."""
    raw = " ".join(text.strip().replace(",", " ").split())
    low = _RUSSIAN_PREPOSITION.sub("", _RUSSIAN_YEAR_WORD.sub("", raw.lower().replace("ё", "е"))).strip()
    if m := re.fullmatch(r"(\d{4})", low):
        return _date(int(m[1]), 1, 1, raw), DatePrecision.YEAR
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", low):
        return _date(int(m[1]), int(m[2]), 1, raw), DatePrecision.MONTH
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", low):
        return _date(int(m[1]), int(m[2]), int(m[3]), raw), DatePrecision.DAY
    if m := re.fullmatch(rf"({MONTH})\.? (\d{{4}})", low):
        return _date(int(m[2]), MONTHS[m[1]], 1, raw), DatePrecision.MONTH
    if m := re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)? ({MONTH})\.? (\d{{4}})", low):
        return _date(int(m[3]), MONTHS[m[2]], int(m[1]), raw), DatePrecision.DAY
    if m := re.fullmatch(rf"({MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)? (\d{{4}})", low):
        return _date(int(m[3]), MONTHS[m[1]], int(m[2]), raw), DatePrecision.DAY
    if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", low):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        readings = []
        for day, month in ((a, b), (b, a)):
            try:
                readings.append(datetime.date(year, month, day))
            except ValueError:
                continue
        if len(set(readings)) == 1:
            return readings[0], DatePrecision.DAY
        if len(readings) == 2:
            first, second = (format_partial_date(d) for d in readings)
            raise ValidationError(
                _(
                    "“%(raw)s” could be %(first)s (day first) or %(second)s (month first). Type it unambiguously, "
                    'e.g. "%(first)s" or "%(iso)s".'
                )
                % {"raw": raw, "first": first, "second": second, "iso": readings[0].isoformat()},
                code="ambiguous",
            )
        raise ValidationError(_("“%(text)s” is not a date in the calendar.") % {"text": raw}, code="invalid")
    raise ValidationError(_("“%(text)s” is not a date this form reads. %(help)s") % {"text": raw, "help": HELP},
                          code="invalid")  # fmt: skip


class PartialDateField(forms.CharField):
    """A date and its precision in one text box; `clean()` gives (date, precision) or None."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", HELP)
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", _("e.g. 2 May 2024, May 2024, 2008"))
        self.widget.attrs.setdefault("size", 22)

    def to_python(self, value):
        text = super().to_python(value)
        return parse_partial_date(text) if text else None

    def has_changed(self, initial, data):
        """Changed only when the date or its precision differs from what the form showed: "17 February 2022" typed
        over the date 2022-02-17 is no change (an untouched inline row must not be saved again)."""
        try:
            new = self.to_python(data)
            old = self.to_python(initial) if isinstance(initial, str) else (initial, None) if initial else None
        except ValidationError:
            return True
        if old is None or new is None:
            return old != new
        return old[0] != new[0] or (old[1] is not None and old[1] != new[1])


class PartialDatesFormMixin:
    """For every `<field>`/`<field>_precision` pair of the model, one text field that takes the date as the source
    gives it; the precision follows from what was typed (its own input stays, hidden, for scripts that post it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for name in getattr(model, "partial_date_fields", ()):
            if name not in self.fields:
                continue
            old = self.fields[name]
            precision = f"{name}_precision"
            self.fields[name] = PartialDateField(required=old.required, label=old.label)
            if precision in self.fields:
                self.fields[precision].required = False
                self.fields[precision].widget = forms.HiddenInput()
            value = getattr(self.instance, name, None)
            if value:  # bound too: has_changed() compares what was typed with what was shown
                self.initial[name] = format_partial_date(value, getattr(self.instance, precision, DatePrecision.DAY))

    def clean(self):
        cleaned = super().clean()
        for name in getattr(self._meta.model, "partial_date_fields", ()):
            if name not in self.fields or not isinstance(self.fields[name], PartialDateField):
                continue
            parsed = cleaned.get(name)
            precision = f"{name}_precision"
            if parsed is None:
                cleaned[name] = None
                if precision in self.fields and name not in self.errors:
                    cleaned[precision] = DatePrecision.DAY
                continue
            value, typed = parsed
            posted = cleaned.get(precision)
            # A full date with a coarser precision posted beside it (a script, an old form) keeps the coarser one.
            if typed == DatePrecision.DAY and posted in (DatePrecision.MONTH, DatePrecision.YEAR):
                typed = posted
            cleaned[name] = value
            if precision in self.fields:
                cleaned[precision] = typed
        return cleaned
