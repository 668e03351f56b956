"""The whole public dataset as one file at a known seq of the change feed: built by `manage.py build_dump` (and
`make_release`), never in a request; `/api/v1/dump/` serves the newest file.

A dump is the feed's own state at `seq`: for every record whose last event up to `seq` is an upsert, the document
that event published. A mirror loads it, then follows `/api/v1/changes/?after=<seq>`, and misses nothing: every
change after the dump has a higher seq. The file is written to a temporary name beside its place and renamed when
complete (a reader never sees half a file); its name carries the date, the seq and the start of its SHA-256:
`prisoner-exchange-tracker-20261207-seq1234-1a2b3c4d5e6f.json.gz`, with the whole checksum in `<name>.sha256`.
"""

import datetime
import gzip
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Max
from django.http import FileResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from changes.models import Change, Published
from changes.publisher import ORIGIN, publish
from changes.triggers import RESOURCES

from .merges import public_merge_records

DUMP_FORMAT = "prisoner-exchange-tracker/public-dump"
DUMP_VERSION = 2
STEM = "prisoner-exchange-tracker"
NAME = re.compile(rf"^{STEM}-(?P<date>\d{{8}})-seq(?P<seq>\d+)-(?P<sha>[0-9a-f]{{12}})\.json\.gz$")
CHUNK = 256 * 1024
KEEP = 3  # dumps kept in DUMP_DIR/dumps (releases keep their own)


def names() -> list[str]:
    return sorted(RESOURCES.values())


def dumps_dir() -> Path:
    return Path(settings.DUMP_DIR) / "dumps"


def snapshot(using: str):
    """A transaction whose reads all see one moment (PostgreSQL: REPEATABLE READ; SQLite: a read transaction is a
    snapshot already)."""
    outermost = not connections[using].in_atomic_block
    atomic = transaction.atomic(using=using)
    atomic.__enter__()
    if connections[using].vendor == "postgresql" and outermost:
        with connections[using].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    return atomic


def documents_at(resource: str, seq: int, using: str) -> Iterator[dict]:
    """The published documents of `resource` as the feed stands (read inside a snapshot whose head is `seq`)."""
    last = Published.objects.using(using).filter(resource=resource, op=Change.Op.UPSERT, seq__lte=seq)
    rows = (Change.objects.using(using).filter(seq__in=last.values("seq")).order_by("object_id")
            .values_list("document", flat=True))  # fmt: skip
    yield from rows.iterator(chunk_size=2000)


def iter_dump(origin: str, *, using: str | None = None, on_record: Callable[[str], None] = lambda name: None,
              on_start: Callable[[int, dict], None] = lambda seq, counts: None) -> Iterator[bytes]:
    """The dump as JSON bytes, record by record, at the feed's head when it starts (drain the marks first)."""
    using = using or router.db_for_write(Change)
    atomic = snapshot(using)
    try:
        seq = Change.objects.using(using).aggregate(head=Max("seq"))["head"] or 0
        counts = {name: Published.objects.using(using).filter(resource=name, op=Change.Op.UPSERT).count()
                  for name in names()}  # fmt: skip
        on_start(seq, counts)
        header = {"format": DUMP_FORMAT, "version": DUMP_VERSION, "seq": seq,
                  "generated_at": timezone.now().isoformat(timespec="seconds"), "counts": counts}  # fmt: skip
        yield orjson.dumps(header)[:-1]
        swap = origin != ORIGIN
        for name in names():
            yield b', "' + name.encode() + b'": ['
            for i, document in enumerate(documents_at(name, seq, using)):
                text = orjson.dumps(document)
                yield (b"," if i else b"") + (text.replace(ORIGIN.encode(), origin.encode()) if swap else text)
                on_record(name)
            yield b"]"
        # Ids merged away and the record each became (dataset/merges.py), as of the same snapshot.
        yield b', "merged": ' + orjson.dumps(public_merge_records(using=using))
        yield b"}\n"
    finally:
        atomic.__exit__(None, None, None)


def write_atomically(directory: Path, chunks: Iterator[bytes], name_for: Callable[[str], str]) -> tuple[Path, str]:
    """Write gzip `chunks` to a temporary file in `directory`, then rename it to `name_for(sha256)`; returns the
    path and the checksum (of the .gz file as served). The sidecar `<name>.sha256` holds, as `sha256sum` writes them,
    the checksum of the .gz file and that of the JSON in it (what a client that does not accept gzip receives). A
    failure leaves nothing behind."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".building-")
    plain = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as out:
            for chunk in chunks:
                plain.update(chunk)
                out.write(chunk)
        digest = hashlib.sha256()
        with open(temporary, "rb") as written:
            while block := written.read(CHUNK):
                digest.update(block)
        checksum = digest.hexdigest()
        path = directory / name_for(checksum)
        (directory / f"{path.name}.sha256").write_text(
            f"{checksum}  {path.name}\n{plain.hexdigest()}  {path.name.removesuffix('.gz')}\n"
        )
        os.replace(temporary, path)
        return path, checksum
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_dump(directory: Path | None = None, *, origin: str | None = None, on_record=lambda name: None,
               on_start=lambda seq, counts: None, drain: bool = True) -> tuple[Path, int, str]:
    """Publish what is marked, then write the dump at the feed's head; returns (path, seq, sha256)."""
    if drain:
        publish()
    directory = directory or dumps_dir()
    origin = (origin or settings.PUBLIC_ORIGIN).rstrip("/")
    seen = {}

    def started(seq, counts):
        seen["seq"] = seq
        on_start(seq, counts)

    chunks = iter_dump(origin, on_record=on_record, on_start=started)
    first = next(chunks)  # the snapshot is taken: the seq is known
    today = timezone.localdate().strftime("%Y%m%d")
    path, checksum = write_atomically(
        directory, _chain(first, chunks), lambda sha: f"{STEM}-{today}-seq{seen['seq']}-{sha[:12]}.json.gz"
    )
    if directory == dumps_dir():
        prune(directory)
    return path, seen["seq"], checksum


def _chain(first, rest):
    yield first
    yield from rest


def dumps(directory: Path | None = None) -> list[tuple[int, Path]]:
    """(seq, path) of the complete dump files, newest first."""
    directory = directory or dumps_dir()
    if not directory.is_dir():
        return []
    found = [(int(m["seq"]), p) for p in directory.iterdir() if (m := NAME.match(p.name))]
    return sorted(found, key=lambda item: (item[0], item[1].stat().st_mtime), reverse=True)


def prune(directory: Path) -> None:
    for _seq, path in dumps(directory)[KEEP:]:
        path.unlink(missing_ok=True)
        Path(f"{path}.sha256").unlink(missing_ok=True)


def checksum_of(path: Path) -> str:
    sidecar = Path(f"{path}.sha256")
    return sidecar.read_text().split()[0] if sidecar.exists() else ""


def plain_checksum_of(path: Path) -> str:
    """The checksum of the JSON inside the .gz file `path`, from its sidecar ("" for a file written before it was
    kept)."""
    sidecar = Path(f"{path}.sha256")
    words = sidecar.read_text().split() if sidecar.exists() else []
    return words[2] if len(words) >= 4 else ""


def file_response(request, path: Path, checksum: str, seq: int):
    """A gzip JSON file as stored (`Content-Encoding: gzip`) for clients that accept it, decompressed on the fly
    for the others; strong ETag from the checksum, `Last-Modified`, `X-Feed-Seq`, and `X-Checksum-SHA256` of the
    bytes sent: the .gz file's, or the JSON's when decompressed (left out for a file whose sidecar does not know
    it: never a checksum that does not match)."""
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    etag = f'"{checksum[:32]}{"-gzip" if gzip_ok else ""}"'
    offered = {tag.strip().removeprefix("W/").replace("-gzip", "") for tag in request.headers.get(
        "If-None-Match", "").split(",")}  # fmt: skip
    if f'"{checksum[:32]}"' in offered or "*" in offered:
        response = HttpResponseNotModified()
    elif gzip_ok:
        response = FileResponse(path.open("rb"), content_type="application/json")
        response["Content-Encoding"] = "gzip"  # FileResponse would call a .gz file application/gzip
    else:
        response = StreamingHttpResponse(_decompressed(path), content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(path.stat().st_mtime)
    sent = checksum if gzip_ok else plain_checksum_of(path)
    if sent:
        response["X-Checksum-SHA256"] = sent
    response["X-Feed-Seq"] = str(seq)
    response["Content-Disposition"] = f'attachment; filename="{path.name.removesuffix(".gz")}"'
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _decompressed(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def dump_schema():
    from detainees import serializers as d
    from exchanges import serializers as e
    from sources import serializers as s

    lists = {
        "claims": s.ClaimSerializer, "charges": d.ChargeSerializer, "designations": d.DesignationSerializer,
        "detainees": d.DetaineeSerializer, "detentions": d.DetentionSerializer,
        "exchange-participants": e.ParticipantResourceSerializer, "exchanges": e.ExchangeSerializer,
        "groups": d.GroupSerializer, "officials": s.OfficialSerializer, "outlets": s.OutletSerializer,
        "sentence-changes": d.SentenceChangeResourceSerializer, "sentences": d.SentenceSerializer,
        "sources": s.SourceSerializer, "statements": s.StatementSerializer, "transfers": d.TransferSerializer,
    }
    return inline_serializer("PublicDump", {
        "format": serializers.CharField(), "version": serializers.IntegerField(),
        "seq": serializers.IntegerField(help_text=_("Every event of the change feed up to this seq is in the dump.")),
        "generated_at": serializers.DateTimeField(), "counts": serializers.DictField(child=serializers.IntegerField()),
        **{name: serializer(many=True) for name, serializer in lists.items()},
    })  # fmt: skip


class PublicDumpView(APIView):
    """The newest dump: every public record of every list, in the shape of its API detail, at the seq named in the
    file (`seq`), its name and the `X-Feed-Seq` header. Follow `/api/v1/changes/?after=<seq>` from there."""

    permission_classes = [AllowAny]  # read-only, and only public records

    @extend_schema(
        summary="The whole public dataset, at a seq of the change feed",
        responses={200: OpenApiResponse(response=dump_schema(), description=_("One JSON object (sent gzip-encoded "
                                        "to clients that accept it): format, version, seq, generated_at, counts, and "
                                        "a list per resource in the shape of its API detail.")),
                   503: OpenApiResponse(description=_("No dump built yet (`manage.py build_dump`)."))},
    )  # fmt: skip
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"format"})
        if unknown:  # a typo must not silently give the whole dataset, as on every list
            raise ValidationError({name: ["Unknown query parameter. Known parameters: format."] for name in unknown})
        found = dumps()
        if not found:
            response = Response({"detail": "No dump has been built yet: it is built by `manage.py build_dump`, "
                                           "never on request. Try again later."}, status=503)  # fmt: skip
            response["Retry-After"] = "3600"
            return response
        seq, path = found[0]
        return file_response(request, path, checksum_of(path), seq)


def dump_datetime(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
