from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """The change feed: one append-only, totally ordered log of every change to what an anonymous visitor can see.
    Mirrors, the dump, releases, alerts and webhooks all read it; nothing else says what changed."""

    name = "changes"
    verbose_name = _("Change feed")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="changes-triggers")

        from common import api, filters

        from . import services

        api.record_validators = services.record_validators
        filters.changed_since = services.changed_since
