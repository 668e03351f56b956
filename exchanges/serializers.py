"""API representation of exchanges, participants writable in the same request."""

from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from common.api import FieldSelectionMixin, ModelValidationMixin
from detainees.models import Detainee

from .models import Exchange, ExchangeParticipant
from .services import save_exchange


class ParticipantSerializer(serializers.Serializer):
    detainee = serializers.PrimaryKeyRelatedField(queryset=Detainee.objects.all(), help_text="Detainee id.")
    released_by = CountryField(help_text="State that released the person (ISO code).")
    received_by = CountryField(help_text="State that received the person (ISO code).")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["released_by"] == attrs["received_by"]:
            raise serializers.ValidationError(
                {"received_by": "The receiving state must differ from the releasing one."}
            )
        return attrs


class ExchangeSerializer(FieldSelectionMixin, ModelValidationMixin, CountryFieldMixin, serializers.ModelSerializer):
    """An exchange and who went which way."""

    url = serializers.HyperlinkedIdentityField(view_name="api:exchange-detail")
    html_url = serializers.SerializerMethodField(help_text="The exchange page.")
    participants = ParticipantSerializer(many=True, required=False, help_text="Replaces the list when given.")
    countries = serializers.SerializerMethodField(help_text="Every country taking part: parties and mediators.")

    class Meta:
        model = Exchange
        fields = [
            "id", "url", "html_url", "slug", "name", "date", "date_precision", "place", "place_country", "mediators",
            "status", "description", "is_published", "countries", "participants", "sources", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["slug"]
        extra_kwargs = {"mediators": {"required": False}}

    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_countries(self, obj) -> list[str]:
        return obj.country_codes()

    def validate_participants(self, participants):
        ids = [p["detainee"].pk for p in participants]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A person can take part in an exchange only once.")
        return participants

    def create(self, validated_data):
        return save_exchange(exchange=None, data=validated_data)

    def update(self, instance, validated_data):
        return save_exchange(exchange=instance, data=validated_data)


class ParticipantResourceSerializer(FieldSelectionMixin, CountryFieldMixin, serializers.ModelSerializer):
    """One person in an exchange, as a read-only resource (`/api/v1/exchange-participants/`), so that notes reach
    CSV; participants are written through their exchange."""

    url = serializers.HyperlinkedIdentityField(view_name="api:exchange-participant-detail")

    class Meta:
        model = ExchangeParticipant
        fields = ["id", "url", "exchange", "detainee", "released_by", "received_by", "note", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields
