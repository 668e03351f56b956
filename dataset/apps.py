from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetConfig(AppConfig):
    """Everything that reads or writes the whole dataset: the lossless export and import (backups, restores), the
    public dump, the deletions feed for mirrors, the demo cases and the synthetic generator."""

    name = "dataset"
    verbose_name = _("Whole dataset")

    def ready(self):
        from common import api

        def stored_csv(request, view):
            from .csvfiles import stored_response

            return stored_response(request, view)

        api.stored_csv = stored_csv  # the whole public list's CSV from its file, when current (dataset.csvfiles)
