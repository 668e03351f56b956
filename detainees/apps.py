from django.apps import AppConfig


class DetaineesConfig(AppConfig):
    """People held by states, and each episode of their custody."""

    name = "detainees"
    verbose_name = "Detainees"

    def ready(self):
        from . import signals  # noqa: F401
