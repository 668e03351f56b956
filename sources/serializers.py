"""API representations of outlets, sources and statements."""

from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from common.api import FieldSelectionMixin, ModelValidationMixin
from common.countries import CountryFieldMixin

from .models import CLAIM_TYPES, Claim, Official, Outlet, Source, Statement


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
            "id", "api_url", "html_url", "title", "headline_on_file", "url", "outlet", "via", "published_on",
            "published_on_precision", "author", "language", "summary", "summary_ru", "archive_url", "created_at",
            "updated_at",
        ]  # fmt: skip

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class StatementSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:statement-detail")

    class Meta:
        model = Statement
        fields = [
            "id", "url", "speaker", "speaker_role", "speaker_country", "official", "said_on", "said_on_precision",
            "quote", "summary", "source", "detainees", "exchanges", "created_at", "updated_at",
        ]  # fmt: skip


class OfficialSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:official-detail")
    html_url = serializers.SerializerMethodField(help_text="The official's page.")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=False), required=False, help_text="Other spellings."
    )

    class Meta:
        model = Official
        fields = ["id", "url", "html_url", "slug", "name", "name_original", "aliases", "country", "role",
                  "description_ru", "wikidata_id", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["slug"]

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ClaimSerializer(FieldSelectionMixin, ModelValidationMixin, serializers.ModelSerializer):
    """One source's version of a disputed fact about a record."""

    url = serializers.HyperlinkedIdentityField(view_name="api:claim-detail")
    about_type = serializers.ChoiceField(choices=list(CLAIM_TYPES), help_text="Kind of record the claim is about.")
    about_id = serializers.IntegerField(source="object_id", min_value=1, help_text="Id of that record.")

    class Meta:
        model = Claim
        fields = ["id", "url", "about_type", "about_id", "field", "value", "source", "note", "created_at",
                  "updated_at"]  # fmt: skip

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        if "about_type" in attrs:
            attrs["content_type"] = ContentType.objects.get_by_natural_key(*CLAIM_TYPES[attrs.pop("about_type")])
        return attrs
