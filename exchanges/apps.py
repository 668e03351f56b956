from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    """Prisoner exchanges between states and who went which way."""

    name = "exchanges"
    verbose_name = "Exchanges"
