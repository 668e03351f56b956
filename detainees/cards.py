"""The list page's cards, written in Python (h45).

Each card was about 40 template tags (a dozen `if`s, three `blocktranslate`s, partial dates, country names), 25 cards a
page: most of a first visit to `/detainees/` went into Django's template engine, not the database. `card` gives the
same bytes (tests/detainees/test_h45_list_render.py renders the templates as they were beside it, on random cases in
both languages), with the same translations and the same escaping: every value escaped once, as `{{ }}`,
`{% translate %}` and a `blocktranslate` variable are; a `blocktranslate` sentence itself is not.
"""

import functools

from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from common.models import format_partial_date
from common.templatetags.tracker import country_name, status_label
from common.templatetags.tracker import description_in_language as description


@functools.lru_cache(maxsize=8)
def words(language: str | None) -> dict[str, str]:
    """The card's fixed words in `language` (the active one): each a walk through the chain of catalogues otherwise,
    several per card. Sentences with a blank (`%(holder)s`) are filled in, as `blocktranslate` fills them."""
    return {
        "draft": esc(gettext("Draft")),
        "held by": gettext("held by %(holder)s"),
        "by": gettext("by %(holder)s"),
        "since": gettext("since %(since)s"),
        "since unknown": esc(gettext("held since a date unknown")),
        "custody": esc(gettext("custody")),
        "date unknown": esc(gettext("date unknown")),
        "no end": esc(gettext("end not on file")),
    }


def card(person) -> SafeString:
    """One `<li class="card">` of the list page: name, citizenships and description, status, holder, custody."""
    said = words(get_language())
    title = f'<a href="{esc(person.get_absolute_url())}">{esc(person.name)}</a>'
    if person.name_original:
        title += f' <span class="original" lang="und">{esc(person.name_original)}</span>'
    if not person.is_published:
        title += f' <span class="badge draft">{said["draft"]}</span>'
    citizenships = person.citizenships
    meta = ", ".join(f'<span title="{name}">{name}</span>' for name in (esc(country_name(c)) for c in citizenships))
    text = description(person)
    if text:
        meta += (" · " if citizenships else "") + esc(text)
    return mark_safe(
        f'<li class="card">\n        <h2>{title}</h2>\n        <p class="meta">{meta}</p>\n'
        f'        <p><span class="badge status-{esc(person.status)}">{esc(status_label(person.status))}</span>\n'
        f"          {holder(person, said['held by'])}\n          {custody(person.latest_detention, said)}</p>\n"
        f"      </li>"
    )


def holder(record, sentence: str) -> str:
    """`sentence` ("held by %(holder)s") with the state or group holding `record`; "" when none is on file."""
    if record.held_by:
        return sentence % {"holder": esc(country_name(record.held_by))}
    if record.held_by_group:
        return sentence % {"holder": esc(record.held_by_group.name)}
    return ""


def custody(d, said: dict[str, str]) -> str:
    """ " · since February 2022", " · custody by Russia 2019 – 2020": the latest custody, as the card says it."""
    if not d:
        return ""
    if d.is_open:
        if d.start_unknown:
            return " · " + said["since unknown"]
        return " · " + said["since"] % {"since": esc(format_partial_date(d.detained_on, d.detained_on_precision,
                                                                             form="genitive"))}  # fmt: skip
    text = " · " + said["custody"]
    by = holder(d, said["by"])
    if by:
        text += " " + by
    if d.start_unknown:
        start = said["date unknown"]
    else:
        start = esc(format_partial_date(d.detained_on, d.detained_on_precision))
    end = esc(format_partial_date(d.released_on, d.released_on_precision)) if d.released_on else said["no end"]
    return f"{text} {start} – {end}"
