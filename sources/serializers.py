"""API representations of outlets, sources and statements."""

from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from common.api import FieldSelectionMixin, ModelValidationMixin

from .models import Outlet, Source, Statement


class OutletSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:outlet-detail")

    class Meta:
        model = Outlet
        fields = ["id", "url", "name", "country", "kind", "website", "created_at", "updated_at"]


class SourceSerializer(FieldSelectionMixin, ModelValidationMixin, serializers.ModelSerializer):
    url = serializers.URLField(max_length=1000, allow_blank=True, required=False,
                               help_text="Address of the original; unique when given.")  # fmt: skip
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")
    html_url = serializers.SerializerMethodField(help_text="The source's page on the site.")

    class Meta:
        model = Source
        fields = [
            "id", "api_url", "html_url", "title", "url", "outlet", "via", "published_on", "published_on_precision",
            "author", "language", "summary", "archive_url", "created_at", "updated_at",
        ]  # fmt: skip

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class StatementSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:statement-detail")

    class Meta:
        model = Statement
        fields = [
            "id", "url", "speaker", "speaker_role", "speaker_country", "said_on", "said_on_precision", "quote",
            "summary", "source", "detainees", "exchanges", "created_at", "updated_at",
        ]  # fmt: skip
