from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetaineesConfig(AppConfig):
    """People held by states, and each episode of their custody."""

    name = "detainees"
    verbose_name = _("Detainees")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .facets import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="detainees-facets-triggers")
        from common import integrity, review

        from . import signals  # noqa: F401
        from .models import (
            Charge,
            Counsel,
            CustodyExtension,
            Designation,
            Detainee,
            Detention,
            Sentence,
            SentenceChange,
            Transfer,
        )
        from .services import unsourced_facts

        # Published only after a second editor approves (common.review); registered first: see review.register.
        review.register(Detainee)
        integrity.register_case(Detainee, unsourced_facts)
        for model in (Detention, Designation):
            integrity.register_record(model, Detainee, "detainee")
        for model in (Charge, Sentence, Transfer, Counsel, CustodyExtension):
            integrity.register_record(model, Detainee, "detention__detainee")
        integrity.register_record(SentenceChange, Detainee, "sentence__detention__detainee")
        integrity.connect_source_deletion()
