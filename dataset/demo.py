"""The demo cases (`demo.json`) and the starter dataset (`starter.json`, the demo cases and every case of
dataset/README.md's scope, each fact traced to a report): dataset documents merged into the database, never over an
editor's work. `make run` loads the starter dataset; the tests' `demo` fixture loads the small demo."""

import json
from collections.abc import Callable
from pathlib import Path

from .backup import merge_dataset

DEMO_FILE = Path(__file__).with_name("demo.json")
STARTER_FILE = Path(__file__).with_name("starter.json")


def demo_document(*, starter: bool = False) -> dict:
    with (STARTER_FILE if starter else DEMO_FILE).open(encoding="utf-8") as f:
        return json.load(f)


def starter_document() -> dict:
    return demo_document(starter=True)


def load_demo(*, reset: bool = False, starter: bool = False,
              on_record: Callable[[str], None] = lambda label: None) -> dict[str, int]:  # fmt: skip
    """Insert the demo records (with `starter`, the starter dataset's) this database lacks; with `reset`, also put
    back the shipped version of those it has (an editor's changes to them are overwritten, and kept in their
    history). Returns what was added."""
    return merge_dataset(demo_document(starter=starter), overwrite=reset, reason="Demo data", on_record=on_record,
                         origin="starter" if starter else "demo")  # fmt: skip
