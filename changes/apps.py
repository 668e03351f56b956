from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """The change feed: one append-only, totally ordered log of every change to what an anonymous visitor can see.
    Mirrors, the dump, releases, alerts and webhooks all read it; nothing else says what changed."""

    name = "changes"
    verbose_name = _("Change feed")
