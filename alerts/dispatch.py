"""The dispatcher: reads the change feed from the `alerts` cursor and turns each event into deliveries.

It runs in the worker (`manage.py alerts_worker`), never in a request. Each batch of events, the deliveries made
from them and the cursor's advance are one transaction; the cursor moves by compare-and-set, so two dispatchers at
once cannot both hand out the same events (the second rolls back), and a crash leaves the cursor where the last
committed batch put it. Events are read in `seq` order only: the feed guarantees an event never becomes visible with
a `seq` lower than one already read.

What matches:

- a followed case: events of `detainees/<id>`, and of any record whose published document names the case
  (`"detainee": <id>`: detentions, designations, exchange participants). A delete is matched through the last
  document published for that record, since a delete carries none.
- a followed exchange: events of `exchanges/<id>` and of records naming it (`"exchange": <id>`).
- a saved search (follows and webhooks): events that concern a case (as above), judged by evaluating the search's
  FilterSet on that case as it is published when the event is dispatched. A case that matches is sent as
  `entered` (first time) or `matches`; a case that matched before and no longer does — edited out, unpublished or
  deleted — is sent once as `left`; a case that neither matches nor matched is not sent.
- a webhook with resources: every event of those resources (all resources when none are chosen).

Only the feed is read, and the feed holds only what an anonymous visitor can see: no delivery carries a draft.
"""

import json
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Max, Min
from django.http import QueryDict
from django.utils import timezone

from changes.models import Change

from .models import Cursor, Delivery, Follow, SavedSearch, SearchMember, Webhook

log = logging.getLogger(__name__)

CONSUMER = "alerts"


class CursorMoved(Exception):
    """Another dispatcher advanced the cursor first; this batch is rolled back and read again."""


def feed_head() -> int:
    """The newest `seq` in the feed (0 when empty): a new subscription is sent the events after it."""
    return Change.objects.aggregate(head=Max("seq"))["head"] or 0


def previous_documents(changes: list[Change]) -> dict[tuple[str, int], dict]:
    """For each delete, the last document published for that record before it (a delete carries none)."""
    found = {}
    for change in changes:
        if change.op == Change.Op.DELETE:
            document = (
                Change.objects.filter(
                    resource=change.resource, object_id=change.object_id, seq__lt=change.seq, op=Change.Op.UPSERT
                )
                .order_by("-seq")
                .values_list("document", flat=True)
                .first()
            )
            found[(change.resource, change.seq)] = document or {}
    return found


def _id(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def concerned(change: Change, document: dict, key: str, resource: str) -> int | None:
    """The case (key `detainee`) or exchange (key `exchange`) an event concerns, if any."""
    if change.resource == resource:
        return change.object_id
    return _id((document or {}).get(key))


def search_matches(query: str, detainee_ids: set[int]) -> set[int]:
    """Which of these cases the saved search matches now, among published cases only."""
    from detainees.filters import DetaineeFilter
    from detainees.models import Detainee

    if not detainee_ids:
        return set()
    base = Detainee.objects.published().with_status().filter(pk__in=detainee_ids)
    filterset = DetaineeFilter(QueryDict(query), queryset=base)
    if not filterset.is_valid():
        return set()
    return set(filterset.qs.order_by().values_list("pk", flat=True))


def fill_members(search: SavedSearch) -> None:
    """A new saved search starts with the published cases it matches now."""
    from detainees.filters import DetaineeFilter
    from detainees.models import Detainee

    filterset = DetaineeFilter(QueryDict(search.query), queryset=Detainee.objects.published().with_status())
    ids = list(filterset.qs.order_by().values_list("pk", flat=True)) if filterset.is_valid() else []
    SearchMember.objects.bulk_create(
        [SearchMember(search=search, detainee_id=pk) for pk in ids], ignore_conflicts=True, batch_size=1000
    )
    SavedSearch.objects.filter(pk=search.pk).update(members_ready=True)


def event_of(change: Change) -> dict:
    return {
        "seq": change.seq,
        "resource": change.resource,
        "id": change.object_id,
        "op": change.op,
        "at": change.at.isoformat().replace("+00:00", "Z"),
    }


def title_and_link(document: dict) -> tuple[str, str]:
    document = document or {}
    title = document.get("name") or document.get("title") or ""
    link = document.get("html_url") or document.get("url") or ""
    return str(title)[:300], str(link)[:500]


def body_of(delivery_id, change: Change, match: str, search: SavedSearch | None) -> str:
    """The JSON a webhook receives, fixed when the delivery is made (every retry sends these bytes)."""
    payload = {"delivery": str(delivery_id), "event": event_of(change)}
    if search is not None:
        payload["search"] = {"query": search.query, "match": match}
    payload["document"] = change.document if change.op == Change.Op.UPSERT else None
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dispatch_batch(limit: int = 500) -> int:
    """Hand out up to `limit` events after the cursor; returns how many were read (0: caught up)."""
    with transaction.atomic():
        cursor, _ = Cursor.objects.get_or_create(name=CONSUMER)
        start = cursor.seq
        floor = first_wanted()
        if floor > start:  # the events up to `floor` can be delivered to nobody: passed over unread
            if not Cursor.objects.filter(pk=cursor.pk, seq=start).update(seq=floor, updated_at=timezone.now()):
                raise CursorMoved
            start = floor
        changes = list(Change.objects.filter(seq__gt=start).order_by("seq")[:limit])
        if not changes:
            return 0
        make_deliveries(changes)
        if not Cursor.objects.filter(pk=cursor.pk, seq=start).update(seq=changes[-1].seq, updated_at=timezone.now()):
            raise CursorMoved
    return len(changes)


def first_wanted() -> int:
    """The seq up to which no event can make a delivery: the lowest `since_seq` of any follow or webhook (each is
    sent only the events after its own), or the feed's head when there is none. A worker started on a large feed
    nobody follows (a new site, a restored copy) passes over it instead of reading every event: 979,490 of them
    held its first round, and every stored document and feed mark behind it, for about a minute (make bench)."""
    lows = [low for low in (Follow.objects.aggregate(low=Min("since_seq"))["low"],
                            Webhook.objects.aggregate(low=Min("since_seq"))["low"]) if low is not None]  # fmt: skip
    if lows:
        return min(lows)
    return Change.objects.aggregate(head=Max("seq"))["head"] or 0


def dispatch(limit: int = 500, max_batches: int | None = None) -> int:
    """Read the feed until caught up; returns the number of events read."""
    total = batches = 0
    while max_batches is None or batches < max_batches:
        try:
            read = dispatch_batch(limit)
        except CursorMoved:
            continue
        total += read
        batches += 1
        if read < limit:
            break
    return total


def make_deliveries(changes: list[Change]) -> int:
    """The deliveries these events make (inside the dispatcher's transaction).

    Only the follows that can match are loaded: those of the cases and exchanges in the batch (by index), every
    saved search, every webhook. The work is then a dictionary look-up per event, not a scan of all follows."""
    last = changes[-1].seq
    if (
        not Follow.objects.filter(since_seq__lt=last).exists()
        and not Webhook.objects.filter(since_seq__lt=last).exists()
    ):
        return 0
    previous = previous_documents(changes)

    def document_of(change):
        return change.document if change.op == Change.Op.UPSERT else previous.get((change.resource, change.seq), {})

    cases = {c.seq: concerned(c, document_of(c), "detainee", "detainees") for c in changes}
    exchanges = {c.seq: concerned(c, document_of(c), "exchange", "exchanges") for c in changes}
    batch_cases = {pk for pk in cases.values() if pk is not None}
    batch_exchanges = {pk for pk in exchanges.values() if pk is not None}
    live = Follow.objects.filter(since_seq__lt=last, user__is_active=True)
    by_case, by_exchange = defaultdict(list), defaultdict(list)
    for follow in live.filter(kind=Follow.Kind.DETAINEE, object_id__in=batch_cases):
        by_case[follow.object_id].append(follow)
    for follow in live.filter(kind=Follow.Kind.EXCHANGE, object_id__in=batch_exchanges):
        by_exchange[follow.object_id].append(follow)
    search_follows = list(live.filter(kind=Follow.Kind.SEARCH).select_related("search")) if batch_cases else []
    hooks = list(Webhook.objects.filter(since_seq__lt=last).select_related("search"))

    # Saved searches: one query per search per batch, and membership kept as the events go.
    searches = {s.search.pk: s.search for s in [*search_follows, *hooks] if s.search is not None}
    for search in searches.values():
        if not search.members_ready:
            fill_members(search)
    matching = {pk: search_matches(search.query, batch_cases) for pk, search in searches.items()}
    members = defaultdict(set)
    for search_id, detainee_id in SearchMember.objects.filter(
        search__in=searches, detainee_id__in=batch_cases
    ).values_list("search_id", "detainee_id"):
        members[search_id].add(detainee_id)
    entered, left = defaultdict(set), defaultdict(set)

    def search_match(search: SavedSearch, case: int | None) -> str:
        if case is None:
            return ""
        now, was = case in matching[search.pk], case in members[search.pk]
        if now and not was:
            members[search.pk].add(case)
            entered[search.pk].add(case)
            left[search.pk].discard(case)
            return "entered"
        if now:
            return "matches"
        if was:
            members[search.pk].discard(case)
            left[search.pk].add(case)
            entered[search.pk].discard(case)
            return "left"
        return ""

    now = timezone.now()
    rows = []
    for change in changes:
        title, link = title_and_link(document_of(change))
        common = {
            "seq": change.seq, "resource": change.resource, "object_id": change.object_id, "op": change.op,
            "title": title, "link": link, "next_attempt_at": now,
        }  # fmt: skip
        case = cases[change.seq]
        candidates = [(f, "") for f in by_case.get(case, ())] + [
            (f, "") for f in by_exchange.get(exchanges[change.seq], ())
        ]
        if case is not None:
            candidates += [(f, None) for f in search_follows]
        for follow, match in candidates:
            if change.seq <= follow.since_seq:
                continue
            if match is None:
                match = search_match(follow.search, case)
                if not match:
                    continue
            delivery = Delivery(follow=follow, match=match, **common)
            delivery.body = body_of(delivery.id, change, match, follow.search)
            if not follow.email:
                delivery.status = Delivery.Status.FEED_ONLY
            rows.append(delivery)
        for hook in hooks:
            if change.seq <= hook.since_seq:
                continue
            if hook.resources and change.resource not in hook.resources:
                continue
            match = ""
            if hook.search is not None:
                match = search_match(hook.search, case)
                if not match:
                    continue
            delivery = Delivery(webhook=hook, match=match, **common)
            delivery.body = body_of(delivery.id, change, match, hook.search)
            rows.append(delivery)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    for search_id, ids in entered.items():
        SearchMember.objects.bulk_create(
            [SearchMember(search_id=search_id, detainee_id=pk) for pk in ids], ignore_conflicts=True
        )
    for search_id, ids in left.items():
        SearchMember.objects.filter(search_id=search_id, detainee_id__in=ids).delete()
    return len(rows)
