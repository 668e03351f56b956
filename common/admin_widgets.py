"""Widgets that fit what editors type: a country or a currency found by typing its name, not a 250-item list.

Select2 comes with the admin (the same script as its autocomplete fields), so nothing is fetched from outside;
here it filters the options already on the page. `fitting_formfield()` is applied by `RecordAdminMixin` and by
every inline row, so every admin form that shows a country or a currency gets the same widget.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .currencies import currency_choices

SELECT2 = {
    "css": {"screen": ["admin/css/vendor/select2/select2.min.css", "admin/css/autocomplete.css",
                       "admin-extra/search-select.css"]},
    "js": [
        "admin/js/vendor/jquery/jquery.min.js",
        "admin/js/vendor/select2/select2.full.min.js",
        "admin/js/jquery.init.js",
        "admin-extra/search-select.js",
    ],
}


class SearchSelectMixin:
    """A select that becomes a type-to-find box (Select2 over its own options) once the page's script runs."""

    search_placeholder = _("Type a name")

    def __init__(self, attrs=None, choices=()):
        attrs = {"class": "search-select", "data-placeholder": self.search_placeholder,
                 "style": "width: 24em; max-width: 100%", **(attrs or {})}  # fmt: skip
        super().__init__(attrs, choices)

    @property
    def media(self):
        return forms.Media(**SELECT2)


class CountrySearchSelect(SearchSelectMixin, forms.Select):
    search_placeholder = _("Type a country's name")


class CountrySearchSelectMultiple(SearchSelectMixin, forms.SelectMultiple):
    search_placeholder = _("Type a country's name; add as many as apply")


class CurrencySearchSelect(SearchSelectMixin, forms.Select):
    search_placeholder = _("Type a code or a currency's name")


def fitting_formfield(db_field, formfield):
    """Swap the widget of a country or currency field for its type-to-find version; other fields unchanged."""
    if formfield is None:
        return formfield
    if isinstance(db_field, CountryField):
        multiple = db_field.multiple
        widget = CountrySearchSelectMultiple if multiple else CountrySearchSelect
        formfield.widget = widget(choices=formfield.widget.choices)
    elif db_field.name.endswith("_currency"):
        # A callable: the names are read in the language of the page the form is drawn on, not the one of the
        # moment the form class was made (the admin's forms are made once, in English).
        def choices():
            return [("", "---------"), *currency_choices()]

        field = forms.TypedChoiceField(
            choices=choices,
            required=formfield.required,
            label=formfield.label,
            help_text=formfield.help_text,
            empty_value="",
            validators=formfield.validators,
        )
        field.widget = CurrencySearchSelect(choices=choices)
        return field
    return formfield


def add_another(widget, model_field, admin_site):
    """`widget` with the admin's "+" beside it: a pop-up adds the missing record (an outlet, a group) and selects it,
    as on the admin's own forms, for the pages of our own (the one-screen editor, intake). Django's add view checks
    the permission; the pop-up's script is `ADD_ANOTHER_MEDIA`."""
    from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

    return RelatedFieldWidgetWrapper(widget, model_field.remote_field, admin_site, can_add_related=True,
                                     can_change_related=False, can_delete_related=False, can_view_related=False)


ADD_ANOTHER_MEDIA = forms.Media(js=["admin/js/vendor/jquery/jquery.min.js", "admin/js/jquery.init.js",
                                    "admin/js/admin/RelatedObjectLookups.js"])  # fmt: skip
