"""API representation of exchanges, participants writable in the same request."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.api import FieldSelectionMixin, ModelValidationMixin
from common.countries import CountryFieldMixin, NullableCountryField
from common.models import ReviewState
from detainees.models import Detainee, Group

from .models import Exchange, ExchangeParticipant
from .services import save_exchange


class SidesSerializer(serializers.Serializer):
    """Who released and who received: a state (code) or a group (id), at most one of each pair.

    A row replaces the list it belongs to, so it is whole even in a PATCH: DRF's partial update would otherwise skip
    the row's required fields too (a count without its `number`).
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            missing = {name: [field.error_messages["required"]] for name, field in self.fields.items()
                       if field.required and not field.read_only and name not in data}  # fmt: skip
            if missing:
                raise serializers.ValidationError(missing)
        return super().to_internal_value(data)

    released_by = NullableCountryField(required=False, default="", help_text="State that released them (ISO code).")
    released_by_group = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.all(), required=False, allow_null=True, default=None,
        help_text="Group that released them (id), when not a state.",
    )  # fmt: skip
    received_by = NullableCountryField(required=False, default="", help_text="State that received them (ISO code).")
    received_by_group = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.all(), required=False, allow_null=True, default=None,
        help_text="Group that received them (id), when not a state.",
    )  # fmt: skip

    def validate(self, attrs):
        errors = {}
        if attrs.get("released_by") and attrs.get("released_by_group"):
            errors["released_by_group"] = _("A state or a group released them, not both.")
        if attrs.get("received_by") and attrs.get("received_by_group"):
            errors["received_by_group"] = _("A state or a group received them, not both.")
        if attrs.get("released_by") and attrs.get("released_by") == attrs.get("received_by"):
            errors["received_by"] = _("The receiving state must differ from the releasing one.")
        group = attrs.get("released_by_group")
        if group is not None and group == attrs.get("received_by_group"):
            errors["received_by_group"] = _("The receiving group must differ from the releasing one.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ParticipantSerializer(SidesSerializer):
    detainee = serializers.PrimaryKeyRelatedField(queryset=Detainee.objects.all(), help_text="Detainee id.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CountSerializer(SidesSerializer):
    number = serializers.IntegerField(min_value=1, help_text="How many people went this way, beyond those named.")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                        help_text='Who they were: "prisoners of war".')  # fmt: skip


class ExchangeSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    """An exchange and who went which way."""

    url = serializers.HyperlinkedIdentityField(view_name="api:exchange-detail")
    html_url = serializers.SerializerMethodField(help_text="The exchange page.")
    participants = ParticipantSerializer(many=True, required=False, help_text="Replaces the list when given.")
    counts = CountSerializer(many=True, required=False, help_text="People not named, by direction; replaces the "
                             "list when given.")  # fmt: skip
    people_total = serializers.SerializerMethodField(help_text="Named participants plus people counted.")
    countries = serializers.SerializerMethodField(help_text="Every country taking part: parties and mediators.")
    review_state = serializers.ChoiceField(
        choices=ReviewState.choices, read_only=True,
        help_text="`draft`, `awaiting_review` (an editor asked to publish; a second editor has not approved yet) or "
        "`published`. Read-only: write `is_published`; by an account, where review is required, it awaits review.",
    )  # fmt: skip

    class Meta:
        model = Exchange
        fields = [
            "id", "url", "html_url", "slug", "name", "name_ru", "date", "date_precision", "place", "place_ru",
            "place_country", "mediators",
            "status", "description", "description_ru", "is_published", "review_state", "last_checked_on", "countries",
            "participants", "counts", "people_total", "sources",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["slug"]
        extra_kwargs = {"mediators": {"required": False}}

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_countries(self, obj) -> list[str]:
        return obj.country_codes()

    def get_people_total(self, obj) -> int:
        return obj.people_total()

    def validate_participants(self, participants):
        ids = [p["detainee"].pk for p in participants]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("A person can take part in an exchange only once."))
        return participants

    def create(self, validated_data):
        return save_exchange(exchange=None, data=validated_data)

    def update(self, instance, validated_data):
        return save_exchange(exchange=instance, data=validated_data)


class ParticipantResourceSerializer(FieldSelectionMixin, CountryFieldMixin, serializers.ModelSerializer):
    """One person in an exchange, as a read-only resource (`/api/v1/exchange-participants/`), so that notes reach
    CSV; participants are written through their exchange."""

    url = serializers.HyperlinkedIdentityField(view_name="api:exchange-participant-detail")
    # A side may be a group instead of a state (SPEC 1.1): the code is then null, as in the exchange's own list.
    released_by = NullableCountryField(read_only=True, help_text="State that released them (ISO code).")
    received_by = NullableCountryField(read_only=True, help_text="State that received them (ISO code).")

    class Meta:
        model = ExchangeParticipant
        fields = ["id", "url", "exchange", "detainee", "released_by", "released_by_group", "received_by",
                  "received_by_group", "note", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields
