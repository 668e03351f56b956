"""Template helpers: partial dates, country names and flags, citations."""

import datetime
import json
import re
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template import defaulttags
from django.template.defaulttags import URLNode
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape as escape
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django_countries import countries

from common.models import format_partial_date

register = template.Library()


class _URLNode(URLNode):
    """`{% url %}` answered by `common.fastpaths.url` (each name's address kept per language) where it can be."""

    def render(self, context):
        from common.fastpaths import enabled, url

        if not enabled():
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        try:
            address = url(self.view_name.resolve(context), args, kwargs)
        except NoReverseMatch:
            return super().render(context)  # Django's own answer (an error, or "" into a variable)
        if self.asvar:
            context[self.asvar] = address
            return ""
        return escape(address) if context.autoescape else address


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax, same addresses), faster for the site's many fixed and detail addresses.
    A template that loads `tracker` gets this one."""
    node = defaulttags.url(parser, token)
    return _URLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.simple_tag
def partial_date(obj, field: str, form: str = "nominative") -> str:
    """`{% partial_date detention "detained_on" %}` → "February 2022" when that is all that is known; in Russian
    "февраль 2022 г.", or with `"genitive"` / `"prepositional"` the case a sentence needs ("с февраля 2022 г.")."""
    return format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision"), form=form)


# --- Languages (h12) ---------------------------------------------------------------------------------------------
@register.filter
def status_label(code) -> str:
    """A detainee's status code ("held") as its label in the page's language ("Held", "Под стражей")."""
    from detainees.models import Status

    try:
        return Status(code).label
    except ValueError:
        return str(code).capitalize()


def _translated(obj, field: str) -> tuple[str, bool]:
    """The text of `field` in the page's language: (text, whether it is a translation). On a Russian page the
    `<field>_ru` text when on file, else the original (English) text."""
    from django.utils import translation

    original = getattr(obj, field, "") or ""
    if (translation.get_language() or "").startswith("ru"):
        russian = getattr(obj, f"{field}_ru", "") or ""
        if russian:
            return russian, True
    return original, False


@register.filter
def description_in_language(obj) -> str:
    return _translated(obj, "description")[0]


@register.simple_tag(takes_context=False)
def in_language(obj, field: str = "description") -> dict:
    """`{% in_language person "description" as text %}`: {"text", "lang", "untranslated"} for a Russian page
    showing what is on file: the Russian text, or the English one marked as not yet translated."""
    from django.utils import translation

    text, translated = _translated(obj, field)
    russian_page = (translation.get_language() or "").startswith("ru")
    return {
        "text": text,
        "lang": "ru" if translated else "en",
        "untranslated": bool(text) and russian_page and not translated,
    }


def _value(record, field: str):
    """`field` of a model instance or of a dict (the census and the flows hand pages dicts)."""
    if isinstance(record, dict):
        return record.get(field)
    return getattr(record, field, None)


def local_name(record) -> tuple[str, bool]:
    """The name a page in its language gives `record` (a person, exchange, group or official, or a dict with their
    fields): (name, whether it is in the page's language). On a Russian page: `name_ru` where the record has one on
    file, else the Russian name on file among the original-script name and aliases (`common.text.russian_name`,
    never a transliteration), else the English name, (name, False)."""
    from django.utils import translation

    from common.text import russian_name

    name = _value(record, "name") or ""
    if not (translation.get_language() or "").startswith("ru"):
        return name, True
    russian = _value(record, "name_ru") or russian_name(_value(record, "name_original"), _value(record, "aliases"))
    return (russian, True) if russian else (name, False)


@register.filter
def name_text(record) -> str:
    """`{{ person|name_text }}`: the name in the page's language where on file, as plain text (titles, attributes)."""
    return local_name(record)[0]


def _marked(text: str, translated: bool):
    """`text` for a page's HTML: marked `lang="en"` when a Russian page shows it for want of a translation (text on
    file in Cyrillic alone, a Russian court's name say, is not marked)."""
    from django.utils import translation
    from django.utils.html import conditional_escape

    from common.text import russian_name

    if not text or translated or not (translation.get_language() or "").startswith("ru"):
        return conditional_escape(text)  # an English page (the stored ones) needs no test of the script
    if russian_name(text, ()) != text.strip():  # Cyrillic on file is not English
        return format_html('<span lang="en">{}</span>', text)
    return conditional_escape(text)


@register.filter
def name_html(record):
    """`{{ person|name_html }}`: the name in the page's language where on file, else the English one marked
    `lang="en"` (so a screen reader reads "Kevin Lik" as English on a Russian page)."""
    return _marked(*local_name(record))


@register.filter
def field_html(obj, field: str):
    """`{{ exchange|field_html:"place" }}`: `<field>_ru` on a Russian page where on file, else the English text marked
    `lang="en"`; on an English page the text as it is."""
    return _marked(*_translated(obj, field))


@register.filter
def text_html(text):
    """`{{ row.name|text_html }}`: free text on file in one language only (a group's name, a place, a country's name
    already in the page's language): marked `lang="en"` on a Russian page unless it is Cyrillic."""
    return _marked(str(text or ""), False)


@register.filter
def facility_kind_note(transfer) -> str:
    """`{{ t|facility_kind_note }}`: " (penal colony)" after a facility's name, in the page's language, unless the
    name as shown already says it ("Penal colony IK-17, Mordovia (penal colony)" read it twice); "" for none."""
    kind = str(transfer.get_facility_kind_display() or "").lower() if transfer.facility_kind else ""
    if not kind or kind in _translated(transfer, "facility_name")[0].lower():
        return ""
    return mark_safe(f" ({escape(kind)})")


@register.filter
def language_shown(code: str) -> str:
    """`{{ source.language|language_shown }}`: a language's name in the page's language ("Bulgarian",
    "болгарский"), from Django's own catalogue (the names of `LANGUAGES` are not translated where they are listed);
    a code Django does not know, as it is."""
    from django.utils import translation
    from django.utils.translation import get_language_info

    try:
        name = get_language_info(code)["name_translated"]
    except KeyError:
        return code
    if (translation.get_language() or "").startswith("ru"):
        return name[:1].lower() + name[1:]  # Russian writes a language's name in lower case
    return name


ISO_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?").fullmatch


@register.filter
def claim_value_html(claim):
    """`{{ claim|claim_value_html }}`: one source's version of a disputed fact as a page shows it, in the page's
    language where the value is a code or a date (country names; "none" for no country; "2020-07-28" as
    "28 July 2020"), and free text on file marked `lang="en"` on a Russian page as other English text on file is."""
    from django.utils.translation import pgettext

    shown = getattr(claim, "value_shown", "")
    if shown:  # already words of the page's language (a sentence's term)
        return escape(shown)
    value = (claim.value or "").strip()
    if claim.field in claim.COUNTRY_FIELDS and value.lower() in ("none", "-", ""):
        return escape(pgettext("disputed value", "none"))
    if claim.field in claim.COUNTRY_FIELDS:
        return escape(claim.value_display())
    date = ISO_PARTIAL_DATE(value)
    if date and (claim.field.endswith("_on") or claim.field == "date"):
        year, month, day = date.groups()
        precision = "day" if day else "month" if month else "year"
        try:
            when = datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return _marked(value, False)
        return escape(format_partial_date(when, precision))
    return _marked(value, False)


@register.filter
def headline_html(source):
    """`{{ source|headline_html }}`: a source's headline marked with the source's language where it is not the
    page's (a TASS headline on the English page, a CNN one on the Russian page). Where the headline is not on file
    the title is the editors' English description, marked as English text on file is, whatever the source speaks."""
    from django.utils import translation

    language = (source.language or "").lower()
    if not language or not source.headline_on_file:
        return _marked(source.title, False)
    if language.split("-")[0] == (translation.get_language() or "").split("-")[0]:
        return escape(source.title)
    return format_html('<span lang="{}">{}</span>', language, source.title)


@register.filter
def field_text(obj, field: str) -> str:
    """`{{ exchange|field_text:"place" }}`: the same as plain text."""
    return _translated(obj, field)[0]


def _code(country) -> str:
    return getattr(country, "code", country) or ""


@register.filter
def country_name(country) -> str:
    code = _code(country)
    return countries.name(code) or code


@register.simple_tag(takes_context=True)
def cite(context, obj) -> str:
    """Numbered links to the sources of `obj` (prefetched) or to `obj` itself when it is a source."""
    citations = context.get("citations")
    if citations is None:
        return ""
    return cite_html(citations, obj)


def cite_html(citations, obj) -> str:
    """`{% cite obj %}`'s HTML for these citations (also what detainees.case_page writes)."""
    refs = citations.refs(obj.sources.all() if hasattr(obj, "sources") else [obj])
    if not refs:
        missing, needed = gettext("No source on file"), gettext("[source needed]")
        return format_html('<sup class="cite cite-missing" title="{}">{}</sup>', missing, needed)
    links = format_html_join(
        "", '<a href="#source-{}" title="{}">[{}]</a>', ((n, citations.label(s), n) for n, s in refs)
    )
    return format_html('<sup class="cite">{}</sup>', links)


@register.simple_tag
def source_url(source) -> str:
    return reverse("sources:source-detail", args=[source.pk])


@register.filter
def field_label(name: str) -> str:
    """A field's name as a reader reads it, in the page's language: "held_by" → "Held by" ("Удерживающая сторона")."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    for label in ("detainees.Detainee", "detainees.Detention", "exchanges.Exchange"):
        try:
            return capfirst(apps.get_model(label)._meta.get_field(str(name)).verbose_name)
        except (FieldDoesNotExist, AttributeError):
            continue
    return str(name).replace("_", " ").capitalize()


@register.filter
def get_item(mapping, key):
    """`{{ request.GET|get_item:name }}`."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, name: str, value) -> str:
    """This list's address with `name` set to `value` (or removed when empty), back on page 1; other filters kept."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if value in ("", None):
        params.pop(name, None)
    else:
        params[name] = str(value)
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


class QueryLinks:
    """`query_with` for every value of every facet of one request: the query string is split into its parameters
    once, not copied and encoded again per link (a list of cases has ~40 facet links). The same addresses: the
    parameters in their order, `name` replaced where it was (or added last), the page number dropped."""

    def __init__(self, request):
        self.path, self.encoding = request.path, request.GET.encoding
        self.parts = [(name, [self.pair(name, v) for v in values])
                      for name, values in request.GET.lists() if name != "page"]  # fmt: skip

    def pair(self, name: str, value) -> str:
        return urlencode({name.encode(self.encoding): str(value).encode(self.encoding)})  # as QueryDict.urlencode

    def url(self, name: str, value) -> str:
        remove = value in ("", None)
        chunks, found = [], False
        for key, encoded in self.parts:
            if key != name:
                chunks.extend(encoded)
                continue
            found = True
            if not remove:
                chunks.append(self.pair(name, value))
        if not found and not remove:
            chunks.append(self.pair(name, value))
        query = "&".join(chunks)
        return f"{self.path}?{query}" if query else self.path


@register.simple_tag(takes_context=True)
def facet_items(context, name: str, values) -> str:
    """The `<li>`s of one facet (includes/facet.html), each as `query_with` would link it: a selected value to the
    list without it, a value with people to the list with it; a value with none is not a link. Written here rather
    than as a loop of tags: ~40 values a page, each five tags (h45)."""
    request = context["request"]
    links = getattr(request, "_facet_links", None)
    if links is None:
        links = request._facet_links = QueryLinks(request)
    out = []
    plain_numbers = not settings.USE_THOUSAND_SEPARATOR  # then localize() gives an int as str() does, slower
    for value, label, count, selected in values:
        label, shown = escape(label), escape(str(count) if plain_numbers else localize(count))
        if selected:
            href = escape(links.url(name, ""))
            # outside the f-string: makemessages does not find a message inside one (it was English on /ru/)
            remove = escape(gettext(", selected: remove this filter"))
            item = (f'<a class="selected" href="{href}" aria-current="true"><span class="label">{label}</span> '
                    f'<span class="count">{shown}</span><span class="visually-hidden">{remove}</span></a>')  # fmt: skip
        elif count:
            href = escape(links.url(name, value))
            item = f'<a href="{href}"><span class="label">{label}</span> <span class="count">{shown}</span></a>'
        else:
            item = f'<span class="none"><span class="label">{label}</span> <span class="count">0</span></span>'
        out.append(f"\n    <li>{item}</li>\n    ")
    return mark_safe("".join(out))


@register.simple_tag
def list_card(person) -> str:
    """One card of the list of cases (detainees.cards)."""
    from detainees.cards import card

    return card(person)


_JSON_IN_HTML = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    """schema.org structured data as a <script type="application/ld+json"> block (a data block: CSP allows it)."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_JSON_IN_HTML)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.inclusion_tag("admin/includes/desk.html", takes_context=True)
def editors_desk(context):
    """The admin home's working desk (see common.desk)."""
    from common.desk import (
        cases_without_custody,
        drafts_waiting_for_sources,
        possible_duplicates,
        recent_changes_by_others,
        stale_custody,
        to_check,
    )

    request = context["request"]
    return {
        "to_check": to_check(request.user),
        "drafts": drafts_waiting_for_sources(),
        "stale": stale_custody(),
        "no_custody": cases_without_custody(),
        "duplicates": possible_duplicates(),
        "changes": recent_changes_by_others(request.user),
        "can_add": request.user.has_perm("detainees.add_detainee"),
    }


@register.filter
def long_date(value) -> str:
    """A full date in the page's language: "8 December 2022", "8 декабря 2022 г."."""
    if not value:
        return ""
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return format_partial_date(value)


@register.filter
def full_stop(text) -> str:
    """End a sentence with one full stop: "… 2024" → "… 2024.", but "… 2024 г." stays as it is."""
    text = str(text)
    return text if text.endswith((".", "!", "?")) else f"{text}."


@register.filter(name="in_sentence")
def in_sentence_filter(name) -> str:
    """`{{ name|in_sentence }}`: a country's name as an English sentence puts it ("the Netherlands"); see
    common.text.in_sentence. Not for lists, menus or headings."""
    from common.text import in_sentence

    return in_sentence(name)


@register.filter
def side(name) -> str:
    """An exchange side's name as the page shows it ("a side not on file" in the page's language)."""
    from exchanges.models import side_label

    return side_label(name)


@register.simple_tag(takes_context=True)
def case_part(context, name: str) -> str:
    """One section of the case page, written in Python (detainees.case_page): `timeline`, `detentions`, `sources`.
    Every value in it is escaped there."""
    from detainees.case_page import part

    return mark_safe(part(context, name))
