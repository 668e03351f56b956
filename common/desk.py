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
        {"name": d.name, "url": reverse("admin:detainees_detainee_change", args=[d.pk]),
         "missing": problems.get(d.pk, []), "ready": not problems.get(d.pk)}
        for d in drafts
    ]  # fmt: skip


def recent_changes_by_others(user, limit: int = 10):
    """What colleagues changed lately (the admin's own log), so an editor sees work landing beside theirs."""
    return LogEntry.objects.exclude(user=user).select_related("user", "content_type").order_by("-action_time")[:limit]
