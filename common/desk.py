"""The admin home as a working desk: what an editor should do next, gathered in a few queries."""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.urls import reverse

DRAFTS_SHOWN = 15


def drafts_queryset():
    """Draft cases an editor still has to finish, newest first. A case awaiting review is not among them: it is listed
    under "To check" (a second editor's turn), not as "ready to publish" (the editor's)."""
    detainee = apps.get_model("detainees", "Detainee")
    return detainee.objects.filter(is_published=False, awaiting_review=False).order_by("-updated_at", "-id")


def draft_rows(drafts) -> list[dict]:
    """Each draft and what it still needs before it can be published (the publishing rule itself)."""
    from detainees.services import unsourced_facts

    drafts = list(drafts)
    problems: dict[int, list[str]] = {}
    for problem in unsourced_facts({d.pk for d in drafts}, drafts_too=True):
        problems.setdefault(problem.case_id, []).append(problem.message.split(": ", 1)[1])
    return [
        {"name": d.name, "url": reverse("admin:detainees_case_edit", args=[d.pk]),
         "missing": problems.get(d.pk, []), "ready": not problems.get(d.pk)}
        for d in drafts
    ]  # fmt: skip


def drafts_waiting_for_sources(limit: int = DRAFTS_SHOWN) -> dict:
    """The newest drafts and what each still needs, with how many there are in all."""
    drafts = drafts_queryset()
    return {"rows": draft_rows(drafts[:limit]), "total": drafts.count()}


def recent_changes_by_others(user, limit: int = 10):
    """What colleagues changed lately (the admin's own log), so an editor sees work landing beside theirs."""
    return LogEntry.objects.exclude(user=user).select_related("user", "content_type").order_by("-action_time")[:limit]


STALE_AFTER_DAYS = 183  # "over six months"
STALE_SHOWN = 15


def stale_queryset(today=None):
    """Detentions of people still held whose custody no source has confirmed for over six months, the longest silence
    first.

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
    stale = open_custody.filter(known_on__lt=cutoff).select_related("detainee", "held_by_group")
    return stale.order_by("known_on", "pk")


def stale_rows(detentions, today=None) -> list[dict]:
    from django.utils import timezone

    today = today or timezone.localdate()
    return [
        {"name": d.detainee.name, "url": reverse("admin:detainees_detention_change", args=[d.pk]),
         "holder": d.holder_name,
         "confirmed": d.last_confirmed_on is not None,
         "date": d.partial_date("last_confirmed_on") if d.last_confirmed_on else d.partial_date("detained_on"),
         "months": (today - d.known_on).days // 30}
        for d in detentions
    ]  # fmt: skip


def stale_custody(today=None, limit: int = STALE_SHOWN) -> dict:
    """People still held whose custody no source has confirmed for over six months, the longest silence first."""
    stale = stale_queryset(today)
    return {"rows": stale_rows(stale[:limit], today), "total": stale.count()}


NO_CUSTODY_SHOWN = 15


def cases_without_custody(limit: int = NO_CUSTODY_SHOWN) -> dict:
    """Cases (drafts too) with no custody on file: they count in no figure of who holds whom until an editor adds
    the detention their sources tell of. Newest first, with the exchanges they are known from."""
    return {"rows": no_custody_rows(no_custody_queryset()[:limit]), "total": no_custody_queryset().count()}


def no_custody_queryset():
    detainee = apps.get_model("detainees", "Detainee")
    detention = apps.get_model("detainees", "Detention")
    people = detainee.objects.exclude(pk__in=detention.objects.values("detainee_id"))
    return people.prefetch_related("exchange_participations__exchange").order_by("-updated_at", "-pk")


def no_custody_rows(people) -> list[dict]:
    return [
        {"name": d.name, "url": reverse("admin:detainees_case_edit", args=[d.pk]), "draft": not d.is_published,
         "exchanges": [p.exchange.name for p in d.exchange_participations.all()]}
        for d in people
    ]  # fmt: skip


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


def to_check_queryset():
    from common.models import ReviewItem

    items = ReviewItem.objects.filter(outcome="").select_related("content_type").prefetch_related("editors")
    return items.order_by("since", "pk")


def to_check_rows(items, user) -> list[dict]:
    rows = []
    for item in items:
        case = item.case
        rows.append({"case": item.case_name(case), "deleted": case is None, "kind": item.kind, "since": item.since,
                     "url": reverse("admin:common_reviewitem_change", args=[item.pk]),
                     # Yours: only the user's own changes are left, so someone else must check them (h24).
                     "mine": [u.pk for u in item.unchecked_authors()] == [user.pk],
                     "progress": item.progress()})  # fmt: skip
    return rows


def to_check(user, limit: int = TO_CHECK_SHOWN) -> dict:
    """The review queue (common.review): publications awaiting approval and changes to published cases not yet checked
    by a second editor, oldest first, each marked when it is the user's own (someone else must check it). `review_on`
    says whether review is required: with it off nothing new enters the queue, and the desk says so."""
    from common import review

    items = to_check_queryset()
    return {"rows": to_check_rows(items[:limit], user), "total": items.count(), "review_on": review.required()}


# The desk's lists in full, paged (the desk shows the first few of each): section → (title, queryset, rows).
FULL_PAGE = 50


def sections():
    from django.utils.translation import gettext_lazy as _

    return {
        "drafts": (_("Drafts waiting for sources"), lambda user: drafts_queryset(),
                   lambda rows, user: draft_rows(rows)),
        "stale": (_("Still held, not confirmed for over six months"), lambda user: stale_queryset(),
                  lambda rows, user: stale_rows(rows)),
        "no-custody": (_("No custody on file"), lambda user: no_custody_queryset(),
                       lambda rows, user: no_custody_rows(rows)),
        "to-check": (_("To check"), lambda user: to_check_queryset(), to_check_rows),
    }  # fmt: skip


def desk_list_view(request, section: str):
    """One of the desk's lists in full, paged (the desk shows its first few rows and links here)."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied
    from django.core.paginator import Paginator
    from django.http import Http404
    from django.template.response import TemplateResponse

    from common.admin_review import may_see_queue

    found = sections().get(section)
    if found is None:
        raise Http404
    if not may_see_queue(request.user):
        raise PermissionDenied
    title, queryset, rows = found
    page = Paginator(queryset(request.user), FULL_PAGE).get_page(request.GET.get("page"))
    context = {**admin.site.each_context(request), "title": title, "section": section, "page": page,
               "rows": rows(page.object_list, request.user)}  # fmt: skip
    return TemplateResponse(request, "admin/desk_list.html", context)
