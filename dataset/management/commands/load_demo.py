"""Load the demo cases (Griner–Bout, Reed–Yaroshenko, Whelan and the 2024 Ankara exchange)."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from exchanges.services import load_demo_cases


class Command(BaseCommand):
    """Idempotent: a second run updates the same records and creates nothing new."""

    help = "Load or refresh the demo cases with their sources and statements."

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = load_demo_cases(
            progress=lambda items: tqdm(items, desc="Demo cases", unit="case", file=self.stderr, disable=None)
        )
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded: {summary} in {time.monotonic() - started:.1f} s, 0 errors.")
        )
