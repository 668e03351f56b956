"""`manage.py build_case_documents`: store every published case's API document and page (see casedocs)."""

import functools
import multiprocessing
import time

from django.core.management.base import BaseCommand
from django.db import connections
from tqdm import tqdm

from casedocs import services
from casedocs.services import build, current
from common.derived import vacuum_queues
from detainees.models import Detainee


def _build_chunk(ids: list[int], pages: bool = False) -> int:
    return len(build(ids, pages=pages))


class Command(BaseCommand):
    help = ("Build the stored documents of published cases: all of them, or --stale for those missing or marked "
            "stale only (after a bulk import, or an edit to a source cited by thousands). Their API documents, in "
            "three queries a batch; their case pages too with --pages (about ten times the work: otherwise each "
            "page is rendered when first asked for). --prune removes those of people deleted or unpublished, and "
            "the stale marks of people without a document.")  # fmt: skip

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only documents missing or stale (with --pages: or stored without their page).",
        )
        parser.add_argument("--pages", action="store_true", help="Render and store the case pages too.")
        parser.add_argument("--prune", action="store_true", help="Also delete documents no published person needs.")
        parser.add_argument("--batch", type=int, default=100, help="People per batch (default 100).")
        parser.add_argument("--jobs", type=int, default=1, help="Processes building at once (default 1).")

    def handle(self, *args, stale=False, pages=False, prune=False, batch=100, jobs=1, **options):
        started = time.monotonic()
        people = Detainee.objects.published().order_by("pk").values_list("pk", flat=True)
        if stale:
            done = current().exclude(page="") if pages else current()
            people = people.exclude(pk__in=done.values("pk"))
        ids = list(people)
        chunks = [ids[i : i + batch] for i in range(0, len(ids), batch)]
        built = 0
        with tqdm(total=len(ids), desc="Case documents", unit="case", file=self.stderr, disable=None) as bar:
            if jobs > 1 and chunks:
                connections.close_all()  # each process opens its own
                with multiprocessing.get_context("fork").Pool(jobs) as pool:
                    work = pool.imap(functools.partial(_build_chunk, pages=pages), chunks)
                    for chunk, n in zip(chunks, work, strict=True):
                        built += n
                        bar.update(len(chunk))
            else:
                for chunk in chunks:
                    built += _build_chunk(chunk, pages)
                    bar.update(len(chunk))
        pruned = 0
        if prune:
            pruned, _ = services.prune()
        if built >= 10_000:
            vacuum_queues()  # the marks those builds removed, out of the index (common.derived)
        seconds = time.monotonic() - started
        rate = f", {built / seconds:,.0f} a second" if seconds and built else ""
        what = "case documents with their pages" if pages else "case documents"
        self.stdout.write(f"Built {built:,} {what} of {len(ids):,} published cases asked for"
                          f"{f', pruned {pruned:,}' if prune else ''} in {seconds:.1f} s{rate}.")  # fmt: skip
