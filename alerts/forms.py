"""Sign-up, follow and webhook forms."""

from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import Follow

# The API lists a webhook may choose (the feed's `resource` names).
RESOURCES = [
    "detainees",
    "detentions",
    "designations",
    "charges",
    "sentences",
    "sentence-changes",
    "transfers",
    "groups",
    "exchanges",
    "exchange-participants",
    "outlets",
    "sources",
    "statements",
    "officials",
    "claims",
]
IGNORED_PARAMS = {"page", "ordering", "format", "fields"}


def clean_search_query(raw: str) -> str:
    """A cases-list filter, from a query string or a pasted URL of the list, normalised (sorted, no paging);
    raises ValidationError naming what is wrong."""
    from detainees.filters import DetaineeFilter
    from detainees.models import Detainee

    raw = (raw or "").strip()
    if "?" in raw or raw.startswith(("http://", "https://", "/")):
        raw = urlsplit(raw).query
    params = QueryDict(raw.lstrip("?"))
    known = set(DetaineeFilter.base_filters) - {"updated_since"}
    unknown = sorted(set(params) - known - IGNORED_PARAMS)
    if unknown:
        raise forms.ValidationError(_("Unknown filter: %(names)s."), params={"names": ", ".join(unknown)})
    pairs = sorted((k, v) for k in params if k not in IGNORED_PARAMS for v in params.getlist(k) if v != "")
    if not pairs:
        raise forms.ValidationError(_("Choose at least one filter: a search that matches every case is not a search."))
    filterset = DetaineeFilter(QueryDict(urlencode(pairs)), queryset=Detainee.objects.none())
    if not filterset.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        raise forms.ValidationError(_("Invalid filter (%(problems)s)."), params={"problems": problems})
    return urlencode(pairs)


class SignUpForm(forms.Form):
    """A reader's account: an email address (confirmed by a link) and a password."""

    email = forms.EmailField(
        label=_("Email address"), max_length=150, help_text=_("Alerts go here once you confirm it.")
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects
        if users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("An account with this address exists: sign in instead."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password1"], user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class FollowForm(forms.Form):
    """Follow a published case or exchange (by id), or a saved search of the cases list."""

    kind = forms.ChoiceField(label=_("Follow"), choices=Follow.Kind.choices)
    object_id = forms.IntegerField(label=_("Case or exchange id"), required=False, min_value=1)
    query = forms.CharField(
        label=_("Saved search"),
        required=False,
        max_length=1000,
        help_text=_("The filters of the cases list, e.g. held_by=RU&charge_category=espionage, or the list's address."),
    )
    email = forms.BooleanField(label=_("Email me each new event"), required=False, initial=True)

    @staticmethod
    def record(kind, object_id):
        """The published case or exchange of this kind and id, or None (a draft too: drafts leave no trace)."""
        from detainees.models import Detainee
        from exchanges.models import Exchange

        model = {Follow.Kind.DETAINEE: Detainee, Follow.Kind.EXCHANGE: Exchange}.get(kind)
        try:
            object_id = int(object_id)
        except (TypeError, ValueError):
            return None
        if model is None or not 0 < object_id < 2**63:
            return None
        return model.objects.published().filter(pk=object_id).first()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (Follow.Kind.DETAINEE, Follow.Kind.EXCHANGE):
            if not data.get("object_id"):
                self.add_error("object_id", _("Give the id of the case or exchange."))
                return data
            record = self.record(kind, data["object_id"])
            if record is None:  # a draft is "not found" too: drafts leave no trace
                self.add_error("object_id", _("No published record has this id."))
                return data
            data["label"] = str(getattr(record, "name", "") or record)[:300]
        elif kind == Follow.Kind.SEARCH:
            try:
                data["query"] = clean_search_query(data.get("query", ""))
            except forms.ValidationError as error:
                self.add_error("query", error)
        return data


class WebhookForm(forms.Form):
    """A webhook: the URL, and either resources or a saved search (or both)."""

    url = forms.URLField(
        label=_("Receiver URL"), max_length=500, assume_scheme="https", help_text=_("We POST each event here as JSON.")
    )
    resources = forms.MultipleChoiceField(
        label=_("Resources"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, name) for name in RESOURCES],
        help_text=_("None chosen: every resource."),
    )
    query = forms.CharField(
        label=_("Saved search (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Only events of cases in this search, e.g. held_by=RU."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError(_("Use an http:// or https:// address."))
        return url

    def clean_query(self):
        query = self.cleaned_data.get("query", "")
        return clean_search_query(query) if query.strip() else ""
