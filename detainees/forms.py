"""Admin forms: friendlier widgets; the rules themselves live on the models."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Detainee, Sentence
from .services import likely_duplicates


class AliasesField(forms.CharField):
    """A list of names entered one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        seen, names = set(), []
        for line in text.splitlines():
            name = line.strip()
            if name and name not in seen:
                seen.add(name)
                names.append(name)
        return names


def duplicates_message(similar) -> str:
    """The duplicate warning, each possible duplicate a link to its record (a new tab: the input here stays)."""
    links = format_html_join(
        ", ", '<a href="{}" target="_blank" rel="noopener">{} (#{}{})</a>',
        ((reverse("admin:detainees_detainee_change", args=[d.pk]), d.name, d.pk,
          gettext(", draft") if not d.is_published else "") for d in similar),
    )  # fmt: skip
    return format_html(
        gettext("Possible duplicates on file: {}. Open them to check (they open in a new tab); if this is a different "
          "person, tick “Not a duplicate” and save again."),
        links,
    )


class DetaineeAdminForm(forms.ModelForm):
    aliases = AliasesField(
        required=False,
        label=_("Aliases"),  # a declared field's label is made from its name, in English, unless given
        help_text=_("Other spellings and transliterations, one per line: Victor Bout, Виктор Бут …"),
    )

    not_a_duplicate = forms.BooleanField(
        required=False,
        label=_("Not a duplicate"),
        help_text=_("Tick when the records listed as possible duplicates are other people."),
    )

    class Meta:
        model = Detainee
        fields = ["name", "name_original", "aliases", "citizenships", "description"]  # the admin adds its fieldsets

    def clean(self):
        cleaned = super().clean()
        names_changed = {"name", "name_original", "aliases"} & set(self.changed_data)
        if names_changed and cleaned.get("name") and not cleaned.get("not_a_duplicate"):
            similar = likely_duplicates(
                name=cleaned["name"], name_original=cleaned.get("name_original", ""),
                aliases=cleaned.get("aliases") or [], exclude_pk=self.instance.pk,
                born_on=cleaned.get("born_on"), born_on_precision=cleaned.get("born_on_precision") or "day",
                citizenships=cleaned.get("citizenships") or [],
            )  # fmt: skip
            if similar:
                raise ValidationError(duplicates_message(similar))
        return cleaned


class SentenceAdminForm(forms.ModelForm):
    class Meta:
        model = Sentence
        fields = ["detention", "charges", "court", "court_city", "court_country", "in_absentia", "closed_trial",
                  "sentenced_on", "sentenced_on_precision", "term_months", "is_life", "is_death", "is_suspended",
                  "counted_from", "counted_from_precision", "combines", "combination", "fine_amount", "fine_currency",
                  "sources"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without it (a script written before h31's counted_from) means no date, at the day's precision.
        if "counted_from_precision" in self.fields:
            self.fields["counted_from_precision"].required = False

    def clean_counted_from_precision(self):
        return self.cleaned_data.get("counted_from_precision") or "day"

    def clean(self):
        cleaned = super().clean()
        charges = cleaned.get("charges")
        if charges is not None and self.instance.detention_id:
            try:
                self.instance.validate_charges(charges)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
