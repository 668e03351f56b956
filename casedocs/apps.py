from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseDocsConfig(AppConfig):
    """Each published case stored whole (its API document and its public page), kept current by the database."""

    name = "casedocs"
    verbose_name = _("Stored case documents")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="casedocs-triggers")

        from .census_store import register

        register()  # the census reads its stored figures from here
