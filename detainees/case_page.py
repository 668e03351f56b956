"""The case page's heaviest sections, written in Python (h54): the timeline, each custody (its facts, charges,
sentences, moves, extensions and lawyers) and the numbered sources.

They were some 300 template nodes a case (a `{% cite %}`, a `{% partial_date %}` and a `{% translate %}` a line),
most of the CPU of a cold case page (a first visit, whose stored page is built: casedocs.services.build). `part`
gives the bytes the template gave (tests/detainees/test_h54_case_page_render.py renders every demo case through the
template as it was, kept in templates_before_h54/, and through this, in both languages, anonymous and as an editor),
with the same translations, in the same order (the sources are numbered as the facts cite them, in the page's
order), and the same escaping: every value escaped once, as `{{ }}`, `{% translate %}` and a `blocktranslate`
variable are; a `blocktranslate` sentence itself is not; what a filter marks safe (`name_html`, `field_html`) is not
escaped again.
"""

from html import escape

from django.template.defaultfilters import date as date_filter
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, npgettext, pgettext, pgettext_lazy

from common.fastpaths import url
from common.models import format_partial_date
from common.templatetags.tracker import (
    cite_html as cite,
)
from common.templatetags.tracker import (
    claim_value_html,
    country_name,
    facility_kind_note,
    field_html,
    headline_html,
    in_language,
    name_html,
    text_html,
)
from common.templatetags.tracker import (
    full_stop as _full_stop,
)

__all__ = ["part"]


def _text(value) -> str:
    """`{{ value }}`: escaped, unless already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _(message: str) -> str:
    """`{% translate message %}`: translated and escaped. Named `_` so that makemessages (xgettext's default
    keywords) finds each message in this module: the catalogue keeps them though the template no longer holds them."""
    return escape(gettext(message))


def _date(obj, field: str) -> str:
    """`{% partial_date obj field %}`."""
    return escape(format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision")))


def disputed(claims, citations) -> str:
    """`{% include "includes/disputed.html" %}` with these claims."""
    versions = []
    for c in claims:
        note = f" ({field_html(c, 'note')})" if c.note else ""
        versions.append(f"{_text(claim_value_html(c))}{cite(citations, c.source)}{note}")
    return f'<span class="disputed">{_("Disputed:")} {"; ".join(versions)}</span>\n'


def timeline(context) -> str:
    events, citations = context["timeline"], context["citations"]
    out = [f'<section aria-labelledby="timeline-h">\n    <h2 id="timeline-h">{_("Timeline")}</h2>\n    ']
    if events:
        in_the = escape(pgettext("exchange", "in the"))
        out.append('\n    <ol class="timeline">\n      ')
        for event in events:
            when = f' datetime="{escape(event.datetime_attr)}"' if event.date else ""
            if event.link:
                text = f'<a href="{escape(event.link)}">{_text(event.text)}</a>' + "".join(
                    f' {in_the} <a href="{escape(e.get_absolute_url())}">{name_html(e)}</a>' for e in event.extra
                )
            else:
                text = _text(event.text)
            out.append(
                f'\n      <li class="event event-{escape(event.kind)}">\n        <time{when}>{escape(str(event.when))}'
                f"</time>\n        <span>{text}{cite(citations, event.cited)}</span>\n      </li>\n      "
            )
        out.append("\n    </ol>\n    ")
    else:
        out.append(f"<p>{_('No dated event on file.')}</p>")
    out.append("\n  </section>")
    return "".join(out)


def _heading(d) -> str:
    """The custody's `<h2>`: its holder and its dates."""
    if d.disputed.get("held_by") or d.disputed.get("held_by_group"):
        holder = _("a holder in dispute")
    elif d.held_by_group:
        holder = f'<a href="{escape(d.held_by_group.get_absolute_url())}">{name_html(d.held_by_group)}</a>'
    else:
        holder = text_html(d.holder_name)
    if d.disputed.get("detained_on"):
        start = _("a date in dispute")
    elif d.start_unknown:
        start = _("date unknown")
    else:
        start = _date(d, "detained_on")
    if d.disputed.get("released_on"):
        end = _("a date in dispute")
    elif d.released_on:
        end = _date(d, "released_on")
    elif d.is_open:
        end = _("now")
    else:
        end = _("date not on file")
    return f"{escape(pgettext('detention heading', 'Held by'))} {holder}, {start} – {end}"


def _facts(d, citations) -> list[str]:
    """The lines of the custody's `<dl class="facts">`, one a template line (empty when it shows nothing)."""
    held, seen = d.disputed, citations
    lines = [
        f"<dt>{_('Held by')}</dt><dd>{disputed(held['held_by'], seen)}</dd>" if held.get("held_by") else "",
        f"<dt>{_('Held by (group)')}</dt><dd>{disputed(held['held_by_group'], seen)}</dd>"
        if held.get("held_by_group") else "",
        f"<dt>{_('Detained on')}</dt><dd>{disputed(held['detained_on'], seen)}</dd>"
        if held.get("detained_on") else "",
    ]  # fmt: skip
    if held.get("place"):
        lines.append(f"<dt>{_('Place')}</dt><dd>{disputed(held['place'], seen)}</dd>")
    elif d.place:
        lines.append(f"<dt>{_('Place')}</dt><dd>{field_html(d, 'place')}{cite(seen, d)}</dd>")
    else:
        lines.append("")
    if held.get("circumstances"):
        lines.append(f"<dt>{_('Circumstances')}</dt><dd>{disputed(held['circumstances'], seen)}</dd>")
    elif d.circumstances:
        text = d.circumstances[0].upper() + d.circumstances[1:]  # `capfirst`
        lines.append(f'<dt>{_("Circumstances")}</dt><dd lang="en">{escape(text)}</dd>')
    else:
        lines.append("")
    if d.predecessor:
        if d.predecessor.end_reason == "extradited":
            message = gettext("Extradited by %(holder)s")
        else:
            message = gettext("Handed over by %(holder)s")
        began = message % {"holder": escape(str(d.predecessor.holder_name))}
        lines.append(f"<dt>{_('Custody began')}</dt><dd>{began}</dd>")
    else:
        lines.append("")
    facility = d.current_facility
    if facility:
        lines.append(
            f"<dt>{_('Held now at')}</dt><dd>{field_html(facility, 'facility_name')}{facility_kind_note(facility)}, "
            f"{gettext('as of the latest move on file')}{cite(seen, facility)}</dd>"
        )
    else:
        lines.append("")
    if d.is_open and d.last_confirmed_on:
        known = {"month": " " + _("(known to the month)"), "year": " " + _("(known to the year)")}
        lines.append(
            f"<dt>{_('Last confirmed held')}</dt><dd>{_date(d, 'last_confirmed_on')}"
            f"{known.get(d.last_confirmed_on_precision, '')}</dd>"
        )
    else:
        lines.append("")
    lines.append("".join(f"<dt>{_field_label(field)}</dt><dd>{disputed(claims, seen)}</dd>"
                         for field, claims in d.disputed_elsewhere.items()))  # fmt: skip
    if held.get("end_reason") or held.get("released_on"):
        ended = ""
        if held.get("end_reason"):
            ended += f"<dt>{_('Custody ended')}</dt><dd>{disputed(held['end_reason'], seen)}</dd>"
        if held.get("released_on"):
            ended += f"<dt>{_('Custody ended on')}</dt><dd>{disputed(held['released_on'], seen)}</dd>"
        lines.append(ended)
    elif d.end_reason:
        to = ""
        if d.successor:
            to = " " + gettext("to %(holder)s") % {"holder": escape(str(d.successor.holder_name))}
        when = f", {_date(d, 'released_on')}" if d.released_on else f", {_('date not on file')}"
        lines.append(f"<dt>{_('Custody ended')}</dt><dd>{escape(str(d.get_end_reason_display()))}{to}{when}</dd>")
    else:
        lines.append("")
    return lines


def _field_label(field) -> str:
    from common.templatetags.tracker import field_label

    return escape(str(field_label(field)))


def _charges(charges, citations) -> str:
    rows = []
    for charge in charges:
        about = f' — <span lang="en">{escape(charge.description)}</span>' if charge.description else ""
        rows.append(
            f"\n        <tr><td>{escape(str(charge.get_category_display()))}{about}{cite(citations, charge)}</td>"
            f"<td>{field_html(charge, 'statute') or '—'}</td>"
            f"<td>{escape(str(charge.get_outcome_display()))}</td></tr>\n      "
        )
    return (
        f'\n    <h3>{_("Charges")}</h3>\n    <div class="table-scroll"><table>\n      <thead><tr><th scope="col">'
        f'{_("Charge")}</th><th scope="col">{_("Law")}</th><th scope="col">{_("Outcome")}</th></tr></thead>\n'
        f"      <tbody>\n      {''.join(rows)}\n      </tbody>\n    </table></div>\n    "
    )


def _sentence_notes(sentence) -> str:
    """`{% include "detainees/includes/sentence_notes.html" %}`."""
    if not (sentence.in_absentia or sentence.closed_trial or sentence.counted_from or sentence.combination):
        return ""
    notes = ""
    if sentence.in_absentia:
        notes += f"<li>{_('Passed in absentia')}</li>"
    if sentence.closed_trial:
        notes += f"<li>{_('Tried behind closed doors')}</li>"
    if sentence.counted_from:
        since = escape(format_partial_date(sentence.counted_from, sentence.counted_from_precision))
        notes += f"<li>{gettext('Term counted from %(since)s') % {'since': since}}</li>"
    if sentence.combination:
        notes += f"<li>{escape(str(sentence.get_combination_display()))}"
        if sentence.combines:
            earlier = sentence.combines
            if earlier.sentenced_on:
                on = escape(format_partial_date(earlier.sentenced_on, earlier.sentenced_on_precision))
                notes += ": " + gettext("the sentence of %(earlier)s") % {"earlier": on}
            else:
                notes += ": " + _("an undated earlier sentence")
        notes += "</li>"
    return f'<ul class="sentence-notes">{notes}</ul>'


def _court(record) -> str:
    """`{{ record|field_html:"court"|default:"—" }}`."""
    return field_html(record, "court") or "—"


def _sentences(sentences, citations) -> str:
    rows = []
    for sentence in sentences:
        held = sentence.disputed
        if held.get("sentenced_on"):
            on = disputed(held["sentenced_on"], citations)
        elif sentence.sentenced_on:
            on = _date(sentence, "sentenced_on")
        else:
            on = _("Date not reported")
        court = disputed(held["court"], citations) if held.get("court") else _court(sentence)
        if sentence.court_city and sentence.court_city not in sentence.court:
            court += ", " + field_html(sentence, "court_city")
        if sentence.court_country:
            court += f" ({escape(country_name(sentence.court_country))})"
        if held.get("term_months"):
            term = disputed(held["term_months"], citations)
        else:
            term = f"{escape(str(sentence.term_display())) or '—'}{cite(citations, sentence)}"
        rows.append(
            f"\n        <tr><td>{on}</td><td>{court}</td><td>{term}{_sentence_notes(sentence)}</td></tr>\n        "
        )
        for change in sentence.changes.all():
            on = _date(change, "changed_on") if change.changed_on else _("Date not reported")
            about = f': <span lang="en">{escape(change.description)}</span>' if change.description else ""
            rows.append(
                f'\n        <tr class="change"><td>{on}</td><td>{_court(change)}</td><td>'
                f"{escape(str(change.get_kind_display()))}{about}{cite(citations, change)}</td></tr>\n        "
            )
        rows.append("\n      ")
    return (
        f'\n    <h3>{_("Sentences")}</h3>\n    <div class="table-scroll"><table>\n      <thead><tr><th scope="col">'
        f'{_("Date")}</th><th scope="col">{_("Court")}</th><th scope="col">{_("Sentence")}</th></tr></thead>\n'
        f"      <tbody>\n      {''.join(rows)}\n      </tbody>\n    </table></div>\n    "
    )


def _transfers(transfers, citations) -> str:
    items = "".join(
        f"<li>{_date(t, 'moved_on')}: {field_html(t, 'facility_name')}{facility_kind_note(t)}{cite(citations, t)}</li>"
        for t in transfers
    )
    return f"\n    <h3>{_('Places of custody')}</h3>\n    <ul>{items}</ul>\n    "


def _extensions(extensions, citations) -> str:
    items = []
    for e in extensions:
        text = _date(e, "decided_on") if e.decided_on else _("Date not reported")
        if e.court:
            text += ", " + field_html(e, "court")
        if e.extended_to:
            until = escape(format_partial_date(e.extended_to, e.extended_to_precision))
            text += ": " + gettext("custody until %(until)s") % {"until": until}
        else:
            text += ": " + _("custody extended, to a date not reported")
        if e.description:
            text += f' — <span lang="en">{escape(e.description)}</span>'
        items.append(f"<li>{text}{cite(citations, e)}</li>")
    heading = _("Pre-trial custody ordered or extended")
    return f'\n    <h3>{heading}</h3>\n    <ul class="extensions">{"".join(items)}</ul>\n    '


def _counsel(counsel, citations) -> str:
    items = "".join(
        f"<li>{field_html(c, 'name')} ({escape(str(c.get_role_display()).lower())})"
        + (f' — <span lang="en">{escape(c.note)}</span>' if c.note else "")
        + f"{cite(citations, c)}</li>"
        for c in counsel
    )
    return f'\n    <h3>{_("Lawyers")}</h3>\n    <ul class="counsel">{items}</ul>\n    '


def detentions(context) -> str:
    citations, between = context["citations"], "\n    "
    out = []
    for d in context["object"].detentions.all():
        facts = "".join(f"      {line}\n" for line in _facts(d, citations))
        blocks = []
        for records, render in (
            (d.charges.all(), _charges), (d.sentences.all(), _sentences), (d.transfers.all(), _transfers),
            (d.extensions.all(), _extensions), (d.counsel.all(), _counsel),
        ):  # fmt: skip
            blocks.append(render(records, citations) if records else "")
        out.append(
            f'\n  <section class="detention" aria-labelledby="detention-{d.pk}">\n    <h2 id="detention-{d.pk}">'
            f'{_heading(d)}</h2>\n    <dl class="facts">\n{facts}    </dl>\n    {between.join(blocks)}'
            "\n  </section>\n  "
        )
    return "".join(out)


def sources(context) -> str:
    citations = context["citations"]
    items = []
    archive, original = _("Archived copy"), _("Original")
    for n, source in citations.numbered():
        outlet = f", {field_html(source.outlet, 'name')}" if source.outlet else ""
        if source.published_on:
            published = escape(_full_stop(format_partial_date(source.published_on, source.published_on_precision)))
            published = ", " + published
        else:
            published = "."
        note = (
            ""
            if source.headline_on_file
            else f'<small class="note">{_("editors’ description, headline unknown")}</small>'
        )
        links = f'<a class="external" href="{escape(source.url)}" rel="noopener">{original}</a>' if source.url else ""
        if source.archive_url:
            links += f' · <a href="{escape(source.archive_url)}" rel="noopener">{archive}</a>'
        items.append(
            f'\n      <li id="source-{n}"><a href="{escape(source.get_absolute_url())}">{headline_html(source)}</a>'
            f"{outlet}{published}\n        {note}\n        {links}</li>\n      "
        )
    if not items:
        items.append(f"<li>{_('No source on file.')}</li>\n      ")
    return (
        f'<section aria-labelledby="sources-h">\n    <h2 id="sources-h">{_("Sources")}</h2>\n'
        f'    <ol class="sources">\n      {"".join(items)}\n    </ol>\n  </section>'
    )


def header(context) -> str:
    """The case's `<header>`: name, follow link, status, custody chains and the facts about the person."""
    person, citations = context["object"], context["citations"]
    local_name = context["local_name"]
    out = ['<header class="case-header">\n    ']
    if not person.is_published:
        out.append(f'<p class="badge draft">{_("Draft — visible to editors only")}</p>')
    if local_name:
        out.append(f'\n    <h1><span lang="ru">{_text(local_name)}</span> <span class="name-en" lang="en">'
                   f"{escape(person.name)}</span></h1>\n    ")  # fmt: skip
    else:
        out.append(f"\n    <h1>{_text(name_html(person))}</h1>\n    ")
    # the name in its own script right under the names, before the links (a new user read "Follow this case"
    # between the English and the Russian name)
    if person.name_original and person.name_original != local_name:
        out.append(f'<p class="original" lang="und">{escape(person.name_original)}</p>\n    ')
    perms = context.get("perms")
    if perms and "detainees.change_detainee" in perms:  # signed-in editors only: never stored (casedocs) nor cached
        edit = escape(url("admin:detainees_case_edit", [person.pk]))
        out.append(f'<p class="edit-link"><a href="{edit}">{_("Edit this case")}</a></p>')
    out.append("\n    ")
    if person.is_published:
        out.append(_follow_link(person))
    out.append("\n    ")
    confirmed = context["last_confirmed"]
    if confirmed:
        confirmed = " " + gettext("Last confirmed held %(last_confirmed)s.") % {"last_confirmed": _text(confirmed)}
    out.append(
        f'\n    <p class="status-line status-{escape(str(person.status))}">'
        f"{escape(_full_stop(context['status_sentence']))}{_text(context['days_sentence'])}{confirmed or ''}</p>\n    "
    )
    out += [f'<p class="custody-chain">{escape(_full_stop(chain))}</p>' for chain in context["custody_chains"]]
    out.append('\n    <dl class="facts">\n      ')
    about = in_language(person, "description")
    if about["text"]:
        lang = f' lang="{escape(about["lang"])}"' if about["lang"] != context.get("page_language") else ""
        untranslated = (f' <small class="note untranslated">{_("(not yet translated)")}</small>'
                        if about["untranslated"] else "")  # fmt: skip
        out.append(f"<dt>{_('Who')}</dt><dd{lang}>{escape(capfirst(about['text']))}{cite(citations, person)}"
                   f"{untranslated}</dd>")  # fmt: skip
    citizenships = person.citizenships
    heading = escape(npgettext("heading", "Citizenship", "Citizenships", len(citizenships)))
    countries = ", ".join(escape(country_name(c)) for c in citizenships) or _("Unknown")
    out.append(f"\n      <dt>{heading}</dt>\n      <dd>{countries}</dd>\n      ")
    if person.aliases:
        out.append(f"<dt>{_('Also written')}</dt><dd>{', '.join(text_html(a) for a in person.aliases)}</dd>")
    out.append("\n      ")
    if person.born_on:
        out.append(f"<dt>{_('Born')}</dt><dd>{_date(person, 'born_on')}</dd>")
    out.append("\n      ")
    out += [f"<dt>{_field_label(field)}</dt><dd>{disputed(claims, citations)}</dd>"
            for field, claims in context["disputed"].items()]  # fmt: skip
    out.append("\n      ")
    if person.wikidata_id:
        wikidata = escape(person.wikidata_id)
        out.append(f'<dt>Wikidata</dt><dd><a href="https://www.wikidata.org/wiki/{wikidata}">{wikidata}</a></dd>')
    out.append("\n    </dl>\n  </header>")
    return "".join(out)


def _follow_link(person) -> str:
    """`{% include "alerts/follow_link.html" with kind="detainee" id=object.pk slug=object.slug %}`."""
    follow = escape(url("alerts:follow"))
    text = f'<p class="meta"><a rel="nofollow" href="{follow}?kind=detainee&amp;id={person.pk}">'
    text += f"{_('Follow this case (email or Atom)')}</a>"
    if person.slug:
        feed = escape(url("detainee-feed", [person.slug]))
        sentence = gettext('or, with no account, its <a href="%(case_feed)s" type="application/atom+xml">Atom feed</a>')
        text += " · " + sentence % {"case_feed": feed}
    return text + "</p>\n"


def tail(context) -> str:
    """What ends the case page: when a second editor last checked it, how to cite it, the record as data."""
    person = context["object"]
    out = []
    if person.awaiting_review:
        waiting = _("Awaiting review — a second editor must approve it before it is public")
        out.append(f'<p class="badge draft">{waiting}</p>')
    if person.last_checked_on:
        checked = gettext('Last checked by a second editor on <time datetime="%(iso)s">%(date)s</time>.') % {
            "iso": escape(date_filter(person.last_checked_on, "Y-m-d")),
            "date": escape(date_filter(person.last_checked_on, "j E Y")),
        }
        out.append(f'<p class="last-checked">{checked}</p>')
    citation = context["page_citation"]
    links = " · ".join(f'<a href="{escape(link)}" download>{escape(str(label))}</a>'
                       for label, link in context["citation_links"])  # fmt: skip
    if context.get("record_links"):
        links += f" · {_text(context['record_links'])}"
    out.append(
        f'\n\n  <section class="cite-this" aria-labelledby="cite-h">\n  <h2 id="cite-h">{_("Cite this page")}</h2>\n'
        f'  <p><code id="citation">{escape(citation.text)}</code></p>\n'
        f'  <p>{_("Permanent link:")} <a href="{escape(citation.url)}">{escape(citation.url)}</a></p>\n'
        f"  <p>{_('For a reference manager:')} {links}</p>\n</section>\n"
    )
    record = gettext(
        'This record as <a href="%(json_url)s?format=json">JSON</a> or <a href="%(csv_url)s?id=%(id)s&amp;format=csv">'
        "CSV</a>."
    ) % {"json_url": escape(url("api:detainee-detail", [person.pk])), "csv_url": escape(url("api:detainee-list")),
         "id": person.pk}  # fmt: skip
    out.append(f'\n  <p class="record-links">{record}</p>')
    return "".join(out)


PARTS = {"header": header, "timeline": timeline, "detentions": detentions, "sources": sources, "tail": tail}


def part(context, name: str) -> str:
    """One section of the case page, as the template gave it (see the module's docstring)."""
    return PARTS[name](context)


# The messages above are inside f-strings, where makemessages (xgettext) does not look: listed here so that the
# catalogue keeps them (tests/i18n/test_marked.py fails when one is missing).
MESSAGES = (
    gettext_noop("Disputed:"),
    gettext_noop("Timeline"),
    gettext_noop("No dated event on file."),
    gettext_noop("a holder in dispute"),
    gettext_noop("a date in dispute"),
    gettext_noop("date unknown"),
    gettext_noop("now"),
    gettext_noop("date not on file"),
    gettext_noop("Held by"),
    gettext_noop("Held by (group)"),
    gettext_noop("Detained on"),
    gettext_noop("Place"),
    gettext_noop("Circumstances"),
    gettext_noop("Extradited by %(holder)s"),
    gettext_noop("Handed over by %(holder)s"),
    gettext_noop("Custody began"),
    gettext_noop("Held now at"),
    gettext_noop("as of the latest move on file"),
    gettext_noop("(known to the month)"),
    gettext_noop("(known to the year)"),
    gettext_noop("Last confirmed held"),
    gettext_noop("Custody ended"),
    gettext_noop("Custody ended on"),
    gettext_noop("to %(holder)s"),
    gettext_noop("Charges"),
    gettext_noop("Charge"),
    gettext_noop("Law"),
    gettext_noop("Outcome"),
    gettext_noop("Passed in absentia"),
    gettext_noop("Tried behind closed doors"),
    gettext_noop("Term counted from %(since)s"),
    gettext_noop("the sentence of %(earlier)s"),
    gettext_noop("an undated earlier sentence"),
    gettext_noop("Date not reported"),
    gettext_noop("Sentences"),
    gettext_noop("Date"),
    gettext_noop("Court"),
    gettext_noop("Sentence"),
    gettext_noop("Places of custody"),
    gettext_noop("custody until %(until)s"),
    gettext_noop("custody extended, to a date not reported"),
    gettext_noop("Pre-trial custody ordered or extended"),
    gettext_noop("Lawyers"),
    gettext_noop("Archived copy"),
    gettext_noop("Original"),
    gettext_noop("editors’ description, headline unknown"),
    gettext_noop("No source on file."),
    gettext_noop("Sources"),
    gettext_noop("Draft — visible to editors only"),
    gettext_noop("Edit this case"),
    gettext_noop("Last confirmed held %(last_confirmed)s."),
    gettext_noop("(not yet translated)"),
    gettext_noop("Who"),
    gettext_noop("Unknown"),
    gettext_noop("Also written"),
    gettext_noop("Born"),
    gettext_noop("Follow this case (email or Atom)"),
    gettext_noop('or, with no account, its <a href="%(case_feed)s" type="application/atom+xml">Atom feed</a>'),
    gettext_noop("Awaiting review — a second editor must approve it before it is public"),
    gettext_noop('Last checked by a second editor on <time datetime="%(iso)s">%(date)s</time>.'),
    gettext_noop("Cite this page"),
    gettext_noop("Permanent link:"),
    gettext_noop("For a reference manager:"),
    pgettext_lazy("exchange", "in the"),
    pgettext_lazy("detention heading", "Held by"),
)
