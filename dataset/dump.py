"""The whole published dataset as one JSON document, streamed: `/api/v1/dump/` and `manage.py export_public`.

Each record has exactly the shape the API gives it, so code written for the API reads the dump too. Drafts,
and statements about drafts, are left out; exchanges list only published participants.
"""

import datetime
import json
from collections.abc import Callable, Iterator

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from dataset.dumpfile import dump_response
from detainees.models import Group, SentenceChange
from detainees.selectors import case_queryset, cited
from detainees.serializers import DetaineeSerializer, GroupSerializer, SentenceChangeResourceSerializer
from exchanges.models import Exchange
from exchanges.serializers import ExchangeSerializer
from sources.models import Claim, Official, Outlet, Source, Statement
from sources.serializers import (
    ClaimSerializer,
    OfficialSerializer,
    OutletSerializer,
    SourceSerializer,
    StatementSerializer,
)

from .merges import public_merge_records

DUMP_FORMAT = "prisoner-exchange-tracker/public-dump"
DUMP_VERSION = 1


def public_resources():
    """(name, queryset, serializer) for every published resource, in the order the dump writes them."""
    return [
        ("outlets", Outlet.objects.order_by("id"), OutletSerializer),
        ("sources", Source.objects.order_by("id"), SourceSerializer),
        ("groups", Group.objects.order_by("id"), GroupSerializer),
        ("officials", Official.objects.order_by("id"), OfficialSerializer),
        ("detainees", case_queryset(None).order_by("id"), DetaineeSerializer),
        ("exchanges", Exchange.objects.published().with_participants().prefetch_related(cited()).order_by("id"),
         ExchangeSerializer),
        ("statements", Statement.objects.published().with_subjects(None).order_by("id"),
         StatementSerializer),
        ("sentence_changes", SentenceChange.objects.filter(sentence__detention__detainee__is_published=True)
         .prefetch_related("sources").order_by("id"), SentenceChangeResourceSerializer),
        ("claims", Claim.objects.published().select_related("content_type").order_by("id"), ClaimSerializer),
    ]  # fmt: skip


def iter_public_dump(request, *, on_record: Callable[[str], None] = lambda name: None) -> Iterator[str]:
    """Yield the dump as JSON text, record by record, in constant memory."""
    header = {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    yield json.dumps(header, ensure_ascii=False)[:-1]
    for name, queryset, serializer_class in public_resources():
        yield f', "{name}": ['
        for i, obj in enumerate(queryset.iterator(chunk_size=500)):
            data = serializer_class(obj, context={"request": request}).data
            yield ("," if i else "") + json.dumps(data, ensure_ascii=False, default=str)
            on_record(name)
        yield "]"
    # Ids merged away and the record each became (dataset/merges.py).
    yield ', "merged": ' + json.dumps(public_merge_records(), ensure_ascii=False)
    yield "}\n"


class PublicDumpView(APIView):
    """Every published record in one JSON document: outlets, sources, groups, officials, detainees, exchanges,
    statements, sentence changes and claims."""

    permission_classes = [AllowAny]  # read-only, and only published records

    @extend_schema(
        summary="The whole published dataset",
        responses={200: OpenApiResponse(response=inline_serializer("PublicDump", {
            "format": serializers.CharField(), "version": serializers.IntegerField(),
            "generated_at": serializers.DateTimeField(), "outlets": OutletSerializer(many=True),
            "sources": SourceSerializer(many=True), "detainees": DetaineeSerializer(many=True),
            "exchanges": ExchangeSerializer(many=True), "statements": StatementSerializer(many=True),
        }), description=_("One JSON object: format, version, generated_at, and a list per resource in the shape of "
                        "its API endpoint."))},
    )  # fmt: skip
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"format"})
        if unknown:  # a typo must not silently give the whole dataset, as on every list
            raise ValidationError({name: ["Unknown query parameter. Known parameters: format."] for name in unknown})
        return dump_response(request, iter_public_dump)  # a gzip file per data version, built on first request
