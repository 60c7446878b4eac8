"""Parcels over the API: shipments and their events, the replacement's contents, redirect requests,
consumer details and the postal-code lookup. Typed with the forms of defects.forms (see bridge.py).
"""

from rest_framework import serializers

from ... import roles
from ...forms import ConsumerForm, ParcelMatchForm, RedirectDoneForm, ReplacementItemForm, ReturnScanForm, \
    ShipmentEventForm
from ...models import RedirectRequest, ReplacementItem, Shipment, ShipmentEvent
from ..bridge import serializer_from_form


class ShipmentEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    note = serializers.SerializerMethodField(help_text="Empty for factory users (staff may quote the consumer).")

    class Meta:
        model = ShipmentEvent
        fields = ["id", "shipment", "kind", "at", "note", "source", "external_id", "recorded_at", "recorded_by"]
        read_only_fields = fields

    def get_note(self, event) -> str:
        request = self.context.get("request")
        return event.note if request is not None and roles.sees_personal_data(request.user) else ""


class ReplacementItemSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = ReplacementItem
        fields = ["id", "kind", "product", "name", "description", "quantity", "coupon_code", "value_yen"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    """A parcel of the case. Nothing here is the consumer's: the address is on the case's consumer."""

    reference = serializers.CharField(read_only=True, help_text="The return reference (returns only; else '').")
    shipped_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    received_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    items = ReplacementItemSerializer(many=True, read_only=True)
    events = ShipmentEventSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "direction", "reference", "carrier", "tracking_number", "status", "payment", "created_at",
                  "expected_by", "shipped_at", "shipped_by", "received_at", "received_by", "delivered_at",
                  "condition_on_arrival", "items", "events"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------------

ReturnScanSerializer = serializer_from_form(ReturnScanForm, "ReturnScanSerializer")
ParcelMatchQuerySerializer = serializer_from_form(ParcelMatchForm, "ParcelMatchQuerySerializer")
ShipmentEventInputSerializer = serializer_from_form(ShipmentEventForm, "ShipmentEventInputSerializer")
RedirectDoneSerializer = serializer_from_form(RedirectDoneForm, "RedirectDoneSerializer")
# A line left without kind or quantity is one product (the model's defaults).
ReplacementItemInputSerializer = serializer_from_form(
    ReplacementItemForm, "ReplacementItemInputSerializer",
    overrides={"kind": {"default": ReplacementItem.Kind.PRODUCT}, "quantity": {"default": 1}},
)
# PATCH: every field optional; only those sent are validated and changed (ConsumerForm(partial=True)).
ConsumerPatchSerializer = serializer_from_form(
    ConsumerForm, "ConsumerPatchSerializer",
    overrides={name: {"required": False} for name in ConsumerForm.base_fields},
)


class ReplacementSerializer(serializers.Serializer):
    """What the replacement parcel holds; PUT replaces every line (errors: 'items[<i>].<field>')."""

    items = serializers.ListField(child=serializers.JSONField(), min_length=0)


class ReplacementAnswerSerializer(serializers.Serializer):
    shipment = serializers.IntegerField(allow_null=True, help_text="The replacement parcel (null: none yet).")
    status = serializers.CharField(allow_null=True)
    items = ReplacementItemSerializer(many=True)


class AddressSerializer(serializers.Serializer):
    postal_code = serializers.CharField()
    formatted_postal_code = serializers.CharField()
    prefecture = serializers.CharField()
    city = serializers.CharField()
    town = serializers.CharField()
    prefecture_kana = serializers.CharField()
    city_kana = serializers.CharField()
    town_kana = serializers.CharField()
    note = serializers.CharField()
    office_name = serializers.CharField()
    street = serializers.CharField()


class AddressLookupSerializer(AddressSerializer):
    alternatives = AddressSerializer(many=True, help_text="The other towns sharing this postal code.")


class AddressQuerySerializer(serializers.Serializer):
    postal_code = serializers.CharField(max_length=20, help_text="Seven digits, any width, hyphen optional.")


class RedirectRequestSerializer(serializers.ModelSerializer):
    """Holds the consumer's new address: only roles that see personal data get these."""

    case = serializers.CharField(source="case.reference", read_only=True)
    carrier = serializers.CharField(source="shipment.carrier", read_only=True)
    tracking_number = serializers.CharField(source="shipment.tracking_number", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RedirectRequest
        fields = ["id", "case", "shipment", "carrier", "tracking_number", "to_name", "to_postal_code", "to_address",
                  "owner", "due_at", "overdue", "note", "created_at", "created_by", "done_at", "done_by",
                  "done_note"]
        read_only_fields = fields


__all__ = [
    "AddressLookupSerializer", "AddressQuerySerializer", "ConsumerPatchSerializer", "ParcelMatchQuerySerializer",
    "RedirectDoneSerializer", "RedirectRequestSerializer", "ReplacementAnswerSerializer",
    "ReplacementItemInputSerializer", "ReplacementItemSerializer", "ReplacementSerializer", "ReturnScanSerializer",
    "ShipmentEventInputSerializer", "ShipmentEventSerializer", "ShipmentSerializer",
]
