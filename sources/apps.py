from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Outlets, the articles and documents they publish, officials' statements, and citations."""

    name = "sources"
    verbose_name = "Sources"
