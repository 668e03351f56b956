"""Filter pieces shared by every FilterSet."""

import copy
import datetime
import functools
import operator

import django_filters
import django_filters.fields
from django import forms
from django.core.signals import setting_changed
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django_filters.filters import FilterMethod
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.utils import extend_schema_field

from common import fastpaths
from common.countries import country_choices


class FastSelect(forms.Select):
    """The <select> Django's widget renders, built in Python: the template renders each of 250 countries through
    an include, which cost a list page about 20 ms. The escaped options are kept per list of choices (one per
    language for the countries): escaping 250 values and names again cost every list page ~750 `escape` calls."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        choices = escaped_options(tuple((str(v), str(label)) for v, label in self.choices))
        options = "".join(f'<option value="{v}"{" selected" if raw in selected else ""}>{label}</option>'
                          for raw, v, label in choices)  # fmt: skip
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           mark_safe(options))  # fmt: skip


@functools.lru_cache(maxsize=32)
def escaped_options(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """(value, value escaped, label escaped) for each choice, as `format_html` escapes them."""
    return tuple((value, conditional_escape(value), conditional_escape(label)) for value, label in choices)


class SharedFields(dict):
    """A form class's fields, copied for each form by a shallow copy of each field instead of `deepcopy`: a filter
    form's fields are never changed by the form using them (nothing here sets a field's choices, widget or
    messages per request), and a deep copy of 15 fields, widgets and choices was ~1,400 Python calls per request."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class PreparedFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters, their form fields and the form class are made once per language and process.

    django-filter deep-copies every declared filter for each FilterSet it makes, builds each filter's form field
    again (its label translated), makes a new form class and deep-copies its fields into the form: ~7,000 Python
    calls for each list page, which makes one or more FilterSets. Here each FilterSet takes a shallow copy of the
    prepared filters (its own `parent`, its own method binding) and the prepared form class, whose fields each form
    copies shallowly (`SharedFields`). The filters, the form, its cleaned data and errors are what django-filter
    gives (tests/detainees/test_h57_list_python.py compares pages both ways; `common.fastpaths.plain()` switches
    this off)."""

    _prepared: dict = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if not fastpaths.enabled():
            return super().__init__(data, queryset, request=request, prefix=prefix)
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        filters, self._form_class = self.prepared(queryset.model)
        self.filters = {}
        for name, prepared in filters.items():
            filter_ = object.__new__(type(prepared))
            filter_.__dict__.update(prepared.__dict__)
            filter_.parent = self
            if isinstance(prepared.__dict__.get("filter"), FilterMethod):
                filter_.filter = FilterMethod(filter_)  # bound to this copy, so to this FilterSet's methods
            self.filters[name] = filter_

    @classmethod
    def prepared(cls, model) -> tuple[dict, type]:
        """The declared filters as django-filter copies them for `model` (with their form fields built, labels in the
        active language), and the form class made of those fields."""
        key = (cls, model, get_language())
        found = PreparedFilterSet._prepared.get(key)
        if found is None:
            filters = copy.deepcopy(cls.base_filters)
            for filter_ in filters.values():
                filter_.model = model
            fields = {name: filter_.field for name, filter_ in filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form_class.base_fields = SharedFields(form_class.base_fields)
            found = PreparedFilterSet._prepared[key] = (filters, form_class)
        return found

    def get_form_class(self):
        if "_form_class" in self.__dict__:
            return self._form_class
        return super().get_form_class()


def _forget_prepared(**kwargs):
    PreparedFilterSet._prepared.clear()


setting_changed.connect(_forget_prepared, dispatch_uid="h57-forget-prepared-filtersets")


ANY_OF_HELP = "Several values: repeat the parameter (`a=x&a=y`) or separate them with commas (`a=x,y`); any matches."


class AnyOfField(forms.Field):
    """A list of values, each cleaned by the single-value field the filter would otherwise use."""

    def __init__(self, single: forms.Field):
        self.single = single
        super().__init__(required=False, label=single.label, help_text=single.help_text)
        widget = copy.copy(single.widget)
        widget.__class__ = any_of_widget(type(single.widget))
        self.widget = widget

    def clean(self, value):
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        cleaned, errors = [], []
        for item in values:
            try:
                result = self.single.clean(item)
            except forms.ValidationError as exc:
                errors.extend(exc.error_list)  # unformatted: a "%" in a value must reach DRF as it was
            else:
                if result not in (None, "") and result not in cleaned:
                    cleaned.append(result)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


@functools.cache
def any_of_widget(widget_class):
    """`widget_class` reading every value of a parameter: repeated (`a=x&a=y`) and comma-separated (`a=x,y`)."""

    def value_from_datadict(self, data, files, name):
        raw = data.getlist(name) if hasattr(data, "getlist") else [data[name]] if name in data else []
        return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]

    return type(f"AnyOf{widget_class.__name__}", (widget_class,), {"value_from_datadict": value_from_datadict})


class AnyOfMixin:
    """A filter taking several values, any of which matches; an empty value is no filter.

    Plain filters become `<field>__in` (through a subquery when the path crosses a relation, so no row is repeated);
    a filter with a `method` receives the list of values.
    """

    @property
    def field(self):
        if not hasattr(self, "_any_of_field"):
            self._any_of_field = AnyOfField(super().field)
        return self._any_of_field

    def filter(self, qs, value):
        if not value:
            return qs
        if "__" not in self.field_name and not qs.model._meta.get_field(self.field_name).many_to_many:
            return qs.filter(**{f"{self.field_name}__in": value})
        matching = qs.model._default_manager.filter(**{f"{self.field_name}__in": value}).values("pk")
        return qs.filter(pk__in=matching)


class AnyOfChoiceFilter(AnyOfMixin, django_filters.ChoiceFilter):
    """One of the choices, or several."""


@extend_schema_field({"$ref": "#/components/schemas/CountryEnum"})  # the one country enum of the schema
class CountryChoiceFilter(AnyOfMixin, django_filters.ChoiceFilter):
    """An ISO 3166-1 alpha-2 code; unknown codes are a 400 naming the parameter, not an empty list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", country_choices)  # the active language's, one list (common.countries)
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class UpperCaseChoiceField(django_filters.fields.ChoiceField):
    """Country codes are accepted in either case ("us" or "US")."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.upper() if isinstance(value, str) else value


CountryChoiceFilter.field_class = UpperCaseChoiceField


def multi_country_q(field: str, codes: "str | list[str]") -> Q:
    """Match any of the codes in a django-countries multiple field, stored as "RU,US"."""
    codes = [codes] if isinstance(codes, str) else codes
    return functools.reduce(operator.or_, (
        Q(**{field: code})
        | Q(**{f"{field}__startswith": f"{code},"})
        | Q(**{f"{field}__endswith": f",{code}"})
        | Q(**{f"{field}__contains": f",{code},"})
        for code in codes
    ))  # fmt: skip


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text; the schema says what the form says: no NUL character (Django's forms refuse it with a 400)."""


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"})
class SearchFilter(django_filters.CharFilter):
    """`q`: a free-text search, delegated to the queryset's own `search()`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("method", self.search)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    @staticmethod
    def search(queryset, name, value):
        if not value.strip():
            return queryset
        found = queryset.search(value)
        return found.ranked(value) if hasattr(found, "ranked") else found  # an explicit `ordering` still wins


MAX_ID = 2**63 - 1  # the largest BigAutoField; larger numbers would overflow the database driver


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(AnyOfMixin, django_filters.NumberFilter):
    """A record id (a whole number of 1 or more), or several."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(AnyOfMixin, django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.update(min_value=1900, max_value=2100)
        super().__init__(*args, **kwargs)


IdListFilter = IdFilter  # `id=12,15` or `id=12&id=15`


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD and nothing else: Django's English formats would read 02/08/2024 as 8 February
    without a word, while the admin refuses it as ambiguous."""

    input_formats = ["%Y-%m-%d"]
    # "Invalid" is also a day that does not exist (2024-02-30); in the page's language (the API's is English)
    default_error_messages = {"invalid": gettext_lazy("Enter a date that exists, as YYYY-MM-DD, e.g. 2024-08-01.")}


class IsoDateFilter(django_filters.DateFilter):
    """Every date filter of every list, on pages and in the API."""

    field_class = IsoDateField


class UpdatedSinceField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date or date-time; a value not in that form is refused naming the form (h59: "Enter a valid
    date/time." left a script's author guessing)."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "Enter an ISO 8601 date or date-time, e.g. 2024-08-01 or 2024-08-01T00:00:00Z (a time without an offset "
            "is UTC)."
        )
    }


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since`: records changed at or after an ISO 8601 time, for incremental sync.

    The time is converted to UTC before it reaches the database: PostgreSQL refuses offsets beyond ±15:59.
    """

    field_class = UpdatedSinceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("help_text", "Changed at or after this time (ISO 8601, e.g. 2024-08-01T00:00:00Z).")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None or changed_since is None:
            return super().filter(qs, None if value is None else to_utc(value))
        request = getattr(self.parent, "request", None)
        since = to_utc(value)
        if not getattr(getattr(request, "user", None), "is_authenticated", False):
            return changed_since(qs, since)  # the public: the records whose last event is at or after `since`
        # Signed in: the same, plus the records whose own `updated_at` moved (drafts, which the feed never shows).
        return changed_since(qs, since, also=Q(**{f"{self.field_name}__{self.lookup_expr}": since}))


# The change feed's answer to `updated_since`: (queryset, since, also=Q) -> queryset. Set by changes.apps.
changed_since = None


def to_utc(value: datetime.datetime) -> datetime.datetime:
    """The same instant in UTC; an offset that pushes it past the calendar clamps to its first or last moment."""
    try:
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        if value.year > 1:
            return datetime.datetime.max.replace(tzinfo=datetime.UTC)
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


class AnyOfFilterExtension(DjangoFilterExtension):
    """The schema of an any-of filter: an array, repeated in the query (`explode`), the comma form described."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        if not isinstance(filter_field, AnyOfMixin):
            return parameters
        for parameter in parameters:
            single = parameter["schema"]
            parameter["schema"] = {"type": "array", "items": single}
            parameter.update(style="form", explode=True)
            own = parameter.get("description") or str(filter_field.extra.get("help_text") or "")
            parameter["description"] = " ".join(filter(None, [own, ANY_OF_HELP]))
        return parameters
