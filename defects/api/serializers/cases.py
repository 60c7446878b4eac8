"""JSON shapes of the API. Output serializers read models; input serializers check JSON types and
leave the rules to defects.forms (see bridge.py). Nothing here writes to the database: views call
defects.services.
"""

import copy

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django.utils.translation import gettext as _
from rest_framework import serializers

from factories.models import Factory, Product

from ... import roles, selectors, services
from ...forms import PAYLOAD_FORMS, CaseIntakeForm, ContactForm, reject_control_characters
from ...models import (
    TRANSITION_NAMES, Channel, Consumer, Contact, DefectCase, Event, ForeignMatterKind, Language, LotDateKind,
)
from ..bridge import run_form, serializer_from_form


class FieldsBuiltOnce:
    """DRF's ModelSerializer builds every field from the model's metadata on each instantiation:
    a quarter of an intake's time in the profile (issue 11). The built fields depend only on the
    class, so they are built once and each serializer gets its own copy (as DRF copies declared fields)."""

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return copy.deepcopy(template)


class FactorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Factory
        fields = ["code", "name"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["code", "name"]


class ConsumerSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Consumer
        fields = ["name", "name_kana", "postal_code", "address", "phone", "email", "language", "email_updates"]


class CaseSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A case. Factory users get only selectors.FACTORY_CASE_FIELDS and `available_transitions`;
    the other fields (`consumer` above all) are absent from their answers, not null."""

    factory = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    line = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                        help_text="The production line's code, as printed in the lot code.")
    available_transitions = serializers.SerializerMethodField()
    # Not read-only on purpose: the schema then lists them as optional, which is the truth
    # (factory users never receive them). The case serializer is never used for input.
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    product_name = serializers.CharField(source="product.name", required=False)
    routing_note = serializers.CharField(required=False, help_text="What the lot code told the router.")
    consumer = ConsumerSerializer(required=False)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                         help_text="The member of staff who has the case (null: nobody yet).")
    waiting_on = serializers.SerializerMethodField(help_text="Whose move it is (defects.selectors.waiting_on).")
    # Blank until the lot code names its date: the schema must allow "" too.
    lot_date_kind = serializers.ChoiceField(choices=LotDateKind.choices, allow_blank=True, read_only=True)
    # Blank unless the category is foreign matter: the schema must allow "" too.
    foreign_matter_kind = serializers.ChoiceField(choices=ForeignMatterKind.choices, allow_blank=True, read_only=True)
    adopted_from = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True,
        help_text="adopt_report: the case whose approved report answers this one.")

    class Meta:
        model = DefectCase
        fields = [
            "reference", "state", "channel", "factory", "line", "product", "product_name", "lot_code",
            "best_before", "lot_date", "lot_date_kind", "routing_note", "store", "purchased_on", "category",
            "description", "received_at", "urgent", "health_effect", "owner", "waiting_on", "severity", "hazard",
            "foreign_matter_kind", "undeclared_allergen", "adopted_from", "available_transitions", "consumer",
        ]
        read_only_fields = [f for f in fields if f not in ("consumer", "channel", "product_name", "routing_note")]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Absent, not null: a factory user's client must not even learn the keys exist.
        if request is None or not roles.sees_personal_data(request.user):
            allowed = set(selectors.FACTORY_CASE_FIELDS) | {"available_transitions"}
            for name in list(fields):
                if name not in allowed:
                    fields.pop(name)
        return fields

    def to_representation(self, case):
        data = super().to_representation(case)
        request = self.context.get("request")
        user = request.user if request is not None else None
        # Free text staff wrote may quote the consumer: masked for factory readers (selectors.text_for).
        for name in selectors.FACTORY_FREE_TEXT_FIELDS:
            if data.get(name):
                data[name] = selectors.text_for(user, case, data[name])
        if self.parent is None:  # one case, not a list page: extras may query
            from ... import extensions

            for name, value_of in extensions.CASE_JSON.items():
                data[name] = value_of(case)
        return data

    @extend_schema_field(serializers.ChoiceField(choices=selectors.WAITING_ON))
    def get_waiting_on(self, case):
        return selectors.waiting_on(case)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TRANSITION_NAMES)))
    def get_available_transitions(self, case):
        return services.available_transitions(case, self.context["request"].user)


class DuplicateSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    received_at = serializers.DateTimeField()
    match = serializers.ChoiceField(choices=["phone", "name_postal_code"],
                                    help_text="Same phone number, or same name and postal code.")


class PersonalDataWarningSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The input field whose text quotes the consumer.")
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=["name", "kana", "phone", "email", "address"]))
    message = serializers.CharField()


class CaseWithWarningsSerializer(CaseSerializer):
    """The case, and what in the text just saved quotes the consumer's personal data (factory users
    see ●●● in its place). The text is saved as given: the warning is for the operator."""

    warnings = PersonalDataWarningSerializer(many=True, read_only=True, required=False)

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["warnings"]


class CaseCreatedSerializer(CaseWithWarningsSerializer):
    """The new case, what its text quotes of the consumer, and the cases of the same caller (open, or
    received in the last 12 months)."""

    possible_duplicates = DuplicateSerializer(many=True, read_only=True)

    class Meta(CaseWithWarningsSerializer.Meta):
        fields = [*CaseWithWarningsSerializer.Meta.fields, "possible_duplicates"]


# --- intake --------------------------------------------------------------------------------

ConsumerInputSerializer = serializer_from_form(
    CaseIntakeForm, "ConsumerInputSerializer", prefix="consumer_",
    overrides={"language": {"required": False, "default": Language.JA}},
)
_CaseIntakeFields = serializer_from_form(CaseIntakeForm, "_CaseIntakeFields", skip_prefix="consumer_")


class CaseIntakeSerializer(_CaseIntakeFields):
    """A new case as the hotline takes it; errors under `consumer` are nested: {"consumer": {"name": [...]}}."""

    consumer = ConsumerInputSerializer()
    received_at = serializers.DateTimeField(
        required=False, help_text="When the report reached us (a letter or e-mail that arrived earlier); not in "
                                  "the future. The clocks start from it. Default: now.")

    def validate_received_at(self, value):
        from django.utils import timezone

        if value > timezone.now():
            raise serializers.ValidationError(_("The time received cannot be in the future."))
        return value

    def validate(self, attrs):
        received_at = attrs.pop("received_at", None)
        cleaned = self._validate_form(attrs)
        if received_at is not None:
            cleaned["received_at"] = received_at
        return cleaned

    def _validate_form(self, attrs):
        data = {k: v for k, v in attrs.items() if k != "consumer"}
        data.update({f"consumer_{k}": v for k, v in attrs["consumer"].items()})

        def error_key(name):
            return ("consumer", name.removeprefix("consumer_")) if name.startswith("consumer_") else (name,)

        return run_form(CaseIntakeForm, data, error_key)

    def create(self, validated_data):
        return services.open_case(self.context["request"].user, validated_data)


# --- transitions ---------------------------------------------------------------------------

def _payload_serializers() -> dict[str, type]:
    by_form = {}
    for form_class in dict.fromkeys(PAYLOAD_FORMS.values()):
        by_form[form_class] = serializer_from_form(form_class, f"{form_class.__name__}Serializer")
    return {name: by_form[form_class] for name, form_class in PAYLOAD_FORMS.items()}


# One typed serializer per transition, named after its payload form (EmptyPayload is shared).
PAYLOAD_SERIALIZERS = _payload_serializers()


def payload_table() -> str:
    lines = []
    for name, serializer_class in PAYLOAD_SERIALIZERS.items():
        fields = serializer_class._declared_fields
        described = ", ".join(f"`{f}`" + (" (required)" if field.required else "") for f, field in fields.items())
        lines.append(f"* `{name}`: {described or 'no fields (send {} or nothing)'}")
    return "\n".join(lines)


def _union_payload_serializer() -> type:
    """Every payload field of every transition, all optional: the schema's single request body.

    A oneOf of the per-transition shapes would be ambiguous (`{}` matches several of them), so
    the schema documents the union and lists, per transition, which fields it reads and requires.
    """
    attrs = {"__module__": __name__, "__doc__": "Payload of a transition. Per transition:\n\n" + payload_table()}
    for serializer_class in dict.fromkeys(PAYLOAD_SERIALIZERS.values()):
        for field_name, field in serializer_class._declared_fields.items():
            if field_name not in attrs:
                kwargs = {**field._kwargs, "required": False}
                if not isinstance(field, serializers.BooleanField):
                    kwargs["allow_null"] = True
                attrs[field_name] = type(field)(*field._args, **kwargs)
    return type("TransitionPayloadSerializer", (serializers.Serializer,), attrs)


TransitionPayloadSerializer = _union_payload_serializer()


# --- timeline and contacts -----------------------------------------------------------------

class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    note = serializers.SerializerMethodField(
        help_text="Empty for factory users on lines that may quote the consumer (contacts, closing notes ...)."
    )

    data = serializers.SerializerMethodField(
        help_text="Facts of the line (parcel, letter, carrier ...); for factory users an address change "
                  "says only which fields changed."
    )

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "kind", "transition", "from_state", "to_state", "note", "data"]

    def get_note(self, event) -> str:
        return selectors.event_note_for(self.context["request"].user, event)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, event):
        return selectors.event_data_for(self.context["request"].user, event)


class ContactSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    follow_up_owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    follow_up_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "at", "by", "channel", "direction", "summary", "follow_up_due", "follow_up_owner",
                  "follow_up_done_at", "follow_up_overdue", "corrects"]
        read_only_fields = fields
        extra_kwargs = {"corrects": {"help_text": "The id of the earlier contact of this case that this one "
                                                  "corrects (contacts are never edited), or null."}}


class ContactInputSerializer(serializer_from_form(ContactForm, "_ContactFields")):
    """A call, e-mail or letter to log; `follow_up_owner` is a username and needs `follow_up_due`."""

    def validate(self, attrs):
        return run_form(ContactForm, attrs)


# --- routing -------------------------------------------------------------------------------

class AssignFactorySerializer(serializers.Serializer):
    factory = serializers.CharField(max_length=16, help_text="The factory's code (see /api/factories/).")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 validators=[reject_control_characters],
                                 help_text="Why this factory (kept in the timeline).")


class AssignOwnerSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=150, help_text="Username of a hotline or QA manager user (yourself "
                                                            "to take the case).")


# --- errors (documentation only) -----------------------------------------------------------

class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    state = serializers.CharField(help_text="The case's state now.", required=False)
    blockers = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Why the transition cannot run yet although the state allows it (code 'transition_blocked').")
