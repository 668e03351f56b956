"""The census, stored outside requests and patched with what changed since (issue 24).

Counting a day's census over 100,000 people took 8–20 s (and the 1 December series 9.5 s): too long for a request.
`build_census` (run from cron or after an import) stores each day's census person by person (`StoredCensus`, the
entries of `detainees.census.census_entries`) and the 1 December series as the people held each year. A request
reads the stored entries and patches in the people whose census entries may have changed since they were read: the
database triggers that keep the case documents current (`casedocs.triggers`) also append a `CensusMark` per person,
in the same transaction as any write, whatever made it. The request then asks the database about those people only,
and assembles the figures (no query); the result is kept per data version as before (`common.cache`).

A mark counts when it was written less than `MARGIN` before the stored figures were read, so a write whose
transaction began before that read and committed after it is still patched in (a patch is idempotent: recounting a
person who had not changed gives the same entry). More than `PATCH_LIMIT` people marked, or a day never stored, and
the request counts the day in full, as before, and stores it for the next one.
"""

import datetime
import json
import time

from django.db import DatabaseError, router, transaction
from django.utils import timezone

from detainees.census import RULE, census_entries, december_days, december_sets

from .models import CensusMark, StoredCensus

MARGIN = datetime.timedelta(minutes=5)
PATCH_LIMIT = 5_000
DECEMBER = "december"


def marked_since(read_at: datetime.datetime) -> set[int] | None:
    """The people marked since `read_at` (less `MARGIN`); None when more than PATCH_LIMIT."""
    ids = set(
        CensusMark.objects.filter(at__gte=read_at - MARGIN, detainee_id__isnull=False)
        .order_by().values_list("detainee_id", flat=True).distinct()[: PATCH_LIMIT + 1]
    )  # fmt: skip
    return None if len(ids) > PATCH_LIMIT else ids


def _store(key: str, entries: dict, read_at: datetime.datetime, took: float) -> None:
    """Keep what was counted (on the primary); a failure costs the visitor nothing: it is counted another time."""
    values = {"entries": json.dumps({**entries, "rule": RULE}), "read_at": read_at, "built_in": took}
    using = router.db_for_write(StoredCensus)
    try:
        with transaction.atomic(using=using):  # another build may store the same day first: either will do
            if not StoredCensus.objects.using(using).filter(key=key).update(**values):
                StoredCensus.objects.using(using).create(key=key, **values)
    except DatabaseError:
        pass


def build_day(day: datetime.date) -> dict:
    """Count the census of `day` in full and store it."""
    read_at, started = timezone.now(), time.monotonic()
    entries = census_entries(day)
    _store(day.isoformat(), entries, read_at, time.monotonic() - started)
    return entries


def build_december(days: list[datetime.date]) -> dict:
    """Count the 1 December series in full and store it."""
    read_at, started = timezone.now(), time.monotonic()
    sets = december_sets(days)
    _store(DECEMBER, sets, read_at, time.monotonic() - started)
    return sets


def day_entries(day: datetime.date) -> dict:
    """The census entries of `day`: the stored ones with the people marked since counted again."""
    row = StoredCensus.objects.filter(key=day.isoformat()).first()
    if row is None:
        return build_day(day)  # a day never counted: the one cold path
    stored = json.loads(row.entries)
    marked = marked_since(row.read_at)
    if marked is None or stored.get("rule") != RULE:  # many changed, or counted by another rule than this code's
        return build_day(day)
    if not marked:
        return stored
    fresh = census_entries(day, only=marked)
    people = {key: entry for key, entry in stored["people"].items() if int(key) not in marked}
    people.update({str(pid): entry for pid, entry in fresh["people"].items()})
    groups = {**stored["groups"], **{str(gid): value for gid, value in fresh["groups"].items()}}
    return {"people": people, "groups": groups}


def december(today: datetime.date) -> dict:
    """The people held on 1 December of every year on file: stored, with the people marked since counted again."""
    days = december_days(today)
    row = StoredCensus.objects.filter(key=DECEMBER).first()
    stored = json.loads(row.entries) if row is not None else None
    if stored is None or stored["years"] != [d.year for d in days] or stored.get("rule") != RULE:
        # never counted, the years on file changed (a new 1 December, an older case), or counted by another rule
        return build_december(days)
    marked = marked_since(row.read_at)
    if marked is None:
        return build_december(days)
    if not marked:
        return stored
    fresh = december_sets(days, only=marked)
    out = {"years": stored["years"], "held": {}, "possible": {}}
    for name in ("held", "possible"):
        for year in stored["years"]:
            kept = [pid for pid in stored[name].get(str(year), ()) if pid not in marked]
            out[name][str(year)] = sorted([*kept, *fresh[name].get(year, ())])
    return out


def build_all(days: list[datetime.date], progress=None) -> list[tuple[str, float]]:
    """Count and store each of `days` and the 1 December series; prune the marks no stored figure needs.
    Returns (key, seconds) for each."""
    done = []
    for day in days:
        started = time.monotonic()
        build_day(day)
        done.append((day.isoformat(), time.monotonic() - started))
        if progress:
            progress()
    started = time.monotonic()
    build_december(december_days(timezone.localdate()))
    done.append((DECEMBER, time.monotonic() - started))
    if progress:
        progress()
    prune()
    return done


def prune() -> int:
    """Remove the marks older than every stored figure (less MARGIN): no patch reads them again."""
    oldest = StoredCensus.objects.order_by("read_at").values_list("read_at", flat=True).first()
    if oldest is None:
        return CensusMark.objects.all().delete()[0]
    return CensusMark.objects.filter(at__lt=oldest - MARGIN).delete()[0]


def register() -> None:
    """Make `detainees.census` read its figures from here (called by the app's `ready()`)."""
    from detainees import census

    census.STORE.update(entries=day_entries, december=december)
