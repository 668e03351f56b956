from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    """Prisoner exchanges between states and who went which way."""

    name = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self):
        from common import integrity, review

        from .models import Exchange
        from .services import unsourced_facts

        # Saving an exchange moves its participants' cases: exchanges lock before detainees.
        # Published only after a second editor approves (common.review); registered first: see review.register.
        review.register(Exchange)
        integrity.register_case(Exchange, unsourced_facts, lock_rank=-1)
