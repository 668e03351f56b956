"""Template helpers: partial dates, country names and flags, citations."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries import countries

from common.models import format_partial_date

register = template.Library()


@register.simple_tag
def partial_date(obj, field: str) -> str:
    """`{% partial_date detention "detained_on" %}` → "February 2022" when that is all that is known."""
    return format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision"))


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
    refs = citations.refs(obj.sources.all() if hasattr(obj, "sources") else [obj])
    if not refs:
        return mark_safe('<sup class="cite cite-missing" title="No source on file">[source needed]</sup>')
    links = format_html_join(
        "", '<a href="#source-{}" title="{}">[{}]</a>', ((n, s.citation_label(), n) for n, s in refs)
    )
    return format_html('<sup class="cite">{}</sup>', links)


@register.simple_tag
def source_url(source) -> str:
    return reverse("sources:source-detail", args=[source.pk])


@register.filter
def field_label(name: str) -> str:
    """A field's name as a reader reads it: "held_by" → "Held by"."""
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
