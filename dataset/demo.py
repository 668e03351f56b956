"""The demo cases: a dataset document (`demo.json`) merged into the database, never over an editor's work."""

import json
from collections.abc import Callable
from pathlib import Path

from .backup import merge_dataset

DEMO_FILE = Path(__file__).with_name("demo.json")


def demo_document() -> dict:
    with DEMO_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def load_demo(*, reset: bool = False, on_record: Callable[[str], None] = lambda label: None) -> dict[str, int]:
    """Insert the demo records this database lacks; with `reset`, also put back the demo's own version of those it
    has (an editor's changes to them are overwritten, and kept in their history). Returns what was added."""
    return merge_dataset(demo_document(), overwrite=reset, reason="Demo data", on_record=on_record)
