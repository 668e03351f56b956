"""The CSV of every whole public list, as a file built beforehand: `?format=csv` with no filter, asked anonymously,
is served from it instead of being streamed row by row by the request (100,000 people took 10-30 s of a worker,
and gunicorn's timeout cut the download on a loaded host).

A file is made the way the dump is (`dataset.dump`): at a seq of the change feed, by `manage.py build_csv_files`, by
the worker after changes (`refresh()`), and by the bulk loaders (`load_demo`); never in a request. Its rows are
written by the code that streams them (`CSVStreamMixin.csv_chunks`, for an anonymous request at PUBLIC_ORIGIN), so
the bytes served are the bytes the request would have streamed; they are read inside one snapshot of the database
whose change feed stands at `seq` with no mark pending (every write the snapshot shows is published). The file is
written under a temporary name and renamed when complete, with its SHA-256 and what it was built for in a sidecar
`<name>.json`: `detainees-20261207-seq1234-1a2b3c4d5e6f.csv`.

A file is served only while it is current: the feed's head is still its `seq` and no mark is pending (any write the
public might see leaves a mark in its own transaction, then moves the head when published: a draft, an unpublish, a
delete all stop the file at once), it was built today (`days_held` counts to the day it was built), for the origin
of the request. Otherwise the request streams, as before: a stale file is never served.
"""

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.http import FileResponse, HttpRequest, HttpResponseNotModified, QueryDict
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from rest_framework.request import Request

from common.api import CSVRenderer, CSVStreamMixin
from common.cache import _public_version_sql
from common.sql import execute_prepared

from .dump import CHUNK, snapshot

NAME = re.compile(r"^(?P<resource>[a-z-]+)-(?P<date>\d{8})-seq(?P<seq>\d+)-(?P<sha>[0-9a-f]{12})\.csv$")
KEEP = 2  # files kept per list: the newest, and the one a slow download may still be reading


def csv_dir() -> Path:
    return Path(settings.DUMP_DIR) / "csv"


def resources() -> dict[str, tuple[type, str]]:
    """{list name: (viewset, basename)} of every API list that answers `?format=csv` by streaming."""
    from config.api_urls import router as api_router

    return {prefix: (viewset, basename) for prefix, viewset, basename in api_router.registry
            if issubclass(viewset, CSVStreamMixin)}  # fmt: skip


def feed_state(using: str) -> tuple[int, bool]:
    """(the feed's head seq, whether any mark is pending): the public data version's two figures (common.cache)."""
    connection = connections[using]
    [(seq, mark)] = execute_prepared(connection, ("data_version_public",), _public_version_sql(connection))
    return seq or 0, mark is not None


class _OriginRequest(HttpRequest):
    """An anonymous GET of a list at `origin`, with no query: what the whole public list's CSV is written for."""

    def __init__(self, origin: str):
        super().__init__()
        parts = urlsplit(origin)
        self._scheme, self._host = parts.scheme or "http", parts.netloc
        self.method = "GET"
        self.path = self.path_info = "/"
        self.META = {"HTTP_HOST": self._host, "REQUEST_METHOD": "GET"}
        self.GET = QueryDict()
        self.user = AnonymousUser()

    def get_host(self):
        return self._host

    def _get_scheme(self):
        return self._scheme


def list_view(resource: str, origin: str):
    """The list's viewset as an anonymous `?format=csv` request at `origin` without filters sees it."""
    viewset, basename = resources()[resource]
    request = Request(_OriginRequest(origin))
    request.user = AnonymousUser()
    request.accepted_renderer, request.accepted_media_type = CSVRenderer(), CSVRenderer.media_type
    view = viewset(basename=basename, action="list", detail=False)
    view.request, view.args, view.kwargs, view.format_kwarg, view.headers = request, (), {}, None, {}
    return view


def write_file(directory: Path, resource: str, chunks, meta: dict) -> Path:
    """`chunks` to a temporary file, then renamed to its final name once its checksum and sidecar are written."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".building-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                digest.update(data)
                size += len(data)
                out.write(data)
        checksum = digest.hexdigest()
        path = directory / f"{resource}-{meta['date'].replace('-', '')}-seq{meta['seq']}-{checksum[:12]}.csv"
        sidecar = Path(f"{path}.json")
        with tempfile.NamedTemporaryFile("w", dir=directory, prefix=".building-", delete=False) as side:
            json.dump({**meta, "resource": resource, "sha256": checksum, "bytes": size}, side)
        os.replace(side.name, sidecar)  # the sidecar first: a file is never found without it
        os.replace(temporary, path)
        return path
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build(
    *,
    origin: str | None = None,
    only: list[str] | None = None,
    drain: bool = True,
    using: str | None = None,
    directory: Path | None = None,
    on_file=lambda resource, path: None,
) -> dict[str, Path]:
    """Publish what is marked, then write the CSV of every whole public list (or of `only`) inside one snapshot at
    the feed's head; returns {list: path}, empty when marks were pending in the snapshot (a write landed between
    the publishing and the snapshot: the file would not be current; the next round tries again)."""
    from changes.publisher import publish

    if drain:
        publish()
    using = using or router.db_for_write(None)
    origin = (origin or settings.PUBLIC_ORIGIN).rstrip("/")
    directory = directory or csv_dir()
    wanted = only or sorted(resources())
    written = {}
    with translation.override(settings.LANGUAGE_CODE):
        atomic = snapshot(using)
        try:
            seq, pending = feed_state(using)
            if pending:
                return {}
            meta = {"seq": seq, "date": timezone.localdate().isoformat(), "origin": origin,
                    "language": settings.LANGUAGE_CODE}  # fmt: skip
            for resource in wanted:
                written[resource] = write_file(directory, resource, list_view(resource, origin).csv_chunks(), meta)
                on_file(resource, written[resource])
        finally:
            atomic.__exit__(None, None, None)
    prune(directory)
    return written


def files(directory: Path | None = None) -> list[tuple[str, int, Path]]:
    """(list, seq, path) of the complete files, newest first within each list."""
    directory = directory or csv_dir()
    if not directory.is_dir():
        return []
    found = [(m["resource"], int(m["seq"]), p) for p in directory.iterdir() if (m := NAME.match(p.name))]
    return sorted(found, key=lambda item: (item[0], -item[1], -item[2].stat().st_mtime))


def prune(directory: Path) -> None:
    seen: dict[str, int] = {}
    for resource, _seq, path in files(directory):
        seen[resource] = seen.get(resource, 0) + 1
        if seen[resource] > KEEP:
            path.unlink(missing_ok=True)
            Path(f"{path}.json").unlink(missing_ok=True)


def current_file(resource: str, seq: int, origin: str) -> tuple[Path, dict] | None:
    """The file of `resource` built at `seq` today for `origin`, with its sidecar; None if none. (No cell of a CSV
    is in words of a language: codes, names, dates and numbers; the file serves every Accept-Language.)"""
    today = timezone.localdate().isoformat()
    for name, file_seq, path in files():
        if name != resource or file_seq != seq:
            continue
        try:
            meta = json.loads(Path(f"{path}.json").read_text())
        except (OSError, ValueError):
            continue
        if meta.get("date") == today and meta.get("origin") == origin:
            return path, meta
    return None


def wants_whole_list(request, view) -> bool:
    """An anonymous `?format=csv` of a list, with no other parameter: the only request a file answers."""
    return (request.method in ("GET", "HEAD") and not request.user.is_authenticated
            and set(request.query_params) <= {"format"} and view.basename is not None)  # fmt: skip


def stored_response(request, view):
    """The current file of the whole public list, as a response (304 when the client's copy is this file); None
    when there is none, and the request streams the CSV."""
    if not settings.CSV_FILES or not wants_whole_list(request, view):
        return None
    resource = next((name for name, (viewset, _b) in resources().items() if viewset is type(view)), None)
    if resource is None:
        return None
    seq, pending = feed_state(router.db_for_read(None))
    if pending:
        return None  # a write not yet published: the file may be behind it
    origin = request.build_absolute_uri("/").rstrip("/")
    found = current_file(resource, seq, origin)
    if found is None:
        return None
    path, meta = found
    etag = f'"{meta["sha256"][:32]}"'
    modified = int(path.stat().st_mtime)
    if_none_match = request.headers.get("If-None-Match")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    offered = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    if if_none_match and (etag in offered or "*" in offered) or not if_none_match and since and modified <= since:
        response = HttpResponseNotModified()
    else:
        response = FileResponse(path.open("rb"), content_type="text/csv; charset=utf-8")
        response["Content-Length"] = str(meta["bytes"])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["X-Feed-Seq"] = str(seq)
    response["X-Checksum-SHA256"] = meta["sha256"]
    response["Content-Disposition"] = f'attachment; filename="{view.csv_filename()}"'
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def stale(using: str | None = None) -> bool:
    """Whether a file is due: the feed has moved (and no mark is pending), or the day has, since the newest files."""
    using = using or router.db_for_write(None)
    seq, pending = feed_state(using)
    if pending:
        return False  # not now: the publisher has work first; a later round builds
    today = timezone.localdate().isoformat()
    newest = {}
    for resource, file_seq, path in files():
        newest.setdefault(resource, (file_seq, path))
    if set(newest) != set(resources()):
        return True
    for file_seq, path in newest.values():
        if file_seq != seq:
            return True
        try:
            if json.loads(Path(f"{path}.json").read_text()).get("date") != today:
                return True
        except (OSError, ValueError):
            return True
    return False


_last_try = {"at": 0.0}


def refresh(min_interval: float | None = None) -> dict[str, Path]:
    """The worker's round: rebuild the files when the feed or the day has moved, at most once per
    CSV_FILES_INTERVAL seconds (a site with editors at work streams meanwhile, as it always did)."""
    import time

    if not settings.CSV_FILES:
        return {}
    interval = settings.CSV_FILES_INTERVAL if min_interval is None else min_interval
    if time.monotonic() - _last_try["at"] < interval or not stale():
        return {}
    _last_try["at"] = time.monotonic()
    return build(drain=False)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
