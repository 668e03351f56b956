"""Sending: the sweeper that queues due deliveries, and the attempts the queued tasks make.

At-least-once, with leases. The sweeper leases the due deliveries under a fresh token and, in the same
transaction, queues one task per webhook (and one per person with email alerts) carrying it; a task claims each
delivery only while its token is still the delivery's (one UPDATE), so a delivery has at most one live task at a
time. If a worker dies mid-attempt (kill -9), the lease runs out and the next sweep queues
it again under a new token: the receiver may then see the same delivery twice, always with the same delivery id and
the same signed body, and counts it once. A failure is retried after ALERTS_BACKOFF_SECONDS, doubling each attempt
(at most ALERTS_BACKOFF_MAX_SECONDS), until ALERTS_MAX_ATTEMPTS; ALERTS_WEBHOOK_DISABLE_AFTER failed attempts in a
row turn the webhook off until its owner turns it on again.
"""

import datetime
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Delivery, DeliveryAttempt, Webhook

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tracker-Signature-256"
DELIVERY_HEADER = "X-Tracker-Delivery"
EVENT_HEADER = "X-Tracker-Event"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body with the hook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), header or "")


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … up to the cap."""
    seconds = settings.ALERTS_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.ALERTS_BACKOFF_MAX_SECONDS))


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ALERTS_LEASE_SECONDS)


def due(now) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) & (Q(lease_until=None) | Q(lease_until__lt=now))


def enqueue_due(limit: int = 1000) -> int:
    """Lease the due deliveries under one new token and queue one task per webhook (its deliveries in feed order)
    and one per person with due email alerts, all in one transaction; returns the number of tasks queued."""
    from . import tasks

    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(due(now))
            .filter(Q(webhook__is_active=True) | Q(follow__isnull=False))
            .order_by("seq")
            .values_list("pk", "webhook_id", "follow__user_id")[:limit]
        )
        if not rows:
            return 0
        Delivery.objects.filter(due(now), pk__in=[pk for pk, _, _ in rows]).update(
            lease_token=token, lease_until=now + lease()
        )
        hooks = sorted({hook for _, hook, _ in rows if hook is not None})
        people = sorted({user for _, hook, user in rows if hook is None and user is not None})
        for hook_id in hooks:
            tasks.deliver_webhook.enqueue(hook_id, token)
        for user_id in people:
            tasks.send_email_alerts.enqueue(user_id, token)
    return len(hooks) + len(people)


def tick() -> dict:
    """One round of the worker's periodic work: read the feed, queue what is due, and once a day the day's release
    (`alerts.schedule`). What is marked was published just before, by the same round (`common.derived.drain`, up to
    WORKER_PUBLISH_LIMIT marks)."""
    from . import schedule
    from .dispatch import dispatch

    return {"events": dispatch(), "queued": enqueue_due() + schedule.enqueue_due()}


def _claim(queryset) -> int:
    now = timezone.now()
    return queryset.filter(status=Delivery.Status.PENDING).update(lease_until=now + lease(), attempts=F("attempts") + 1)


def private_address(host: str) -> bool:
    """Whether the host resolves to loopback, private, link-local or reserved addresses (refused in production)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is answered as is: a failure, never followed to somewhere else


def post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST and return the status; raises OSError on a network failure or timeout."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver_webhook(hook_id: int, token: str) -> dict:
    """Send a webhook's deliveries leased under `token`, in feed order, one attempt each. A delivery whose lease
    another sweep has taken since (its token changed) is left to that sweep's task."""
    counts = {"delivered": 0, "failed": 0, "stale": 0}
    hook = Webhook.objects.filter(pk=hook_id).first()
    pks = list(
        Delivery.objects.filter(webhook_id=hook_id, lease_token=token, status=Delivery.Status.PENDING)
        .order_by("seq")
        .values_list("pk", flat=True)
    )
    for pk in pks:
        if hook is None or not Webhook.objects.filter(pk=hook_id, is_active=True).exists():
            Delivery.objects.filter(pk__in=pks, lease_token=token).update(lease_token="", lease_until=None)
            break  # turned off meanwhile: the rest wait for it to be on again
        if not _claim(Delivery.objects.filter(pk=pk, lease_token=token)):
            counts["stale"] += 1
            continue
        counts["delivered" if attempt(Delivery.objects.get(pk=pk), hook, token) else "failed"] += 1
    return counts


def attempt(delivery: Delivery, hook: Webhook, token: str) -> bool:
    """One signed POST of one delivery, recorded; True when the receiver answered 2xx."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PrisonerExchangeTracker-Webhooks/1",
        DELIVERY_HEADER: str(delivery.pk),
        EVENT_HEADER: f"{delivery.resource}.{delivery.op}",
        SIGNATURE_HEADER: sign(hook.secret, body),
    }
    started = time.monotonic()
    status, error = None, ""
    host = urllib.parse.urlsplit(hook.url).hostname or ""
    if not settings.ALERTS_WEBHOOK_ALLOW_PRIVATE and private_address(host):
        error = _("The address is private or loopback; webhooks go to public addresses only.")
    else:
        try:
            status = post(hook.url, body, headers, settings.ALERTS_WEBHOOK_TIMEOUT)
            if not 200 <= status < 300:
                error = _("The receiver answered HTTP %(status)s.") % {"status": status}
        except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
            error = (_("No answer: %(error)s") % {"error": exc})[:500]
    finish(delivery, hook, status, error, int((time.monotonic() - started) * 1000), token)
    return not error


@transaction.atomic
def finish(delivery: Delivery, hook: Webhook | None, status: int | None, error: str, duration_ms: int, token: str):
    """Record an attempt and decide what comes next (delivered, retry later, or failed for good)."""
    now = timezone.now()
    DeliveryAttempt.objects.create(delivery=delivery, at=now, status_code=status, error=error, duration_ms=duration_ms)
    mine = Delivery.objects.filter(pk=delivery.pk, lease_token=token)
    if not error:
        mine.update(
            status=Delivery.Status.DELIVERED,
            delivered_at=now,
            last_status_code=status,
            last_error="",
            lease_token="",
            lease_until=None,
        )
        if hook is not None:
            Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        return
    attempts = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery.pk)
    gave_up = attempts >= settings.ALERTS_MAX_ATTEMPTS
    mine.update(
        status=Delivery.Status.FAILED if gave_up else Delivery.Status.PENDING,
        next_attempt_at=now + backoff(attempts),
        last_status_code=status,
        last_error=error[:500],
        lease_token="",
        lease_until=None,
    )
    if hook is not None:
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        limit = settings.ALERTS_WEBHOOK_DISABLE_AFTER
        turned_off = Webhook.objects.filter(pk=hook.pk, is_active=True, consecutive_failures__gte=limit).update(
            is_active=False,
            disabled_at=now,
            disabled_reason=_("Turned off after %(n)s failed attempts in a row.") % {"n": limit},
        )
        if turned_off:
            log.warning("webhook %s turned off after %s failed attempts in a row", hook.pk, limit)


def send_email_alerts(user_id: int, token: str) -> str:
    """One email listing a person's due alerts (those leased under `token`), to their confirmed address."""
    from django.contrib.auth import get_user_model

    from .models import Account

    claimed = Delivery.objects.filter(lease_token=token, follow__user_id=user_id)
    if not _claim(claimed):
        return "stale"
    deliveries = list(claimed.filter(status=Delivery.Status.PENDING).select_related("follow").order_by("seq"))
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    account = Account.objects.filter(user_id=user_id).first()
    if user is None or account is None or not account.is_confirmed:
        # No confirmed address: nothing is mailed (the alerts stay in the Atom feeds).
        claimed.update(status=Delivery.Status.FEED_ONLY, lease_token="", lease_until=None)
        return "no-address"
    started = time.monotonic()
    error = ""
    with translation.override(settings.LANGUAGE_CODE):
        shown = 50  # one email stays readable; the rest are in the follows' Atom feeds
        context = {
            "deliveries": deliveries[:shown],
            "more": max(len(deliveries) - shown, 0),
            "site_url": settings.SITE_URL,
            "user": user,
        }
        subject = _("%(n)s new alert(s) from the Prisoner Exchange Tracker") % {"n": len(deliveries)}
        text = render_to_string("alerts/email/alerts.txt", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [account.email_confirmed])
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib's errors, refused or dropped connections: all retried later
        error = (_("The mail server refused: %(error)s") % {"error": exc})[:500]
    duration = int((time.monotonic() - started) * 1000)
    for delivery in deliveries:
        finish(delivery, None, None, error, duration, token)
    return "sent" if not error else "failed"
