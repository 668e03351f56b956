"""Read paths of a case: what the case page and the API load, and the timeline built from it."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db.models import Prefetch, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.admin import is_public_reason
from common.models import certainly_before, format_partial_date
from common.text import in_sentence
from sources.models import Source

from .models import Charge, Counsel, CustodyExtension, Designation, Detainee, Detention, Sentence, Status, Transfer


def cited(path: str = "sources") -> Prefetch:
    """Prefetch a record's sources with their outlets, as every citation shows the outlet."""
    return Prefetch(path, queryset=Source.objects.select_related("outlet"))


def case_queryset(user=None):
    """A detainee with everything the case page shows, in a fixed number of queries."""
    sentences = Sentence.objects.select_related("combines").prefetch_related(
        cited(), "charges", cited("changes__sources")
    )
    detentions = Detention.objects.prefetch_related(
        cited(),
        cited("charges__sources"),
        Prefetch("sentences", queryset=sentences),
        cited("transfers__sources"),
        cited("extensions__sources"),
        cited("counsel__sources"),
    )
    base = Detainee.objects.visible_to(user) if user is not None else Detainee.objects.published()
    return base.with_status().prefetch_related(
        cited(),
        Prefetch("detentions", queryset=detentions),
        cited("designations__sources"),
    )


@dataclass
class Event:
    """One dated line of a case's timeline."""

    date: datetime.date | None
    precision: str
    kind: str
    text: str
    cited: object = None  # the record whose sources back this line
    link: str = ""
    extra: list = field(default_factory=list)

    @property
    def when(self) -> str:
        return format_partial_date(self.date, self.precision) or _("Date unknown")

    @property
    def datetime_attr(self) -> str:
        """A valid HTML date string no more precise than the source: "2019-08-23", "2019-08" or "2019"."""
        if self.date is None:
            return ""
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    # An undated event placed by a date it must precede (see `place_undated`): the sort key of that date.
    anchor: tuple | None = None

    @staticmethod
    def key_of(date: datetime.date, precision: str) -> tuple:
        """A partial date's place in time: one known only to the month (or year) after the dated days of it."""
        month = 13 if precision == "year" else date.month
        day = date.day if precision == "day" else 32
        return (date.year, month, day)

    @property
    def sort_key(self) -> tuple:
        """Oldest first; an event known only to the month (or year) after the dated events of that month (or year);
        an undated one just before the date it is anchored to, else last."""
        if self.date is not None:
            return (*self.key_of(self.date, self.precision), 1)
        if self.anchor is not None:
            return (*self.anchor, 0)
        return (10_000, 13, 32, 1)


def could_report(source, date: datetime.date | None, precision: str) -> bool:
    """Whether `source` can be a report of what happened on a partial date: not certainly published before it (a
    source of March 2022 can report 17 March 2022; common.models.certainly_before); a source or an event with no
    date can."""
    return not certainly_before(source.published_on, source.published_on_precision, date, precision)


@dataclass
class Cites:
    """The sources behind one line of a timeline, read as a record's are (`{% cite %}`: `.sources.all()`)."""

    items: list

    @property
    def sources(self):
        return self

    def all(self) -> list:
        return self.items


def end_sources(d: Detention, exchange=None) -> Cites:
    """What backs the line of a custody's end: the custody's sources dated on or after the end (an arrest report
    cannot tell of a release years later) and the sources of the exchange that ended it; only when there are none,
    the custody's undated sources (which may tell of it). A custody none of whose sources could report its end
    cites none, and the page says a source is needed."""
    own = [s for s in d.sources.all() if could_report(s, d.released_on, d.released_on_precision)]
    dated = [s for s in own if s.published_on is not None]
    cited = {s.pk for s in dated}
    more = [s for s in exchange.sources.all() if s.pk not in cited] if exchange is not None else []
    return Cites(dated + more if dated or more else own)


def place_undated(event: Event, later: list[Event], known: list[tuple[datetime.date | None, str]] = ()) -> None:
    """Anchor an undated event (a custody whose start no report dates, a handover on a date not on file) just before
    the earliest date it must precede: the dated events that `later` holds (the same custody's charges, moves,
    sentences and end; for a handover, the next custody's) and the `known` dates (the custody's last confirmation).
    With none of them dated it stays last. The rule of SPEC 1.1 ("a timeline places an event known only to the
    month or year after the dated events of that month or year") is kept: the anchor is such an event's own key."""
    if event.date is not None:
        return
    keys = [e.sort_key[:3] for e in later if e is not event and e.date is not None]
    keys += [Event.key_of(date, precision) for date, precision in known if date is not None]
    if keys:
        event.anchor = min(keys)


def link_chain(detentions) -> list[Detention]:
    """Set `predecessor` / `successor` on a person's detentions (in order): a detention that ends in extradition
    or handover is followed by the next holder's custody."""
    detentions = list(detentions)
    for d in detentions:
        d.predecessor = d.successor = None
    for before, after in zip(detentions, detentions[1:], strict=False):
        if before.ends_in_handover:
            before.successor, after.predecessor = after, before
    return detentions


def holder_name(detention: Detention) -> str:
    """Who holds, as a sentence names them: "the United States of America", "Russia", "Hamas" (common.text)."""
    return in_sentence(detention.holder_name)


def _on(obj, field: str) -> str:
    """ "on 16 November 2010", "in November 2010", or "on a date not on file" (Russian: "16 ноября 2010 г.",
    "в ноябре 2010 г.")."""
    precision = getattr(obj, f"{field}_precision")
    when = format_partial_date(getattr(obj, field), precision, form="prepositional")
    if not when:
        return _("on a date not on file")
    return (_("on %(date)s") if precision == "day" else _("in %(date)s")) % {"date": when}


def _since(obj, field: str) -> str:
    """The date after "since"/"from" (Russian: "с 17 февраля 2022 г.", "с февраля 2022 г.")."""
    return format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision"), form="genitive")


def handover_text(d: Detention) -> str:
    """ "extradited to the United States of America on 16 November 2010" for a detention that ends in a handover."""
    extradited = d.end_reason == Detention.EndReason.EXTRADITED
    when = _on(d, "released_on")
    if getattr(d, "successor", None):
        text = _("extradited to %(holder)s %(when)s") if extradited else _("handed over to %(holder)s %(when)s")
        return text % {"holder": holder_name(d.successor), "when": when}
    return (_("extradited %(when)s") if extradited else _("handed over %(when)s")) % {"when": when}


def custody_chains(detainee: Detainee) -> list[str]:
    """Each run of custody across holders in one sentence, for people held by more than one in a row:
    "Held by Thailand from 6 March 2008, extradited to the United States of America on 16 November 2010; held by
    the United States of America until 8 December 2022 (exchanged)"."""
    sentences = []
    for d in link_chain(detainee.detentions.all()):
        if d.predecessor or not d.successor:
            continue
        parts, current = [], d
        while current is not None:
            holder = holder_name(current)
            if current is d and current.detained_on:
                part = _("held by %(holder)s from %(since)s") % {
                    "holder": holder,
                    "since": _since(current, "detained_on"),
                }
            else:
                part = _("held by %(holder)s") % {"holder": holder}
            if current.successor:
                part += f", {handover_text(current)}"
            elif current.released_on:
                until = format_partial_date(current.released_on, current.released_on_precision, form="genitive")
                part += " " + _("until %(until)s (%(reason)s)") % {
                    "until": until,
                    "reason": str(current.get_end_reason_display()).lower(),
                }
            elif current.is_open:
                part += " " + _("to this day")
            parts.append(part)
            current = current.successor
        sentences.append("; ".join(parts)[:1].upper() + "; ".join(parts)[1:])
    return sentences


def _html(sentence: str, **parts) -> str:
    """`sentence` ("Moved to %(facility)s") as HTML, each part escaped and, on a Russian page, text on file in English
    only (a place, a court, a group's name) marked `lang="en"` (h59)."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from common.templatetags.tracker import text_html

    return mark_safe(conditional_escape(str(sentence)) % {key: text_html(value) for key, value in parts.items()})


def timeline(detainee: Detainee, participations=()) -> list[Event]:
    """Every dated event of a case, oldest first: detained, extradited, moved, sentenced, appeals, released. Each
    line's text is HTML (`_html`)."""
    events: list[Event] = []
    chain = link_chain(detainee.detentions.all())
    of_custody: dict[int, tuple[int, int]] = {}  # detention id: the slice of `events` it added
    for d in chain:
        first = len(events)
        holder = holder_name(d)
        where = _html(", %(place)s", place=d.place) if d.place else _html("")
        how = _html(" (%(how)s)", how=d.circumstances) if d.circumstances else _html("")
        if d.predecessor is None:  # a successor's start is its predecessor's handover, told there
            events.append(Event(d.detained_on, d.detained_on_precision, "detained",
                                _html(_("Detained by %(holder)s"), holder=holder) + where + how, d))  # fmt: skip
        for c in d.charges.all():
            if c.charged_on:
                law = _html(" (%(law)s)", law=c.statute) if c.statute else _html("")
                events.append(Event(c.charged_on, c.charged_on_precision, "charged",
                                    _html(_("Charged: %(charge)s"), charge=str(c.get_category_display()).lower())
                                    + law, c))  # fmt: skip
        for t in d.transfers.all():
            events.append(Event(t.moved_on, t.moved_on_precision, "transferred",
                                _html(_("Moved to %(facility)s"), facility=t.facility_name), t))  # fmt: skip
        for s in d.sentences.all():
            term = s.term_display() or _("no custodial term")
            text = (_html(_("Sentenced by %(court)s: %(term)s"), court=s.court, term=term) if s.court
                    else _html(_("Sentenced: %(term)s"), term=term))  # fmt: skip
            events.append(Event(s.sentenced_on, s.sentenced_on_precision, "sentenced", text, s))
            for c in s.changes.all():
                term = ("; " + ngettext("term now %(months)d month", "term now %(months)d months", c.new_term_months)
                        % {"months": c.new_term_months}) if c.new_term_months else ""  # fmt: skip
                by = _html(" " + _("by %(court)s"), court=c.court) if c.court else _html("")
                text = _html("%(kind)s", kind=c.get_kind_display()) + by + _html("%(term)s", term=term)
                events.append(Event(c.changed_on, c.changed_on_precision, "appeal", text, c))
        if d.ends_in_handover:
            extradited = d.end_reason == Detention.EndReason.EXTRADITED
            if d.successor:
                text = _html(
                    _("Extradited by %(holder)s to %(to)s") if extradited else _("Handed over by %(holder)s to %(to)s"),
                    holder=holder, to=holder_name(d.successor),
                )  # fmt: skip
            else:
                text = _html(_("Extradited by %(holder)s") if extradited else _("Handed over by %(holder)s"),
                             holder=holder)  # fmt: skip
            events.append(Event(d.released_on, d.released_on_precision, d.end_reason, text, end_sources(d)))
        elif d.released_on:
            if d.end_reason == "exchanged":
                exchange = next((p.exchange for p in participations if p.exchange.date and
                                 abs((p.exchange.date - d.released_on).days) <= 31), None)  # fmt: skip
                text = _html(_("Exchanged: released by %(holder)s"), holder=holder)
                link = exchange.get_absolute_url() if exchange else ""
                events.append(Event(d.released_on, d.released_on_precision, "exchanged", text,
                                    end_sources(d, exchange), link, [exchange] if exchange else []))  # fmt: skip
            else:
                text = _html(_("%(how)s by %(holder)s"), how=d.get_end_reason_display(), holder=holder)
                events.append(Event(d.released_on, d.released_on_precision, d.end_reason, text, end_sources(d)))
        of_custody[d.pk] = (first, len(events))
    # Undated lines of a custody: its start before the custody's first dated event (or its last confirmation), a
    # handover on a date not on file before the next custody's first dated event, and a charge, move or sentence
    # that no report dates before the custody's end (it happened while they were held), not after the release.
    for d in chain:
        own = events[slice(*of_custody[d.pk])]
        end = next((e for e in own if isinstance(e.cited, Cites)), None)  # the line of its end, when on file
        for e in own:
            if e.cited is d and e.kind == "detained":
                place_undated(e, own, [(d.last_confirmed_on, d.last_confirmed_on_precision)])
            elif e.kind == d.end_reason and d.ends_in_handover and d.successor is not None:  # its handover
                place_undated(e, events[slice(*of_custody[d.successor.pk])])
            elif end is not None and e is not end:
                place_undated(e, [end])
    # An exchange on file is a dated event of the case, whether or not the custody it ended is on file.
    told = {id(x) for e in events for x in e.extra}
    for p in participations:
        if p.exchange.status == "completed" and id(p.exchange) not in told:
            events.append(Event(p.exchange.date, p.exchange.date_precision, "exchanged",
                                _html(_("Exchanged: released by %(by)s to %(to)s"), by=in_sentence(p.released_by_name),
                                      to=in_sentence(p.received_by_name)),
                                p.exchange,
                                p.exchange.get_absolute_url(), [p.exchange]))  # fmt: skip
    # An undated designation was made while the person was held (the authorities recognise a detention, not a
    # release): before the end of their latest custody, or of the exchange that freed them when no custody is on
    # file; someone held still, or with no end on file, has it last.
    latest = chain[-1] if chain else None
    ends = [e for e in events[slice(*of_custody[latest.pk])] if isinstance(e.cited, Cites)] if latest else []
    if latest is None:
        ends = sorted((e for e in events if e.kind == "exchanged" and e.date is not None), key=lambda e: e.sort_key)
    for g in detainee.designations.all():
        event = Event(g.designated_on, g.designated_on_precision, "designated",
                      _html(_("Designated %(kind)s by %(authority)s"), kind=str(g.get_kind_display()).lower(),
                            authority=g.authority), g)  # fmt: skip
        place_undated(event, ends[-1:])
        events.append(event)
    return sorted(events, key=lambda e: e.sort_key)  # stable: same-key events keep the order they were added


def _latest_completed(participations) -> object | None:
    """The first of `participations` (all of the person's, or more) as `.filter(exchange__is_published=True,
    exchange__status="completed").order_by("-exchange__date", "-pk").first()` finds it, where the database reads:
    PostgreSQL puts an exchange without a date first in a descending order, SQLite last."""
    from django.db import connections, router

    from exchanges.models import ExchangeParticipant

    nulls_first = connections[router.db_for_read(ExchangeParticipant)].features.nulls_order_largest
    done = [p for p in participations if p.exchange.is_published and p.exchange.status == "completed"]
    undated = sorted((p for p in done if p.exchange.date is None), key=lambda p: p.pk, reverse=True)
    dated = sorted((p for p in done if p.exchange.date is not None), key=lambda p: (p.exchange.date, p.pk))[::-1]
    ordered = undated + dated if nulls_first else dated + undated
    return ordered[0] if ordered else None


def status_sentence(detainee: Detainee, participations=None) -> str:
    """The case in one line: "Held by Russia since 17 February 2022", "Exchanged on 8 December 2022".
    `participations`: every exchange participation of the person with its exchange, when the caller has read them
    (the case page, `load_case`): then no query."""
    latest = detainee.latest_detention
    if latest is None:
        if detainee.status == Status.EXCHANGED:
            from exchanges.models import ExchangeParticipant

            if participations is not None:
                took_part = _latest_completed(participations)
            else:
                took_part = (
                    ExchangeParticipant.objects.filter(detainee=detainee, exchange__is_published=True,
                                                       exchange__status="completed")
                    .select_related("exchange").order_by("-exchange__date", "-pk").first()
                )  # fmt: skip
            if took_part is None:  # the stored status is being refreshed
                return _("Exchanged (custody not on file)")
            exchange = took_part.exchange
            return _("Exchanged %(when)s in the %(exchange)s (custody not on file)") % {
                "when": _on(exchange, "date"),
                "exchange": exchange.name,
            }
        return _("Status unknown: no detention on file")
    ended = _on(latest, "released_on")
    match detainee.status:
        case Status.HELD:
            holder = holder_name(latest) if latest.is_open else _("a holder not on file")
            if latest.start_unknown:
                return _("Held by %(holder)s since a date unknown") % {"holder": holder}
            return _("Held by %(holder)s since %(since)s") % {"holder": holder, "since": _since(latest, "detained_on")}
        case Status.EXCHANGED:
            return _("Exchanged %(when)s") % {"when": ended}
        case Status.DECEASED:
            return _("Died in custody %(when)s") % {"when": ended}
        case Status.RELEASED:
            return _("Released %(when)s") % {"when": ended}
    return _("Status unknown: no detention on file")


def last_confirmed(detainee: Detainee) -> str:
    """ "on 12 March 2024" / "in March 2024" for a person held, from the open detention; "" otherwise."""
    latest = detainee.latest_detention
    if detainee.status != Status.HELD or latest is None or not latest.last_confirmed_on:
        return ""
    return _on(latest, "last_confirmed_on")


@functools.cache
def _history(model):
    """The historical rows of every record of `model`: what `model.history` gives without an instance, minus the
    new manager class django-simple-history builds on every access to `model.history` (~0.4 ms each)."""
    return model.history.model._default_manager


def change_log_parts(pk, detention_ids) -> list:
    """One queryset of history rows with a reason, since the person `pk` was first published, per history table of
    the case: the person's, their detentions' (`detention_ids`: a list, or a subquery of their ids) records' and
    their designations'."""
    first = Subquery(  # the moment the case was first published; no row, so nothing, for a case never published
        _history(Detainee).filter(id=pk, is_published=True).order_by("history_date").values("history_date")[:1]
    )
    histories = [
        _history(Detainee).filter(id=pk, is_published=True),
        _history(Detention).filter(detainee_id=pk),
        _history(Charge).filter(detention_id__in=detention_ids),
        _history(Sentence).filter(detention_id__in=detention_ids),
        _history(Transfer).filter(detention_id__in=detention_ids),
        _history(Counsel).filter(detention_id__in=detention_ids),
        _history(CustodyExtension).filter(detention_id__in=detention_ids),
        _history(Designation).filter(detainee_id=pk),
    ]
    return [
        h.filter(history_date__gte=first).exclude(history_change_reason=None).exclude(history_change_reason="")
        .order_by()
        for h in histories
    ]  # fmt: skip


def change_log_rows(ids: list[int]):
    """The query behind `public_change_log()` outside a case page (which reads the rows with the case: `load_case`):
    (date, reason) of every history row with a reason, since the case was first published. `ids` is [the person's
    id, *the ids of their detentions]."""
    rows = [h.values_list("history_date", "history_change_reason") for h in change_log_parts(ids[0], ids[1:])]
    return rows[0].union(*rows[1:], all=True)


def public_change_log(detainee: Detainee) -> list[dict]:
    """Corrections to a published case: date and reason only, never the editor or draft-time content.

    Collected from the history of the person and of every record in their custody history, from the moment the
    case was first published: read with the case on its page (`documents.load_case`, h63), else in one query,
    compiled once per number of detentions (see `documents.run`).
    """
    from .documents import run

    rows = getattr(detainee, "case_extras", {}).get("correction")
    if rows is None:
        detention_ids = [d.pk for d in detainee.detentions.all()]  # loaded already on the case page
        rows = run(change_log_rows, [detainee.pk, *detention_ids])
    entries, seen = [], set()
    for when, reason in rows:
        if isinstance(when, str):  # SQLite: the text the column holds, in UTC; JSON (load_case): ISO 8601
            when = parse_datetime(when)
        # in UTC, aware, as PostgreSQL gives it (SQLite's driver gives a naive datetime)
        when = timezone.make_aware(when, datetime.UTC) if timezone.is_naive(when) else when.astimezone(datetime.UTC)
        key = (reason, when.replace(second=0, microsecond=0))  # one save writes a row per m2m change too
        if is_public_reason(reason) and key not in seen:
            seen.add(key)
            entries.append({"date": when, "reason": reason})
    return sorted(entries, key=lambda e: e["date"], reverse=True)


# "Did you mean": a name search that finds fewer than this many people offers the published names nearest to it.
SUGGEST_BELOW = 3
# At least this score of the one matcher (common.matching), against a whole name or against as many of its words as
# the query has ("whelen" against "Whelan" of "Paul Whelan": 0.92). Above its duplicate-warning threshold (0.67):
# a suggestion is a guess offered to a reader, who has nothing to weigh it with.
SUGGEST_THRESHOLD = 0.8
# Candidates scored at most (the matcher's own cap is 3,000): a guess need not read every "Whe…" of 100,000 people;
# 3,000 took 1.5 s at 100,000 cases at load 15 (the scoring, not the SQL: 85 ms); 300, about 0.5 s.
SUGGEST_READ = 300


def _windows(names, size: int) -> list[str]:
    """Each run of `size` consecutive words of each name: a query of one word is set against "Whelan" of "Paul
    Whelan", where the whole name would cost it the missing first name."""
    found = []
    for name in names:
        words = name.split()
        if len(words) > size:
            found += [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    return found


def name_suggestions(query: str, *, people=None, exclude=(), limit: int = 5) -> list[tuple[Detainee, float]]:
    """(person, score) of the published people whose names are nearest to `query` by the matcher that
    reconciliation and the duplicate warnings use, best first; never a draft, whoever asks (`people`, a queryset
    of detainees to choose among, is narrowed to the published ones)."""
    from common.matching import Record, find
    from common.text import search_words

    query = " ".join(query.split())[:200]
    if not search_words(query):
        return []
    size = len(query.split())
    people = (people if people is not None else Detainee.objects.all()).published().select_related(None)
    if exclude:
        people = people.exclude(pk__in=list(exclude))

    def record_of(person):
        record = Record.of(person)
        record.names = [*record.names, *_windows(record.names, size)]
        record.born_on, record.citizenships = None, ()  # a query is a name only: no evidence either way
        return record

    found = find(people, Record(names=[query]), threshold=SUGGEST_THRESHOLD, limit=limit, record_of=record_of,
                 read=SUGGEST_READ)  # fmt: skip
    return [(person, match.score) for person, match in found]
