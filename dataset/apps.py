from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetConfig(AppConfig):
    """Everything that reads or writes the whole dataset: the lossless export and import (backups, restores), the
    public dump, the deletions feed for mirrors, the demo cases and the synthetic generator."""

    name = "dataset"
    verbose_name = _("Whole dataset")
