"""A bulk download kept on disk as a gzip file per data version, instead of being rebuilt on every request.

`/api/v1/dump/` hands its generator to `dump_response()`. The file for the current data version (see common.cache)
and site address (records carry absolute URLs) is `DUMP_DIR/<site>/prisoner-exchange-tracker-<version>.json.gz`,
with `<...>.json.sha256` beside it (sha256sum's format, over the uncompressed JSON).

- File there: sent as it is with `Content-Encoding: gzip` to clients that accept gzip (every HTTP library does),
  decompressed on the fly for the others; a strong `ETag` from the checksum (304 for `If-None-Match`),
  `Last-Modified`, `X-Checksum-SHA256`, and the version in the file name.
- No file for this version (the first request after any change): the document is streamed to that client as it
  is built, as before, and written to a temporary file at the same time; when the stream ends the file takes its
  place atomically and older versions are removed. One worker builds at a time (a lock file); a request meanwhile
  is streamed without writing. A client that disconnects leaves no partial file.
"""

import fcntl
import gzip
import hashlib
import os
import tempfile
from collections.abc import Callable, Generator, Iterator
from email.utils import formatdate
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_vary_headers
from rest_framework.request import Request

from common.cache import data_version

STEM = "prisoner-exchange-tracker"
CHUNK = 256 * 1024


def site_directory(request) -> Path:
    site = f"{request.scheme}://{request.get_host()}"
    return Path(settings.DUMP_DIR) / hashlib.sha1(site.encode()).hexdigest()[:12]


def neutral_request(request) -> Request:
    """An anonymous request for the same site address: the file never depends on who asked first."""
    return Request(RequestFactory().get("/", secure=request.is_secure(), HTTP_HOST=request.get_host()))


def dump_response(request, build: Callable[[Request], Generator[str]]) -> HttpResponse:
    version = data_version()
    directory = site_directory(request)
    path = directory / f"{STEM}-{version}.json.gz"
    checksum_path = directory / f"{STEM}-{version}.json.sha256"
    filename = f"{STEM}-{version}.json"
    if path.exists() and checksum_path.exists():
        return _file_response(request, path, checksum_path.read_text().split()[0], filename)
    stream = _build_while_streaming(build(neutral_request(request)), directory, path, checksum_path, filename)
    response = StreamingHttpResponse(stream, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_response(request, path: Path, checksum: str, filename: str) -> HttpResponse:
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    etag = f'"{checksum[:32]}{"-gzip" if gzip_ok else ""}"'
    asked = request.headers.get("If-None-Match", "")
    offered = {tag.strip().removeprefix("W/").replace("-gzip", "") for tag in asked.split(",")}
    if f'"{checksum[:32]}"' in offered or "*" in offered:
        response = HttpResponseNotModified()
    elif gzip_ok:
        response = FileResponse(path.open("rb"), content_type="application/json")
        response["Content-Encoding"] = "gzip"  # FileResponse would call a .gz file application/gzip
    else:
        response = StreamingHttpResponse(_decompressed(path), content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(path.stat().st_mtime, usegmt=True)
    response["X-Checksum-SHA256"] = checksum
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _decompressed(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def _build_while_streaming(chunks: Generator[str], directory: Path, path: Path, checksum_path: Path, filename: str):
    directory.mkdir(parents=True, exist_ok=True)
    lock = (directory / ".lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another worker is writing this file: stream only
        lock.close()
        try:
            for chunk in chunks:
                yield chunk.encode()
        finally:
            chunks.close()  # a client gone mid-way: close the database cursors now, not when collected
        return
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".building-")
    done = False
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(filename=filename, fileobj=raw, mode="wb", mtime=0) as out:
            for chunk in chunks:
                data = chunk.encode()
                digest.update(data)
                out.write(data)
                yield data
        checksum_path.write_text(f"{digest.hexdigest()}  {filename}\n")
        os.replace(temporary, path)
        done = True
        for old in directory.glob(f"{STEM}-*"):
            if old not in (path, checksum_path):
                old.unlink(missing_ok=True)
    finally:
        chunks.close()  # a client gone mid-way: close the database cursors now, not when collected
        if not done:
            Path(temporary).unlink(missing_ok=True)
        lock.close()
