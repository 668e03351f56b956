from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared building blocks: timestamps, partial dates, visibility, search keys."""

    name = "common"
    verbose_name = "Common"
