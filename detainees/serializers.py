"""API representations of detainees and their custody."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import FieldSelectionMixin, ModelValidationMixin, ReadOnlyListsMixin
from common.countries import CountryFieldMixin
from common.models import ReviewState

from .models import (
    Charge,
    Counsel,
    CustodyExtension,
    Designation,
    Detainee,
    Detention,
    Group,
    Sentence,
    SentenceChange,
    Status,
    Transfer,
)
from .services import publish_problems


class SentenceChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SentenceChange
        fields = ["id", "kind", "changed_on", "changed_on_precision", "court", "new_term_months", "description",
                  "sources"]  # fmt: skip


class SentenceChangeResourceSerializer(FieldSelectionMixin, ModelValidationMixin, serializers.ModelSerializer):
    """A sentence change as a resource of its own (`/api/v1/sentence-changes/`), readable, writable and in CSV."""

    url = serializers.HyperlinkedIdentityField(view_name="api:sentence-change-detail")
    term_months = serializers.IntegerField(source="new_term_months", min_value=1, required=False, allow_null=True,
                                           help_text="The term in months after the change, if it changed.")  # fmt: skip

    class Meta:
        model = SentenceChange
        fields = ["id", "url", "sentence", "kind", "changed_on", "changed_on_precision", "court", "term_months",
                  "description", "sources", "created_at", "updated_at"]  # fmt: skip


class GroupSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    """A non-state captor or party to an exchange."""

    url = serializers.HyperlinkedIdentityField(view_name="api:group-detail")
    html_url = serializers.SerializerMethodField(help_text="The group's page.")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=False), required=False, help_text="Other names."
    )

    class Meta:
        model = Group
        fields = ["id", "url", "html_url", "slug", "name", "name_original", "aliases", "kind", "country",
                  "description", "description_ru", "wikidata_id", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["slug"]

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ChargeSerializer(FieldSelectionMixin, ModelValidationMixin, serializers.ModelSerializer):
    case_field = "detention"  # a new record's case locked as validation reads it (ModelValidationMixin)
    url = serializers.HyperlinkedIdentityField(view_name="api:charge-detail")

    class Meta:
        model = Charge
        fields = ["id", "url", "detention", "category", "statute", "charged_on", "charged_on_precision", "description",
                  "outcome", "sources", "created_at", "updated_at"]  # fmt: skip


class SentenceSerializer(
    FieldSelectionMixin, ReadOnlyListsMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer
):
    url = serializers.HyperlinkedIdentityField(view_name="api:sentence-detail")
    case_field = "detention"  # a new record's case locked as validation reads it (ModelValidationMixin)
    read_only_lists = {"changes": "write each change at /api/v1/sentence-changes/ (with `sentence`)."}
    changes = SentenceChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Sentence
        fields = [
            "id", "url", "detention", "charges", "court", "court_city", "court_country", "in_absentia", "closed_trial",
            "sentenced_on", "sentenced_on_precision", "term_months", "is_life", "is_death", "is_suspended",
            "counted_from", "counted_from_precision", "combines", "combination", "fine_amount", "fine_currency",
            "changes", "sources", "created_at", "updated_at",
        ]  # fmt: skip

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "charges" in attrs:
            probe = Sentence(detention=attrs.get("detention") or getattr(self.instance, "detention", None))
            probe.validate_charges(attrs["charges"])
        return attrs


class TransferSerializer(FieldSelectionMixin, ModelValidationMixin, serializers.ModelSerializer):
    case_field = "detention"  # a new record's case locked as validation reads it (ModelValidationMixin)
    url = serializers.HyperlinkedIdentityField(view_name="api:transfer-detail")

    class Meta:
        model = Transfer
        fields = ["id", "url", "detention", "moved_on", "moved_on_precision", "facility_name", "facility_kind",
                  "sources", "created_at", "updated_at"]  # fmt: skip


class DesignationSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    case_field = "detainee"  # a new record's case locked as validation reads it (ModelValidationMixin)
    url = serializers.HyperlinkedIdentityField(view_name="api:designation-detail")

    class Meta:
        model = Designation
        fields = [
            "id", "url", "detainee", "authority", "authority_country", "kind", "designated_on",
            "designated_on_precision", "withdrawn_on", "withdrawn_on_precision", "sources", "created_at", "updated_at",
        ]  # fmt: skip


class DetentionSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    case_field = "detainee"  # a new record's case locked as validation reads it (ModelValidationMixin)
    url = serializers.HyperlinkedIdentityField(view_name="api:detention-detail")

    class Meta:
        model = Detention
        fields = [
            "id", "url", "detainee", "held_by", "held_by_group", "detained_on", "detained_on_precision", "place",
            "circumstances", "released_on", "released_on_precision", "end_reason", "last_confirmed_on",
            "last_confirmed_on_precision", "sources", "created_at", "updated_at",
        ]  # fmt: skip


class NestedChargeSerializer(ChargeSerializer):
    class Meta(ChargeSerializer.Meta):
        fields = [
            "id",
            "category",
            "statute",
            "charged_on",
            "charged_on_precision",
            "description",
            "outcome",
            "sources",
        ]


class NestedSentenceSerializer(SentenceSerializer):
    class Meta(SentenceSerializer.Meta):
        fields = ["id", "charges", "court", "court_city", "court_country", "in_absentia", "closed_trial",
                  "sentenced_on", "sentenced_on_precision", "term_months", "is_life", "is_death", "is_suspended",
                  "counted_from", "counted_from_precision", "combines", "combination", "fine_amount", "fine_currency",
                  "changes", "sources"]  # fmt: skip


class NestedTransferSerializer(TransferSerializer):
    class Meta(TransferSerializer.Meta):
        fields = ["id", "moved_on", "moved_on_precision", "facility_name", "facility_kind", "sources"]


class NestedCustodyExtensionSerializer(serializers.ModelSerializer):
    """A court's order extending pre-trial custody, inside its detention (edited in the admin)."""

    class Meta:
        model = CustodyExtension
        fields = ["id", "decided_on", "decided_on_precision", "court", "extended_to", "extended_to_precision",
                  "description", "sources"]  # fmt: skip


class NestedCounselSerializer(serializers.ModelSerializer):
    """A lawyer acting in the case of a detention, inside it (edited in the admin)."""

    class Meta:
        model = Counsel
        fields = ["id", "name", "role", "note", "sources"]


class NestedDetentionSerializer(DetentionSerializer):
    """A detention inside a detainee, with its charges, sentences, transfers, custody extensions and lawyers."""

    charges = NestedChargeSerializer(many=True, read_only=True)
    sentences = NestedSentenceSerializer(many=True, read_only=True)
    transfers = NestedTransferSerializer(many=True, read_only=True)
    extensions = NestedCustodyExtensionSerializer(many=True, read_only=True)
    counsel = NestedCounselSerializer(many=True, read_only=True)

    class Meta(DetentionSerializer.Meta):
        fields = [
            "id", "held_by", "held_by_group", "detained_on", "detained_on_precision", "place", "circumstances",
            "released_on", "released_on_precision", "end_reason", "last_confirmed_on", "last_confirmed_on_precision",
            "sources", "charges", "sentences", "transfers", "extensions", "counsel",
        ]  # fmt: skip


class NestedDesignationSerializer(DesignationSerializer):
    class Meta(DesignationSerializer.Meta):
        fields = ["id", "authority", "authority_country", "kind", "designated_on", "designated_on_precision",
                  "withdrawn_on", "withdrawn_on_precision", "sources"]  # fmt: skip


class DetaineeSerializer(
    FieldSelectionMixin, ReadOnlyListsMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer
):
    """A detainee with their whole custody history nested, read-only."""

    url = serializers.HyperlinkedIdentityField(view_name="api:detainee-detail")
    html_url = serializers.SerializerMethodField(help_text="The case page.")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=False), required=False,
        help_text="Other spellings and transliterations.",
    )  # fmt: skip
    status = serializers.ChoiceField(choices=Status.choices, read_only=True,
                                     help_text="Derived from the latest detention.")  # fmt: skip
    held_by = serializers.SerializerMethodField(help_text="Country holding the person now; null when not held.")
    held_by_group = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Group holding the person now (id); null when a state holds them or none does.",
    )
    read_only_lists = {
        "detentions": "write detentions at /api/v1/detentions/ (with `detainee`).",
        "designations": "write designations at /api/v1/designations/ (with `detainee`).",
    }
    days_held = serializers.SerializerMethodField(help_text="Days in custody over all detentions, up to today.")
    review_state = serializers.ChoiceField(
        choices=ReviewState.choices, read_only=True,
        help_text="`draft`, `awaiting_review` (an editor asked to publish; a second editor has not approved yet) or "
        "`published`. Read-only: write `is_published`; by an account, where review is required, it awaits review.",
    )  # fmt: skip
    detentions = NestedDetentionSerializer(many=True, read_only=True)
    designations = NestedDesignationSerializer(many=True, read_only=True)

    class Meta:
        model = Detainee
        fields = [
            "id", "url", "html_url", "slug", "name", "name_original", "aliases", "citizenships", "born_on",
            "born_on_precision", "description", "description_ru", "wikidata_id", "is_published", "review_state",
            "last_checked_on", "status", "held_by", "held_by_group", "days_held",
            "sources", "detentions", "designations", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["slug"]
        extra_kwargs = {"citizenships": {"required": False}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("is_published") and not (self.instance and self.instance.is_published):
            problems = publish_problems(self.instance or Detainee(), sources=attrs.get("sources"))
            if problems:
                raise serializers.ValidationError({"is_published": problems})
        return attrs

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_held_by(self, obj) -> str | None:
        return obj.held_by.code or None

    def get_days_held(self, obj) -> int:
        return obj.days_held(timezone.localdate())
