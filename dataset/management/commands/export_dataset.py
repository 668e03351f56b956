"""Write every record, drafts included, as one versioned JSON document (docs/dataset-format.md)."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.derived import drain_feed
from dataset.backup import DatasetError, check_restorable, iter_dataset_json, snapshot


def private_file(path: str) -> int:
    """A file descriptor for writing `path`, readable by its owner only (0600), even when a file of that name was
    there before: a backup holds drafts and staff-only article text."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


class Command(BaseCommand):
    """The lossless backup format: `import_dataset` loads it back, and a second export is identical.

    A database that `import_dataset` would refuse (a published record with an unsourced fact) is not backed up:
    the command stops with the list, exit status 1, and writes no file. The check and the export read one snapshot.
    """

    help = "Export the whole dataset (drafts and staff-only text included) as JSON, readable by its owner only."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the document.")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        counts: dict[str, int] = {}
        # The feed published first, so the backup's feed says what its records show (what is written meanwhile stays
        # marked; a restore publishes it: every restored record is marked and compared with the feed's last word).
        drain_feed(self.stderr)
        with snapshot():
            try:
                check_restorable()
            except DatasetError as exc:
                raise CommandError(
                    f"Nothing was written to {file}: restore (import_dataset) would refuse this backup. {exc} "
                    "Cite a source for each, or unpublish the case, then back up again; pg_dump copies the "
                    "database as it is."
                ) from exc
            self.export(file, counts)
        total = sum(counts.values())
        self.stdout.write(f"Exported {total} records ({len(counts)} kinds) to {file} in "
                          f"{time.monotonic() - started:.1f} s, 0 errors.")  # fmt: skip

    def export(self, file, counts: dict[str, int]) -> None:
        with (
            tqdm(desc="Exporting", unit="record", file=self.stderr, disable=None) as bar,
            open(private_file(file), "w", encoding="utf-8") as out,
        ):

            def count(label):
                counts[label] = counts.get(label, 0) + 1
                bar.update()

            for chunk in iter_dataset_json(on_record=count):
                out.write(chunk)
