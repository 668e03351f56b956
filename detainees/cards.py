"""The list page's cards, written in Python (h45).

Each card was about 40 template tags (a dozen `if`s, three `blocktranslate`s, partial dates, country names), 25 cards a
page: most of a first visit to `/detainees/` went into Django's template engine, not the database. `card` gives the
same bytes (tests/detainees/test_h45_list_render.py renders the templates as they were beside it, on random cases in
both languages), with the same translations and the same escaping: every value escaped once, as `{{ }}`,
`{% translate %}` and a `blocktranslate` variable are; a `blocktranslate` sentence itself is not.
"""

import functools
import re
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from common import fastpaths
from common.models import _formatted_date
from common.templatetags.tracker import _marked, _translated, country_name, local_name, status_label
from common.text import in_sentence

from .models import Status

SAFE_SLUG = re.compile(r"[-a-zA-Z0-9_]+").fullmatch


class Words:
    """What a card says in one language, looked up once per language and process: its fixed words (each a walk
    through the chain of catalogues otherwise), status labels and country names, escaped as the template escaped
    them. Sentences with a blank (`%(holder)s`) are left to fill in, as `blocktranslate` fills them (the sentence
    itself unescaped, the value escaped)."""

    def __init__(self, language: str | None, script_prefix: str):
        self.language = language
        self.draft = escape(gettext("Draft"))
        self.held_by, self.by, self.since = gettext("held by %(holder)s"), gettext("by %(holder)s"), gettext(
            "since %(since)s")  # fmt: skip
        self.since_unknown = escape(gettext("held since a date unknown"))
        self.custody = escape(gettext("custody"))
        self.date_unknown = escape(gettext("date unknown"))
        self.no_end = escape(gettext("end not on file"))
        self.confirmed = gettext("last confirmed held %(date)s")
        self.statuses = {value: escape(str(status_label(value))) for value in Status.values}
        self.countries: dict[str, str] = {}
        self.in_sentence: dict[str, str] = {}  # "the United States" after "held by", in English
        # a case page's address with its slug left to fill in (a slug is letters, digits and hyphens: nothing to quote)
        self.case_url = reverse("detainees:detainee-detail", args=["SLUG"]).split("SLUG")

    def country(self, country) -> str:
        code = getattr(country, "code", country) or ""
        try:
            return self.countries[code]
        except KeyError:
            name = self.countries[code] = escape(country_name(code))
            return name

    def country_in_sentence(self, code: str) -> str:
        try:
            return self.in_sentence[code]
        except KeyError:
            name = self.in_sentence[code] = escape(in_sentence(country_name(code)))
            return name

    def date(self, value, precision: str, form: str = "nominative") -> str:
        return escape(_formatted_date(value, precision, form, self.language)) if value is not None else ""


@functools.lru_cache(maxsize=8)
def words(language: str | None, script_prefix: str) -> Words:
    return Words(language, script_prefix)


# What a card reads of a person, their latest custody and the groups holding them: the list page loads these columns
# alone (DetaineeListView), not the ~65 of four whole rows, which Django compiled and set one by one on every page.
FIELDS = ("name", "slug", "name_original", "aliases", "citizenships", "description", "description_ru", "is_published",
          "status", "held_by", "held_by_group__name", "latest_detention__held_by", "latest_detention__detained_on",
          "latest_detention__detained_on_precision", "latest_detention__released_on",
          "latest_detention__released_on_precision", "latest_detention__end_reason",
          "latest_detention__last_confirmed_on", "latest_detention__last_confirmed_on_precision",
          "latest_detention__held_by_group__name",
          "latest_detention__detainee")  # fmt: skip  # read by a signal as each custody is loaded (detainees.signals)


def codes(record, field: str):
    """A country field's code(s) as stored ("RU", ["RU", "US"]): django-countries' descriptor makes a Country object
    of each on every read (~100 a page), which a card only turns back into its code."""
    if fastpaths.enabled():
        try:
            return record.__dict__[field]
        except KeyError:  # deferred: the descriptor loads it
            pass
    return getattr(record, field)


def card(person) -> SafeString:
    """One `<li class="card">` of the list page: name, citizenships and description, status, holder, custody."""
    said = words(get_language(), get_script_prefix())  # the addresses begin with both
    slug = person.slug
    url = said.case_url[0] + slug + said.case_url[1] if SAFE_SLUG(slug) else person.get_absolute_url()
    shown, in_language = local_name(person)  # in Russian, the Russian name on file (h47)
    title = f'<a href="{escape(url)}">{_marked(shown, in_language)}</a>'
    if shown != person.name:
        title += f' <span class="name-en" lang="en">{escape(person.name)}</span>'
    if person.name_original and person.name_original != shown:
        title += f' <span class="original" lang="und">{escape(person.name_original)}</span>'
    if not person.is_published:
        title += f' <span class="badge draft">{said.draft}</span>'
    citizenships = codes(person, "citizenships")
    meta = ", ".join(f'<span title="{name}">{name}</span>' for name in map(said.country, citizenships))
    description, translated = _translated(person, "description")
    if description:
        meta += (" · " if citizenships else "") + _marked(description, translated)  # English marked lang="en"
    status = said.statuses.get(person.status) or escape(str(status_label(person.status)))
    return mark_safe(
        f'<li class="card">\n        <h2>{title}</h2>\n        <p class="meta">{meta}</p>\n'
        f'        <p><span class="badge status-{escape(person.status)}">{status}</span>\n'
        f"          {holder(person, said.held_by, said)}\n          {custody(person.latest_detention, said)}</p>\n"
        f"      </li>"
    )


def holder(record, sentence: str, said: Words) -> str:
    """`sentence` ("held by %(holder)s") with the state or group holding `record`; "" when none is on file."""
    held_by = codes(record, "held_by")
    if held_by:
        return sentence % {"holder": said.country_in_sentence(getattr(held_by, "code", held_by))}
    if record.held_by_group:  # a group's name is on file in one language: marked lang="en" on a Russian page
        return sentence % {"holder": _marked(record.held_by_group.name, False)}
    return ""


def custody(d, said: Words) -> str:
    """ " · since February 2022 · last confirmed held 3 May 2025", " · custody by Russia 2019 – 2020": the latest
    custody, as the card says it."""
    if not d:
        return ""
    if d.is_open:
        if d.start_unknown:
            text = " · " + said.since_unknown
        else:
            text = " · " + said.since % {"since": said.date(d.detained_on, d.detained_on_precision, "genitive")}
        if d.last_confirmed_on:  # as of when: a card of someone held says when a report last showed it
            text += " · " + said.confirmed % {"date": said.date(d.last_confirmed_on, d.last_confirmed_on_precision)}
        return text
    text = " · " + said.custody
    by = holder(d, said.by, said)
    if by:
        text += " " + by
    start = said.date_unknown if d.start_unknown else said.date(d.detained_on, d.detained_on_precision)
    end = said.date(d.released_on, d.released_on_precision) if d.released_on else said.no_end
    return f"{text} {start} – {end}"
