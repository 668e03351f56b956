"""Admin forms: friendlier widgets; the rules themselves live on the models."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Detainee, Sentence


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


class DetaineeAdminForm(forms.ModelForm):
    aliases = AliasesField(
        required=False,
        help_text="Other spellings and transliterations, one per line: Victor Bout, Виктор Бут …",
    )

    class Meta:
        model = Detainee
        fields = ["name", "name_original", "aliases", "citizenships", "description"]  # the admin adds its fieldsets


class SentenceAdminForm(forms.ModelForm):
    class Meta:
        model = Sentence
        fields = ["detention", "charges", "court", "sentenced_on", "sentenced_on_precision", "term_months"]

    def clean(self):
        cleaned = super().clean()
        charges = cleaned.get("charges")
        if charges is not None and self.instance.detention_id:
            try:
                self.instance.validate_charges(charges)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
