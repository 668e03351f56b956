"""The census: how many people were held on a given date, by whom, of which citizenship, on which charges — as the
Committee to Protect Journalists publishes one for 1 December of each year.

Partial dates are spans (SPEC 1.1). A person is counted as **held** on a day when a detention certainly covers it:
the rule is `held_on_q`, the one the `held_on` filter of every list uses, so the census and the lists agree. People
whose custody only **may** have covered the day (a start known only as "August 2019", asked about 10 August 2019;
an end known only as a month) are counted apart, never added to the figure: `possibly_held_on_q` is the widest
reading of the same spans, and every certain detention is also a possible one.

Only published people are counted, for everyone (staff included): the census is a public figure. Everything is
computed once per data version and day (`common.cache.cached_figures`), so a write shows at once.
"""

import datetime

from django import forms
from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.cache import cached_figures, data_version
from common.filters import IsoDateField
from common.models import certain_start, format_partial_date, span_last_day
from common.text import russian_name

from .filters import held_on_q
from .models import Charge, ChargeCategory, Designation, DesignationKind, Detention

# Who counts as held, as stored censuses were counted (`casedocs.census_store`): raised whenever `held_on_q`,
# `possibly_held_on_q` or `certain_start` change, so a census stored before is counted again, never served.
# 2: a custody whose start no report dates is held on the day of its release.
RULE = 2


def span_reaches_q(field: str, day: datetime.date) -> Q:
    """The span of the partial date `field` (stored as its first day, with `<field>_precision`) ends on or after
    `day`: "March 2022" reaches every day up to 31 March 2022."""
    return (
        Q(**{f"{field}_precision": "day", f"{field}__gte": day})
        | Q(**{f"{field}_precision": "month", f"{field}__gte": day.replace(day=1)})
        | Q(**{f"{field}_precision": "year", f"{field}__gte": day.replace(month=1, day=1)})
    )


def with_successor(detentions):
    """Alias `next_on` (+ `next_on_precision`) on detentions whose custody ended on a date not on file: the start of
    the same person's next detention, the latest the handover can have happened. Evaluated only for those rows."""
    after = Q(detained_on__gt=OuterRef("detained_on")) | Q(detained_on=OuterRef("detained_on"), id__gt=OuterRef("id"))
    later = Detention.objects.filter(after, detainee=OuterRef("detainee")).order_by("detained_on", "id")
    undated_end = Q(released_on=None) & ~Q(end_reason="")
    return detentions.alias(
        next_on=Case(When(undated_end, then=Subquery(later.values("detained_on")[:1])), default=None),
        next_on_precision=Case(When(undated_end, then=Subquery(later.values("detained_on_precision")[:1])),
                               default=None),
    )  # fmt: skip


def possibly_held_on_q(day: datetime.date) -> Q:
    """Custody that may have covered `day` (on detentions from `with_successor`): begun by the first day of its
    start's span, and not ended before the last day of its end's span. An end whose date is not on file may have
    come as late as the next detention's start, or, with none on file, at any time."""
    open_ = Q(released_on=None, end_reason="")
    ended_after = Q(released_on__isnull=False) & span_reaches_q("released_on", day)
    undated = Q(released_on=None) & ~Q(end_reason="") & (Q(next_on=None) | span_reaches_q("next_on", day))
    # A start no report dates may have been any time before the custody's first known day.
    return (Q(detained_on__lte=day) | Q(detained_on=None)) & (open_ | ended_after | undated)


def public_detentions():
    """Detentions of published people, the only ones a census counts."""
    return with_successor(Detention.objects.filter(detainee__is_published=True))


# ---- the date asked for ------------------------------------------------------------------------------------------


class CensusForm(forms.Form):
    """`on`: the census page, its API and the map of /flows/ read the date the same way (default: today)."""

    on = IsoDateField(required=False, help_text=_("The day counted (YYYY-MM-DD); today when absent."))

    KNOWN = {"on"}

    def clean_on(self):
        day = self.cleaned_data.get("on")
        today = timezone.localdate()
        if day is None:
            return today
        if day > today:
            raise forms.ValidationError(
                _("A census counts what is on file up to today (%(today)s): choose a date not after it.")
                % {"today": format_partial_date(today)}, code="future",
            )  # fmt: skip
        return day


def census_day(params) -> tuple[CensusForm, datetime.date | None]:
    """Validate `on` from a query; (form, the day), the day None when the form has errors."""
    form = CensusForm({"on": params.get("on", "")})
    return form, form.cleaned_data["on"] if form.is_valid() else None


# ---- the figures -------------------------------------------------------------------------------------------------


def _rows(buckets: dict, label_of, key_name: str, order=None) -> list[dict]:
    """Figures by one dimension: [{key_name, "name", "held": [person ids], "uncertain": [person ids]}], largest
    first (or in `order`), each person counted once per row."""
    rows = []
    for key, (certain, possible) in buckets.items():
        uncertain = possible - certain
        if certain or uncertain:
            rows.append({key_name: key, "name": label_of(key), "held": sorted(certain), "uncertain": sorted(uncertain)})
    if order is not None:
        return sorted(rows, key=lambda r: order.index(r[key_name]))
    return sorted(rows, key=lambda r: (-len(r["held"]), -len(r["uncertain"]), r["name"]))


def census_entries(day: datetime.date, only=None) -> dict:
    """What the census of `day` is made of, person by person (plain data, storable): {"people": {id: entry},
    "groups": {id: [name, slug]}}. An entry holds the person's name, slug and citizenships, whether a custody
    certainly covers the day, and each holder, charge category and designation with whether it is certain.
    `only` (ids) limits it to those people: the census is patched with them after a write
    (`casedocs.census_store`). Three queries."""
    covering = public_detentions().filter(possibly_held_on_q(day))
    if only is not None:
        covering = covering.filter(detainee_id__in=list(only))
    detentions = list(
        covering
        .annotate(certain=Case(When(held_on_q(day), then=Value(True)), default=Value(False),
                               output_field=BooleanField()))
        .order_by().values_list("id", "detainee_id", "detainee__name", "detainee__slug", "detainee__citizenships",
                                "detainee__name_original", "detainee__aliases", "held_by", "held_by_group_id",
                                "held_by_group__name", "held_by_group__slug", "certain")
    )  # fmt: skip
    charges: dict[int, set[str]] = {}
    if not detentions:
        covering = covering.none()  # nobody: their charges and designations need no query
    # Subqueries rather than lists of ids: tens of thousands of parameters cost more than the rule evaluated again.
    for detention_id, category in Charge.objects.filter(detention__in=covering.values("pk")).order_by().values_list(
        "detention_id", "category"
    ).distinct():  # fmt: skip
        charges.setdefault(detention_id, set()).add(category)
    people: dict[int, dict] = {}
    groups: dict[int, list[str]] = {}
    for (
        det_id,
        pid,
        name,
        slug,
        citizenships,
        original,
        aliases,
        code,
        group_id,
        group_name,
        group_slug,
        certain,
    ) in detentions:
        person = people.setdefault(pid, {
            "id": pid, "name": name, "name_ru": russian_name(original, aliases), "slug": slug, "certain": False,
            "holders": {}, "charges": {},
            "citizenships": [c for c in (citizenships or "").split(",") if c], "designations": [],
        })  # fmt: skip
        person["certain"] |= certain
        if group_id:
            groups[group_id] = [group_name, group_slug]
            holder = f"group:{group_id}"
        else:
            holder = f"state:{code or ''}"
        person["holders"][holder] = person["holders"].get(holder, False) or certain
        for category in charges.get(det_id, ()):
            person["charges"][category] = person["charges"].get(category, False) or certain
    for pid, kind in Designation.objects.filter(detainee__in=covering.values("detainee_id")).order_by().values_list(
        "detainee_id", "kind"
    ).distinct():  # fmt: skip
        people[pid]["designations"].append(kind)
    return {"people": people, "groups": groups}


def assemble_census(day: datetime.date, entries: dict) -> dict:
    """The census figures (see `compute_census`) from `census_entries()`: no query."""
    people_entries, groups = entries["people"], entries["groups"]
    holders: dict[tuple, tuple[set, set]] = {}
    by_charge: dict[str, tuple[set, set]] = {}
    by_citizenship: dict[str, tuple[set, set]] = {}
    by_designation: dict[str, tuple[set, set]] = {}
    people = []
    for entry in people_entries.values():
        pid, certain = entry["id"], entry["certain"]
        held_by, held_by_group = set(), set()
        for holder, sure in entry["holders"].items():
            kind, value = holder.split(":", 1)
            key = ("group", int(value)) if kind == "group" else ("state", value)
            if kind == "group":
                held_by_group.add(int(value))
            elif value:
                held_by.add(value)
            bucket = holders.setdefault(key, (set(), set()))
            bucket[1].add(pid)
            if sure:
                bucket[0].add(pid)
        for category, sure in entry["charges"].items():
            bucket = by_charge.setdefault(category, (set(), set()))
            bucket[1].add(pid)
            if sure:
                bucket[0].add(pid)
        for code in entry["citizenships"]:
            bucket = by_citizenship.setdefault(code, (set(), set()))
            bucket[1].add(pid)
            if certain:
                bucket[0].add(pid)
        for kind in set(entry["designations"]):
            bucket = by_designation.setdefault(kind, (set(), set()))
            bucket[1].add(pid)
            if certain:
                bucket[0].add(pid)
        people.append({
            "id": pid, "name": entry["name"], "name_ru": entry.get("name_ru", ""), "slug": entry["slug"],
            "certain": certain,
            "held_by": sorted(held_by), "held_by_group": sorted(held_by_group),
            "citizenships": entry["citizenships"], "charge_categories": sorted(entry["charges"]),
            "designations": sorted(set(entry["designations"])),
        })  # fmt: skip

    def group(value) -> list[str]:
        return groups.get(value) or groups[str(value)]  # keys are strings once stored as JSON

    def holder_name(key: tuple) -> str:
        kind, value = key
        if kind == "group":
            return group(value)[0]
        return countries.name(value) or value or _("Captor not on file")

    by_holder = _rows(holders, holder_name, "holder")
    for row in by_holder:
        kind, value = row.pop("holder")
        row["held_by"] = value if kind == "state" and value else None
        row["held_by_group"] = value if kind == "group" else None
        row["group_slug"] = group(value)[1] if kind == "group" else None
    categories, kinds = dict(ChargeCategory.choices), dict(DesignationKind.choices)
    return {
        "on": day.isoformat(),
        "held": sum(p["certain"] for p in people),
        "uncertain": sum(not p["certain"] for p in people),
        "people": sorted(people, key=lambda p: (p["name"], p["id"])),
        "by_holder": by_holder,
        "by_citizenship": _rows(by_citizenship, lambda c: countries.name(c) or c, "citizenship"),
        "by_charge_category": _rows(by_charge, categories.get, "charge_category", order=list(categories)),
        "by_designation": _rows(by_designation, kinds.get, "designation", order=list(kinds)),
    }


def compute_census(day: datetime.date) -> dict:
    """The census of `day` as plain data (cacheable): every person held or maybe held, and the figures by holder,
    citizenship, charge category and designation, each as lists of person ids. Three queries."""
    return assemble_census(day, census_entries(day))


def december_days(today: datetime.date) -> list[datetime.date]:
    """1 December of every year on file: from the year of the earliest detention of a published person to the
    latest 1 December not after today."""
    first = Detention.objects.filter(detainee__is_published=True, detained_on__isnull=False).order_by(
        "detained_on").values_list(
        "detained_on", flat=True
    ).first()  # fmt: skip
    if first is None:
        return []
    last = today.year if today >= datetime.date(today.year, 12, 1) else today.year - 1
    return [datetime.date(year, 12, 1) for year in range(first.year, last + 1)]


def december_sets(days: list[datetime.date], only=None) -> dict:
    """Who was held (and who maybe held) on each of `days` (1 December of years on file): {"years": [...],
    "held": {year: [ids]}, "possible": {year: [ids]}}, plain data to store; `only` limits it to those people.

    One query brings each detention with the bounds `held_on_q` and `possibly_held_on_q` evaluate (at 100,000
    people, 64 filtered distinct counts in SQL took a minute); each detention then adds its person to the years
    whose 1 December its span covers, certainly or possibly. A test checks it against both rules day by day."""
    if not days:
        return {"years": [], "held": {}, "possible": {}}
    first_year, last_year = days[0].year, days[-1].year
    held: dict[int, set[int]] = {day.year: set() for day in days}
    possible: dict[int, set[int]] = {day.year: set() for day in days}
    rows = public_detentions()
    if only is not None:
        rows = rows.filter(detainee_id__in=list(only))
    rows = rows.annotate(next_start=F("next_on"), next_start_precision=F("next_on_precision")).order_by(
    ).values_list("detainee_id", "detained_on", "detained_on_precision", "released_on", "released_on_precision",
                  "end_reason", "next_start", "next_start_precision", "last_confirmed_on",
                  "last_confirmed_on_precision")  # fmt: skip

    def december_years(start: datetime.date, end: datetime.date | None) -> range:
        """Years whose 1 December falls within [start, end] (end None: no end)."""
        low = start.year if start <= datetime.date(start.year, 12, 1) else start.year + 1
        high = last_year if end is None else (end.year if end >= datetime.date(end.year, 12, 1) else end.year - 1)
        return range(max(low, first_year), min(high, last_year) + 1)

    for row in rows.iterator(2000):
        pid, start, start_precision, end, end_precision, reason, next_on, next_precision, confirmed, known = row
        # A start no report dates: certain from the day a report confirmed the custody (or of its release), possible at
        # any time before.
        certain_from, certain_precision = certain_start(start, start_precision, confirmed, known, end, end_precision)
        possible_from = start if start is not None else datetime.date(first_year, 1, 1)
        if end is not None:  # certain until the end's first day, possible until its last
            certain_end, possible_end = end, span_last_day(end, end_precision)
        elif not reason:  # open
            certain_end = possible_end = None
        else:  # ended on a date not on file: never certain; possibly until the next custody can have begun
            certain_end = None
            possible_end = span_last_day(next_on, next_precision) if next_on else None
        if certain_from is not None and (end is not None or not reason):
            for year in december_years(span_last_day(certain_from, certain_precision), certain_end):
                held[year].add(pid)
        for year in december_years(possible_from, possible_end):
            possible[year].add(pid)
    return {"years": [day.year for day in days], "held": {y: sorted(ids) for y, ids in held.items()},
            "possible": {y: sorted(ids) for y, ids in possible.items()}}  # fmt: skip


def december_series(sets: dict) -> list[dict]:
    """[{"year", "on", "held", "uncertain"}] from `december_sets()` (stored or not: JSON makes the years strings)."""
    out = []
    for year in sets["years"]:
        held = set(sets["held"].get(year, sets["held"].get(str(year), ())))
        possible = set(sets["possible"].get(year, sets["possible"].get(str(year), ())))
        out.append({"year": year, "on": datetime.date(year, 12, 1).isoformat(), "held": len(held),
                    "uncertain": len(possible - held)})  # fmt: skip
    return out


def compute_december(today: datetime.date) -> list[dict]:
    """Held (and maybe held) on 1 December of every year on file: [{"year", "on", "held", "uncertain"}]."""
    return december_series(december_sets(december_days(today)))


# Where the entries come from: counted here, or read from a store kept outside requests, which registers itself
# (`casedocs.census_store`: stored per day, patched with the people changed since). Each: (day) -> entries,
# (today) -> the 1 December sets.
STORE = {"entries": None, "december": None}


def census_figures(day: datetime.date, version: str | None = None) -> dict:
    """The census of `day` (see `compute_census`), assembled once per data version and day from the stored entries;
    `version` saves reading it again when the caller has it. The map of /flows/ shades these figures."""
    today = timezone.localdate()

    def compute():
        return assemble_census(day, STORE["entries"](day) if STORE["entries"] else census_entries(day))

    return cached_figures("census", parts=(day.isoformat(), today.isoformat()), version=version or data_version(),
                          compute=compute)  # fmt: skip


def census(day: datetime.date, version: str | None = None) -> dict:
    """The census of `day` and the 1 December series, each assembled once per data version and day."""
    today = timezone.localdate()
    version = version or data_version()

    def compute():
        if STORE["december"]:
            return december_series(STORE["december"](today))
        return compute_december(today)

    december = cached_figures("census-december", parts=(today.isoformat(),), version=version, compute=compute)
    return {**census_figures(day, version), "december": december}


# ---- the census as the API gives it ------------------------------------------------------------------------------

# The filters of /api/v1/detainees/ (and /detainees/) that list the people a row counts, with `held_on` beside them.
LIST_FILTER = {"by_holder": None, "by_citizenship": "citizenship", "by_charge_category": "charge_category",
               "by_designation": "designation"}  # fmt: skip


def list_query(dimension: str, row: dict, day: datetime.date) -> str | None:
    """The query string of the detainee list that holds the same people as a row's `held` figure, or None when no
    filter expresses it (a captor not on file)."""
    params = [("held_on", day.isoformat())]
    if dimension == "by_holder":
        if row["held_by_group"]:
            params.append(("held_by_group", str(row["held_by_group"])))
        elif row["held_by"]:
            params.append(("held_by", row["held_by"]))
        else:
            return None
    elif dimension != "total":
        name = LIST_FILTER[dimension]
        params.append((name, row[name]))
    return "&".join(f"{k}={v}" for k, v in params)


def census_document(figures: dict, *, api_url: str, html_url: str, list_api: str, list_html: str) -> dict:
    """The census as JSON: figures as numbers, each row with the ids of its people and the address of the list that
    holds them; `people` once each, with their pages. `api_url` and `html_url` contain `__id__` / `__slug__`."""
    day = datetime.date.fromisoformat(figures["on"])

    def lists(query: str | None) -> dict:
        if query is None:
            return {"list_url": None, "list_html_url": None}
        return {"list_url": f"{list_api}?{query}", "list_html_url": f"{list_html}?{query}"}

    document = {
        "on": figures["on"],
        "held": figures["held"],
        "uncertain": figures["uncertain"],
        **lists(list_query("total", {}, day)),
    }
    for dimension in LIST_FILTER:
        document[dimension] = []
        for row in figures[dimension]:
            out = {k: v for k, v in row.items() if k not in ("held", "uncertain", "group_slug")}
            out.update(held=len(row["held"]), uncertain=len(row["uncertain"]), people=row["held"],
                       uncertain_people=row["uncertain"], **lists(list_query(dimension, row, day)))  # fmt: skip
            document[dimension].append(out)
    document["people"] = [
        {"id": p["id"], "name": p["name"], "certain": p["certain"], "held_by": p["held_by"],
         "held_by_group": p["held_by_group"], "citizenships": p["citizenships"],
         "charge_categories": p["charge_categories"], "designations": p["designations"],
         "url": api_url.replace("__id__", str(p["id"])), "html_url": html_url.replace("__slug__", p["slug"])}
        for p in figures["people"]
    ]  # fmt: skip
    document["december"] = figures["december"]
    return document


# ---- where, within a state -------------------------------------------------------------------------------------


def places_held(day: datetime.date, version: str | None = None) -> dict[str, list[dict]]:
    """Where the people certainly held on `day` by each state are, as far as the records say:
    {state code: [{"place", "kind", "people"}]}, most people first, one entry "kind": "none" for those with no place
    on file. A person's place is the facility of their latest transfer moved on or before `day` ("kind":
    "facility"), else the place where the custody began ("kind": "detained"). Counted over the same custodies as the
    census (`held_on_q`, published people), so each state's places add up to its census figure (a person held by one
    state in two custodies at once would count once in each place). Two queries, once per data version and day."""

    def compute() -> dict[str, list[dict]]:
        from .models import Transfer

        covering = Detention.objects.filter(held_on_q(day), detainee__is_published=True).exclude(held_by="")
        custodies = list(covering.order_by().values_list("id", "detainee_id", "held_by", "place"))
        moved: dict[int, str] = {}
        for detention_id, facility in (
            Transfer.objects.filter(detention__in=covering.values("pk"), moved_on__lte=day)
            .order_by("detention_id", "moved_on", "id").values_list("detention_id", "facility_name")
        ):  # fmt: skip
            moved[detention_id] = facility  # the latest move wins
        where: dict[str, dict[tuple[str, str], set[int]]] = {}
        for detention_id, pid, code, place in custodies:
            if detention_id in moved:
                key = ("facility", moved[detention_id])
            else:
                key = ("detained", place) if place else ("none", "")
            where.setdefault(code, {}).setdefault(key, set()).add(pid)
        return {
            code: sorted(
                ({"kind": kind, "place": place, "people": len(ids)} for (kind, place), ids in places.items()),
                key=lambda p: (p["kind"] == "none", -p["people"], p["place"]),
            )
            for code, places in where.items()
        }

    return cached_figures("places-held", parts=(day.isoformat(),), version=version or data_version(), compute=compute)


# ---- as of when: the last report of each custody counted ---------------------------------------------------------

STALE_MONTHS = 6  # a person held whom no report has shown in custody for this long is "last confirmed long ago"


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or that month's last day where it has fewer: 31 August → 29 February."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    first = datetime.date(year, month + 1, 1)
    last = span_last_day(first, "month")
    return first.replace(day=min(day.day, last.day))


def last_reported(day: datetime.date, version: str | None = None) -> dict:
    """How old the reports behind the census of `day` are: {"latest": (date, precision) of the most recent report
    showing any of its people in custody, or None; "stale": how many of them no report has shown in custody in the
    `STALE_MONTHS` before `day`; "since": that limit}. A custody is shown by the day a report last confirmed it
    (`last_confirmed_on`) or else by its start; a partial date counts to its span's end. Over the same custodies as
    the census (`held_on_q`, published people), so "stale" is a part of its figure. Three queries, once per data
    version and day."""

    def compute() -> dict:
        since = months_before(day, STALE_MONTHS)
        covering = Detention.objects.filter(held_on_q(day), detainee__is_published=True)
        seen = Case(When(last_confirmed_on__isnull=False, then=F("last_confirmed_on")), default=F("detained_on"))
        seen_precision = Case(When(last_confirmed_on__isnull=False, then=F("last_confirmed_on_precision")),
                              default=F("detained_on_precision"))  # fmt: skip
        latest = (covering.annotate(seen=seen, seen_precision=seen_precision).exclude(seen=None)
                  .order_by("-seen").values_list("seen", "seen_precision").first())  # fmt: skip
        recent = span_reaches_q("last_confirmed_on", since) | span_reaches_q("detained_on", since)
        held = covering.order_by().values("detainee_id").distinct().count()
        fresh = covering.filter(recent).order_by().values("detainee_id").distinct().count()
        return {"latest": latest and (latest[0].isoformat(), latest[1]), "stale": held - fresh,
                "since": since.isoformat()}  # fmt: skip

    return cached_figures("last-reported", parts=(day.isoformat(),), version=version or data_version(),
                          compute=compute)  # fmt: skip
