"""Releases: dated versions of the public dataset, each a dump at a seq of the change feed plus a delta from the
release before it (what was added, changed, deleted), as OpenSanctions publishes its datasets.

`manage.py make_release` makes one (daily from the worker, or on demand); `/api/v1/releases/` lists them, newest
first, with the addresses of their files. The delta is read from the feed: for every record with an event between
the two seqs, its state at the older seq against its state at the newer one. A record changed and changed back is
not in it; a record added and deleted in between is not in it either.
"""

import datetime
from pathlib import Path

import orjson
from django.conf import settings
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from changes.models import Change, Release
from changes.publisher import ORIGIN
from common.api import ERRORS, TrackerPagination

from .dump import STEM, build_dump, file_response, write_atomically

DELTA_FORMAT = "prisoner-exchange-tracker/release-delta"
BATCH = 1000


def releases_dir() -> Path:
    return Path(settings.DUMP_DIR) / "releases"


def release_name(day: datetime.date) -> str:
    """The day's date; a second release that day gets `.2`, and so on."""
    base = day.isoformat()
    taken = set(Release.objects.filter(name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def state_at(keys: list[tuple[str, int]], seq: int, using: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(op, digest) of each record's last event up to `seq` (records with none are left out)."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    by_resource: dict[str, list[int]] = {}
    for resource, pk in keys:
        by_resource.setdefault(resource, []).append(pk)
    for resource, ids in by_resource.items():
        for start in range(0, len(ids), BATCH):
            rows = (Change.objects.using(using).filter(resource=resource, object_id__in=ids[start:start + BATCH],
                                                       seq__lte=seq)
                    .order_by("seq").values_list("object_id", "op", "digest"))  # fmt: skip
            for pk, op, digest in rows.iterator(chunk_size=BATCH):
                out[resource, pk] = (op, digest)
    return out


def iter_delta(previous: Release, name: str, seq: int, origin: str, counts: dict, using: str):
    """The delta file's JSON: added and changed documents, deleted ids, by resource."""
    touched = (Change.objects.using(using).filter(seq__gt=previous.seq, seq__lte=seq)
               .values_list("resource", "object_id").distinct())  # fmt: skip
    keys = sorted(set(touched))
    before, after = state_at(keys, previous.seq, using), state_at(keys, seq, using)
    kinds: dict[str, dict[str, list]] = {"added": {}, "changed": {}, "deleted": {}}
    for key in keys:
        old, new = before.get(key), after.get(key)
        was, now = bool(old and old[0] == "upsert"), bool(new and new[0] == "upsert")
        if now and not was:
            kinds["added"].setdefault(key[0], []).append(key[1])
        elif now and was and old[1] != new[1]:
            kinds["changed"].setdefault(key[0], []).append(key[1])
        elif was and not now:
            kinds["deleted"].setdefault(key[0], []).append(key[1])
    for kind in kinds:
        counts[kind] = sum(len(ids) for ids in kinds[kind].values())
    header = {"format": DELTA_FORMAT, "from": previous.name, "from_seq": previous.seq, "to": name, "to_seq": seq,
              "counts": dict(counts)}  # fmt: skip
    yield orjson.dumps(header)[:-1]
    for kind in ("added", "changed"):
        yield b', "' + kind.encode() + b'": {'
        for i, (resource, ids) in enumerate(sorted(kinds[kind].items())):
            yield (b"," if i else b"") + orjson.dumps(resource) + b": ["
            for j, document in enumerate(_documents(resource, ids, seq, using)):
                yield (b"," if j else b"") + orjson.dumps(document).replace(ORIGIN.encode(), origin.encode())
            yield b"]"
        yield b"}"
    yield b', "deleted": ' + orjson.dumps(dict(sorted(kinds["deleted"].items()))) + b"}\n"


def _documents(resource: str, ids: list[int], seq: int, using: str):
    """Each record's document as of `seq` (its last upsert up to it)."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        last: dict[int, dict] = {}
        rows = (Change.objects.using(using).filter(resource=resource, object_id__in=chunk, seq__lte=seq, op="upsert")
                .order_by("seq").values_list("object_id", "document"))  # fmt: skip
        for pk, document in rows.iterator(chunk_size=BATCH):
            last[pk] = document
        for pk in sorted(chunk):
            yield last[pk]


def make_release(*, origin: str | None = None, on_record=lambda name: None, on_start=lambda seq, counts: None,
                 today: datetime.date | None = None) -> Release:
    """Publish what is marked, write the release's dump at the feed's head and the delta from the release before."""
    using = router.db_for_write(Change)
    origin = (origin or settings.PUBLIC_ORIGIN).rstrip("/")
    name = release_name(today or timezone.localdate())
    directory = releases_dir()
    path, seq, checksum = build_dump(directory, origin=origin, on_record=on_record, on_start=on_start)
    named = directory / f"{STEM}-{name}-seq{seq}-{checksum[:12]}.json.gz"
    path.rename(named)
    Path(f"{path}.sha256").rename(f"{named}.sha256")
    release = Release(name=name, seq=seq, created_at=timezone.now(), dump=named.name, dump_sha256=checksum,
                      dump_bytes=named.stat().st_size)  # fmt: skip
    previous = Release.objects.order_by("-seq", "-id").first()
    if previous is not None and previous.seq <= seq:
        counts: dict[str, int] = {}
        delta, delta_sha = write_atomically(
            directory, iter_delta(previous, name, seq, origin, counts, using),
            lambda sha: f"{STEM}-delta-{previous.name}-to-{name}-{sha[:12]}.json.gz",
        )  # fmt: skip
        release.previous, release.delta, release.delta_sha256 = previous, delta.name, delta_sha
        release.delta_bytes = delta.stat().st_size
        release.added, release.changed, release.deleted = counts["added"], counts["changed"], counts["deleted"]
    release.save()
    return release


class ReleaseSerializer(serializers.ModelSerializer):
    previous = serializers.SlugRelatedField(slug_field="name", read_only=True,
                                            help_text=_("The release the delta starts from."))  # fmt: skip
    dump_url = serializers.SerializerMethodField(help_text=_("The release's dump (gzip JSON)."))
    delta_url = serializers.SerializerMethodField(help_text=_("Its delta from the release before (gzip JSON)."))

    class Meta:
        model = Release
        fields = ["name", "seq", "created_at", "dump", "dump_url", "dump_sha256", "dump_bytes", "previous", "delta",
                  "delta_url", "delta_sha256", "delta_bytes", "added", "changed", "deleted"]  # fmt: skip

    def get_dump_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/releases/{obj.name}/dump/")

    def get_delta_url(self, obj) -> str | None:
        if not obj.delta:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/releases/{obj.name}/delta/")


def _refuse_unknown(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known - {"format"})
    if unknown:
        raise ValidationError({name: [f"Unknown query parameter. Known: {', '.join(sorted(known)) or 'none'}."]
                               for name in unknown})  # fmt: skip


class ReleasesView(APIView):
    """Dated versions of the whole public dataset, newest first: each a dump at a seq of the change feed and a delta
    (added, changed, deleted records) from the release before it."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="releases_list", summary="Releases",
                   responses={200: inline_serializer("PaginatedReleaseList", {
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True), "results": ReleaseSerializer(many=True)}),
        400: ERRORS[400]},  # fmt: skip
                   parameters=[OpenApiParameter("page", {"type": "integer", "minimum": 1}),
                               OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500})])
    def get(self, request):
        _refuse_unknown(request, {"page", "page_size"})
        paginator = TrackerPagination()
        page = paginator.paginate_queryset(Release.objects.select_related("previous").order_by("-seq", "-id"),
                                           request, view=self)  # fmt: skip
        return paginator.get_paginated_response(ReleaseSerializer(page, many=True, context={"request": request}).data)


class ReleaseFileView(APIView):
    """One release's dump or delta file (gzip JSON)."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="releases_file_retrieve", summary="A release's file",
                   responses={200: OpenApiResponse(description=_("gzip JSON")), 404: ERRORS[404]})
    def get(self, request, name: str, kind: str):
        _refuse_unknown(request, set())
        if kind not in ("dump", "delta"):
            raise NotFound()
        release = Release.objects.filter(name=name).first()
        filename = getattr(release, kind, "") if release else ""
        path = releases_dir() / filename if filename else None
        if path is None or not path.exists():
            raise NotFound()
        return file_response(request, path, getattr(release, f"{kind}_sha256"), release.seq)
