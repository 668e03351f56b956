"""Sign-up confirmation: a signed, expiring link (django.core.signing) sent by the worker."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Account

SALT = "alerts.confirm-email"
MAX_AGE = 3 * 24 * 3600  # a link works for three days


def confirmation_token(user) -> str:
    """Signs the user and the address: a link for an old address stops working when the address changes."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT, compress=True)


def confirm(token: str):
    """The user whose address the token confirms, now confirmed; None for a bad, expired or outdated token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or not user.email or user.email != data.get("email"):
        return None
    account, _created = Account.objects.get_or_create(user=user)
    account.email_confirmed = user.email
    account.confirmed_at = timezone.now()
    account.save(update_fields=["email_confirmed", "confirmed_at"])
    return user


def send_confirmation(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "no-user"
    link = settings.SITE_URL + reverse("alerts:confirm", args=[confirmation_token(user)])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Confirm your email address for the Prisoner Exchange Tracker")
        text = render_to_string("alerts/email/confirm.txt", {"user": user, "link": link})
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return "sent"


def is_confirmed(user) -> bool:
    if not user.is_authenticated:
        return False
    account = Account.objects.filter(user=user).first()
    return bool(account and account.is_confirmed)
