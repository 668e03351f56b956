"""Accounts' follows and webhooks, the feed cursor they are fed from, and the deliveries made to them."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def feed_token() -> str:
    return secrets.token_urlsafe(24)


class Account(models.Model):
    """What the alerts need to know about a user beyond Django's `User`: whether their email is confirmed.

    Only a confirmed address receives alerts, and only an account with one may follow or register a webhook."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alerts_account",
        help_text=_("The user this account belongs to."),
    )
    email_confirmed = models.EmailField(blank=True, help_text=_("The address confirmed by its link; alerts go here."))
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text=_("When the address was confirmed."))

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.user.get_username()

    @property
    def is_confirmed(self) -> bool:
        """Confirmed, and for the address the user has now (changing it needs a new confirmation)."""
        return bool(self.confirmed_at and self.email_confirmed and self.email_confirmed == self.user.email)


class Cursor(models.Model):
    """How far one consumer has read the change feed: every event with `seq` up to this one has been handled.

    Advanced by compare-and-set in the same transaction as the work it stands for, so a crash repeats nothing and
    loses nothing."""

    name = models.CharField(max_length=60, unique=True, help_text=_("The consumer, e.g. `alerts`."))
    seq = models.BigIntegerField(default=0, help_text=_("The last feed `seq` handled."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When the cursor last moved."))

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self):
        return f"{self.name}@{self.seq}"


class SavedSearch(models.Model):
    """A filter of the cases list (its query string, e.g. `held_by=RU&charge_category=espionage`), and the published
    cases that matched it when last looked at (`members`): so an event that takes a case out of the search is told
    once, as `left`."""

    query = models.CharField(max_length=1000, help_text=_("The query string of the cases list's filters."))
    members_ready = models.BooleanField(default=False, help_text=_("Whether `members` has been filled."))

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self):
        return self.query


class SearchMember(models.Model):
    """A published case that matches a saved search."""

    search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="members", help_text=_("The saved search.")
    )
    detainee_id = models.BigIntegerField(help_text=_("The matching case's id."))

    class Meta:
        verbose_name = _("case in a saved search")
        verbose_name_plural = _("cases in saved searches")
        constraints = [models.UniqueConstraint(fields=["search", "detainee_id"], name="search_member_once")]

    def __str__(self):
        return f"{self.search_id}:{self.detainee_id}"


class Follow(models.Model):
    """A person follows a case, an exchange or a saved search: alerts by email (if asked) and in a secret Atom feed."""

    class Kind(models.TextChoices):
        DETAINEE = "detainee", _("case")
        EXCHANGE = "exchange", _("exchange")
        SEARCH = "search", _("saved search")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", help_text=_("Who follows.")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, help_text=_("What is followed."))
    object_id = models.BigIntegerField(null=True, blank=True, help_text=_("The case or exchange followed."))
    label = models.CharField(max_length=300, blank=True, help_text=_("The name shown for what is followed."))
    search = models.OneToOneField(
        SavedSearch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow",
        help_text=_("The saved search followed."),
    )
    email = models.BooleanField(default=True, help_text=_("Send an email for each new event."))
    feed_token = models.CharField(
        max_length=64, unique=True, default=feed_token, help_text=_("The secret in this follow's Atom feed URL.")
    )
    since_seq = models.BigIntegerField(default=0, help_text=_("Events after this feed `seq` are alerted."))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text=_("When the follow began."))

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["detainee", "exchange", "search"]), name="follow_kind_known"),
            models.CheckConstraint(
                condition=Q(kind="search", search__isnull=False, object_id=None)
                | Q(kind__in=["detainee", "exchange"], search=None, object_id__isnull=False),
                name="follow_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "object_id"], condition=Q(object_id__isnull=False), name="follow_record_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label or self.object_id or self.search}"


class Webhook(models.Model):
    """A script's endpoint: signed POSTs for every event of the chosen resources, or of a saved search."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", help_text=_("The owner.")
    )
    url = models.URLField(max_length=500, help_text=_("Where the POSTs go (https:// in production)."))
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text=_("Signs each body: HMAC-SHA256, hex, in X-Tracker-Signature-256."),
    )
    resources = models.JSONField(
        default=list, blank=True, help_text=_('API lists whose events are sent, e.g. ["detainees"]; empty: all.')
    )
    search = models.OneToOneField(
        SavedSearch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook",
        help_text=_("Only events of cases in this search."),
    )
    is_active = models.BooleanField(default=True, help_text=_("Off after repeated failures, or by its owner."))
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text=_("Failed attempts since the last success.")
    )
    disabled_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was turned off."))
    disabled_reason = models.CharField(max_length=300, blank=True, help_text=_("Why it was turned off."))
    since_seq = models.BigIntegerField(default=0, help_text=_("Events after this feed `seq` are sent."))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text=_("When it was registered."))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One event for one follow or webhook. Its id is the delivery id: the same on every retry, so a receiver can
    count each event once. `body` is kept as sent, so every retry carries the same bytes and signature."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        FEED_ONLY = "feed_only", _("in the Atom feed only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text=_("The delivery id."))
    webhook = models.ForeignKey(
        Webhook,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("The webhook it goes to."),
    )
    follow = models.ForeignKey(
        Follow,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("The follow it alerts."),
    )
    seq = models.BigIntegerField(help_text=_("The feed event's `seq`."))
    resource = models.CharField(max_length=40, help_text=_("The event's resource."))
    object_id = models.BigIntegerField(help_text=_("The event's record id."))
    op = models.CharField(max_length=6, help_text=_("`upsert` or `delete`."))
    match = models.CharField(
        max_length=10, blank=True, help_text=_("For a saved search: `entered`, `matches` or `left`.")
    )
    title = models.CharField(max_length=300, blank=True, help_text=_("The record's name or title, as published."))
    link = models.CharField(max_length=500, blank=True, help_text=_("The record's page, as published."))
    body = models.TextField(help_text=_("The JSON body sent (webhooks)."))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text=_("Where the delivery stands.")
    )
    attempts = models.PositiveIntegerField(default=0, help_text=_("Attempts so far."))
    next_attempt_at = models.DateTimeField(help_text=_("Not tried again before this."))
    lease_token = models.CharField(max_length=40, blank=True, help_text=_("The queued task that may attempt it."))
    lease_until = models.DateTimeField(null=True, blank=True, help_text=_("Another task may take it after this."))
    last_status_code = models.PositiveIntegerField(null=True, blank=True, help_text=_("The last HTTP status."))
    last_error = models.CharField(max_length=500, blank=True, help_text=_("The last failure, in words."))
    delivered_at = models.DateTimeField(null=True, blank=True, help_text=_("When it succeeded."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When the event was matched."))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["webhook", "-seq"], name="delivery_webhook_log"),
            models.Index(fields=["follow", "-seq"], name="delivery_follow_log"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(webhook__isnull=False, follow=None) | Q(webhook=None, follow__isnull=False),
                name="delivery_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed", "feed_only"]), name="delivery_status_known"
            ),
            models.UniqueConstraint(
                fields=["webhook", "seq"], condition=Q(webhook__isnull=False), name="delivery_webhook_event_once"
            ),
            models.UniqueConstraint(
                fields=["follow", "seq"], condition=Q(follow__isnull=False), name="delivery_follow_event_once"
            ),
        ]

    def __str__(self):
        return f"{self.id} #{self.seq} {self.status}"

    @property
    def what(self) -> str:
        """What the alert is about, by name: the record's name as published, else (a custody, a charge, or a record
        removed from view) the name of the case or exchange followed; its list and id only when no name is known (a
        saved search's case removed from view). Reads `follow`: select it with the deliveries."""
        if self.title:
            return self.title
        follow = self.follow if self.follow_id else None
        if follow is not None and follow.kind != Follow.Kind.SEARCH and follow.label:
            return follow.label
        return f"{self.resource} {self.object_id}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: what the receiver answered, or why it failed."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", help_text=_("The delivery tried.")
    )
    at = models.DateTimeField(help_text=_("When it was tried."))
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text=_("The HTTP status answered."))
    error = models.CharField(max_length=500, blank=True, help_text=_("Why it failed; empty on success."))
    duration_ms = models.PositiveIntegerField(default=0, help_text=_("How long the attempt took."))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return not self.error


class DailyRun(models.Model):
    """The worker's once-a-day job (`alerts.schedule`: drain the change feed, mark what grows with the date, make the
    day's release) for one day: claimed by compare-and-set under a lease, so two workers never run it twice and a
    worker killed in the middle leaves it to the next one once the lease has run out."""

    job = models.CharField(max_length=40, help_text=_("The job, e.g. `release`."))
    day = models.DateField(help_text=_("The day (site time) the run is for."))
    token = models.CharField(max_length=32, blank=True, help_text=_("The claim of the worker running it."))
    lease_until = models.DateTimeField(null=True, blank=True, help_text=_("Another worker may take over after this."))
    finished_at = models.DateTimeField(null=True, blank=True, help_text=_("When the run finished; empty until then."))
    result = models.CharField(max_length=200, blank=True, help_text=_("What the run made, e.g. the release's name."))

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="alerts_dailyrun_once_a_day")]

    def __str__(self):
        return f"{self.job} {self.day}"
