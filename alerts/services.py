"""Writes of the alerts app: follows and webhooks. Both start after the feed's newest event (no back-fill)."""

from django.db import transaction
from django.utils import timezone

from .dispatch import feed_head
from .models import Delivery, Follow, SavedSearch, Webhook


@transaction.atomic
def create_follow(
    *, user, kind: str, object_id: int | None = None, query: str = "", label: str = "", email: bool = True
) -> Follow:
    """Follow a case, an exchange or a saved search (the caller has checked it is published / valid)."""
    if kind == Follow.Kind.SEARCH:
        existing = Follow.objects.filter(user=user, kind=kind, search__query=query).first()
        if existing:
            return existing
        search = SavedSearch.objects.create(query=query)
        return Follow.objects.create(
            user=user, kind=kind, search=search, label=query, email=email, since_seq=feed_head()
        )
    follow, _ = Follow.objects.get_or_create(
        user=user, kind=kind, object_id=object_id, defaults={"label": label, "email": email, "since_seq": feed_head()}
    )
    return follow


@transaction.atomic
def create_webhook(*, user, url: str, resources: list[str], query: str = "") -> Webhook:
    search = SavedSearch.objects.create(query=query) if query else None
    return Webhook.objects.create(
        user=user, url=url, resources=sorted(set(resources)), search=search, since_seq=feed_head()
    )


def enable_webhook(hook: Webhook) -> None:
    """On again: the failure count starts over and the pending deliveries are due now."""
    Webhook.objects.filter(pk=hook.pk).update(
        is_active=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
    )
    Delivery.objects.filter(webhook=hook, status=Delivery.Status.PENDING).update(next_attempt_at=timezone.now())


def disable_webhook(hook: Webhook, reason: str) -> None:
    Webhook.objects.filter(pk=hook.pk).update(is_active=False, disabled_at=timezone.now(), disabled_reason=reason)


def redeliver(delivery: Delivery) -> None:
    """Send a failed (or delivered) delivery again, with the same id and body."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_token="", lease_until=None
    )
