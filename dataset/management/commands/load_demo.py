"""Add the demo cases (Griner–Bout, Reed–Yaroshenko, Whelan, the 2024 Ankara exchange) that the database lacks; with
`--starter`, the whole starter dataset (dataset/starter.json, what `make run` loads)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.derived import drain_feed
from dataset.backup import DatasetError
from dataset.csvfiles import build as build_csv_files
from dataset.demo import demo_document, load_demo


class Command(BaseCommand):
    """Inserts what is missing and never overwrites: `make run` may run it every time without touching editors'
    work. `reset_demo` puts the demo's own version back on purpose."""

    help = "Add the demo cases that are not in the database yet (never changes existing records)."
    reset = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--starter", action="store_true",
            help="The starter dataset (dataset/starter.json: the demo cases and every sourced case of its scope), "
            "not only the demo cases. `make run` uses it.",
        )  # fmt: skip
        parser.add_argument(
            "--no-csv-files", dest="csv_files", action="store_false",
            help="Do not write the whole lists' CSV files afterwards (dataset.csvfiles); requests then stream them.",
        )  # fmt: skip

    def handle(self, *args, **options):
        started = time.monotonic()
        starter = options.get("starter", False)
        total = sum(len(rows) for rows in demo_document(starter=starter)["records"].values())
        with tqdm(total=total, desc="Demo records", unit="record", file=self.stderr, disable=None) as bar:
            try:
                added = load_demo(reset=self.reset, starter=starter, on_record=lambda label: bar.update())
            except DatasetError as exc:
                raise CommandError(f"Nothing was loaded. {exc}") from exc
        events = drain_feed(self.stderr)  # a bulk load ends with the change feed current (common.derived)
        if options.get("csv_files", True) and settings.CSV_FILES:
            build_csv_files(drain=False)  # and with the whole lists' CSV files at its head
        summary = ", ".join(f"{n} {label.split('.')[1]}" for label, n in added.items()) or "nothing new"
        verb = "Demo data reset" if self.reset else "Demo data loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {summary} ({total} demo records checked) in {time.monotonic() - started:.1f} s, 0 errors; "
                f"{events:,} change feed events published."
            )  # fmt: skip
        )
