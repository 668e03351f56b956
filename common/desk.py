"""The admin home as a working desk: what an editor should do next, gathered in a few queries."""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.urls import reverse

DRAFTS_SHOWN = 15


def drafts_waiting_for_sources(limit: int = DRAFTS_SHOWN) -> list[dict]:
    """The newest draft cases and what each still needs before it can be published (the publishing rule itself)."""
    from detainees.services import unsourced_facts

    detainee = apps.get_model("detainees", "Detainee")
    drafts = list(detainee.objects.filter(is_published=False).order_by("-updated_at", "-id")[:limit])
    problems: dict[int, list[str]] = {}
    for problem in unsourced_facts({d.pk for d in drafts}, drafts_too=True):
        problems.setdefault(problem.case_id, []).append(problem.message.split(": ", 1)[1])
    return [
        {"name": d.name, "url": reverse("admin:detainees_case_edit", args=[d.pk]),
         "missing": problems.get(d.pk, []), "ready": not problems.get(d.pk)}
        for d in drafts
    ]  # fmt: skip


def recent_changes_by_others(user, limit: int = 10):
    """What colleagues changed lately (the admin's own log), so an editor sees work landing beside theirs."""
    return LogEntry.objects.exclude(user=user).select_related("user", "content_type").order_by("-action_time")[:limit]


STALE_AFTER_DAYS = 183  # "over six months"
STALE_SHOWN = 15


def stale_custody(today=None, limit: int = STALE_SHOWN) -> dict:
    """People still held whose custody no source has confirmed for over six months, the longest silence first.

    A detention with no `last_confirmed_on` counts from its start: nobody has confirmed it since. Drafts are
    included (an editor's desk, not the public site)."""
    import datetime

    from django.db.models import F
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    detention = apps.get_model("detainees", "Detention")
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    open_custody = detention.objects.filter(released_on=None, end_reason="").annotate(
        known_on=Coalesce(F("last_confirmed_on"), F("detained_on"))
    )
    stale = open_custody.filter(known_on__lt=cutoff)
    rows = [
        {"name": d.detainee.name, "url": reverse("admin:detainees_detention_change", args=[d.pk]),
         "holder": d.holder_name,
         "confirmed": d.last_confirmed_on is not None,
         "date": d.partial_date("last_confirmed_on") if d.last_confirmed_on else d.partial_date("detained_on"),
         "months": (today - d.known_on).days // 30}
        for d in stale.select_related("detainee", "held_by_group").order_by("known_on", "pk")[:limit]
    ]  # fmt: skip
    return {"rows": rows, "total": stale.count()}


NO_CUSTODY_SHOWN = 15


def cases_without_custody(limit: int = NO_CUSTODY_SHOWN) -> dict:
    """Cases (drafts too) with no custody on file: they count in no figure of who holds whom until an editor adds
    the detention their sources tell of. Newest first, with the exchanges they are known from."""
    detainee = apps.get_model("detainees", "Detainee")
    detention = apps.get_model("detainees", "Detention")
    people = detainee.objects.exclude(pk__in=detention.objects.values("detainee_id"))
    rows = [
        {"name": d.name, "url": reverse("admin:detainees_case_edit", args=[d.pk]), "draft": not d.is_published,
         "exchanges": [p.exchange.name for p in d.exchange_participations.all()]}
        for d in people.prefetch_related("exchange_participations__exchange").order_by("-updated_at", "-pk")[:limit]
    ]  # fmt: skip
    return {"rows": rows, "total": people.count()}


RECENT_DAYS = 30
DUPLICATES_SHOWN = 10


def possible_duplicates(limit: int = DUPLICATES_SHOWN) -> list[dict]:
    """New entries (drafts, and cases added in the last month) that resemble another case on file, by the same
    name test the detainee form applies before saving (`likely_duplicates`)."""
    import datetime

    from django.db.models import Q
    from django.utils import timezone

    from detainees.services import likely_duplicates

    detainee = apps.get_model("detainees", "Detainee")
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    recent = detainee.objects.filter(Q(is_published=False) | Q(created_at__gte=since)).order_by("-created_at", "-pk")
    pairs, seen = [], set()
    for person in recent[:20]:
        for other in likely_duplicates(name=person.name, name_original=person.name_original,
                                       aliases=person.aliases or [], exclude_pk=person.pk, born_on=person.born_on,
                                       born_on_precision=person.born_on_precision,
                                       citizenships=person.citizenships):  # fmt: skip
            key = frozenset((person.pk, other.pk))
            if key in seen:
                continue
            seen.add(key)
            pairs.append({
                "new": person, "new_url": reverse("admin:detainees_detainee_change", args=[person.pk]),
                "other": other, "other_url": reverse("admin:detainees_detainee_change", args=[other.pk]),
            })  # fmt: skip
            if len(pairs) >= limit:
                return pairs
    return pairs


TO_CHECK_SHOWN = 15


def to_check(user, limit: int = TO_CHECK_SHOWN) -> dict:
    """The review queue (common.review): publications awaiting approval and changes to published cases not yet checked
    by a second editor, oldest first, each marked when it is the user's own (someone else must check it)."""
    from common.models import ReviewItem

    items = ReviewItem.objects.filter(outcome="").select_related("content_type").prefetch_related("editors")
    rows = []
    for item in items.order_by("since", "pk")[:limit]:
        rows.append({"case": item.case, "kind": item.kind, "since": item.since,
                     "url": reverse("admin:common_reviewitem_change", args=[item.pk]),
                     "mine": any(u.pk == user.pk for u in item.editors.all())})  # fmt: skip
    return {"rows": rows, "total": items.count()}
