from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Alerts and webhooks: accounts with a confirmed email follow cases, exchanges and saved searches (email and
    an Atom feed per follow); script owners register signed webhooks. Everything is read from the change feed
    (`changes.Change`) by a background worker; nothing is sent from a request."""

    name = "alerts"
    verbose_name = _("Alerts and webhooks")

    def ready(self):
        from .compat import patch_frozen_task_results

        patch_frozen_task_results()
