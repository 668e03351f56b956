"""What a stored case document was built with: a digest of the code, templates and catalogues that make one.

A stored page or API document is served only if it was built with the code now running (`build_key()`): after a
deploy that changes how a case is shown (a template, the timeline, a translation, a serializer, a library), every
document built before is stale, and is built again by the worker, `build_case_documents --stale` or its next
visitor, never served as it was. During a rolling deploy a server of each version builds and serves its own
documents only. What is digested: the site's templates and catalogues, the Python of the apps a case is made of
(their admin, management commands, migrations and tests aside: they do not make a public document), the settings,
and the versions of the libraries that render one.
"""

import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
FOLDERS = ("templates", "locale", "common", "config", "detainees", "exchanges", "sources", "casedocs", "changes")
SKIPPED = {"admin", "migrations", "management", "tests", "__pycache__"}
SUFFIXES = (".py", ".html", ".txt", ".po")
LIBRARIES = ("django", "djangorestframework", "django-countries", "orjson", "django-filter", "drf-spectacular")


def files() -> list[Path]:
    found = []
    for folder in FOLDERS:
        for path in sorted((BASE / folder).rglob("*")):
            parts = set(path.relative_to(BASE).parts[:-1])
            if path.suffix in SUFFIXES and not parts & SKIPPED and not path.name.startswith("admin"):
                found.append(path)
    return found


@functools.cache
def build_key() -> str:
    """`BUILD_KEY`'s value, made once per process (~0.1 s: ~150 files read)."""
    digest = hashlib.sha256()
    for name in LIBRARIES:
        try:
            digest.update(f"{name}=={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name}\n".encode())
    for path in files():
        digest.update(b"\0" + str(path.relative_to(BASE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

