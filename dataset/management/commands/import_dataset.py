"""Load a dataset document written by export_dataset into an empty database, in one transaction."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.derived import drain_feed
from dataset.backup import DatasetError, analyze, import_dataset


class Command(BaseCommand):
    """A malformed document stops with the record and field named, and nothing is written."""

    help = "Import a dataset document (see docs/dataset-format.md) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The document to load.")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        try:
            with open(file, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError, RecursionError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        total = sum(len(v) for v in (document.get("records") or {}).values() if isinstance(v, list)) if isinstance(
            document, dict) else 0  # fmt: skip
        with tqdm(total=total, desc="Importing", unit="record", file=self.stderr, disable=None) as bar:
            try:
                counts = import_dataset(document, on_record=lambda label: bar.update())
            except DatasetError as exc:
                raise CommandError(f"Nothing was imported. {exc}") from exc
        analyze()
        events = drain_feed(self.stderr)  # a bulk import ends with the change feed current (common.derived)
        self.stdout.write(f"Imported {sum(counts.values())} records ({len(counts)} kinds) in "
                          f"{time.monotonic() - started:.1f} s, 0 errors; {events:,} change feed events "
                          "published.")  # fmt: skip
