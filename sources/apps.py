from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    """Outlets, the articles and documents they publish, officials' statements, and citations."""

    name = "sources"
    verbose_name = _("Sources")
