"""Compiled translation catalogues (.mo) are built from the committed .po files, never committed themselves.

`make compilemessages` builds them before `make run`, `make test` and the servers; `ensure_compiled()` is the same
for entry points that do not go through make (pytest run directly): it rebuilds any .mo older than its .po with
gettext's msgfmt, and says so when gettext is missing.
"""

import shutil
import subprocess
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def stale_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or older."""
    stale = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def ensure_compiled(locale_dir: Path = LOCALE_DIR) -> int:
    """Compile every stale catalogue; returns how many were compiled."""
    stale = stale_catalogues(locale_dir)
    if stale and shutil.which("msgfmt") is None:
        raise RuntimeError("The translation catalogues need compiling and gettext is missing: apt-get install gettext")
    for po in stale:
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return len(stale)
