"""JSON shapes of the API. Output serializers read models; input serializers check JSON types and
leave the rules to defects.forms (see bridge.py). Nothing here writes to the database: views call
defects.services.
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from factories.models import Factory, Investigation, Product

from .. import roles, selectors, services
from ..forms import PAYLOAD_FORMS, CaseIntakeForm, ContactForm, reject_control_characters
from ..models import TRANSITION_NAMES, Consumer, Contact, DefectCase, Event, Language
from .bridge import run_form, serializer_from_form


class FactorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Factory
        fields = ["code", "name"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["code", "name"]


class ConsumerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consumer
        fields = ["name", "name_kana", "postal_code", "address", "phone", "email", "language"]


class CaseSerializer(serializers.ModelSerializer):
    """A case. `consumer` is present only for roles that may see personal data (never for factory QA)."""

    factory = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    available_transitions = serializers.SerializerMethodField()
    # Not read-only on purpose: the schema then lists it as optional, which is the truth.
    consumer = ConsumerSerializer(required=False)

    class Meta:
        model = DefectCase
        fields = [
            "reference", "state", "channel", "factory", "product", "product_name", "lot_code", "best_before",
            "store", "purchased_on", "category", "description", "received_at", "urgent", "health_effect",
            "available_transitions", "consumer",
        ]
        read_only_fields = [f for f in fields if f != "consumer"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Absent, not null: a factory user's client must not even learn the key exists.
        if request is None or not roles.sees_personal_data(request.user):
            fields.pop("consumer")
        return fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TRANSITION_NAMES)))
    def get_available_transitions(self, case):
        return services.available_transitions(case, self.context["request"].user)


# --- intake --------------------------------------------------------------------------------

ConsumerInputSerializer = serializer_from_form(
    CaseIntakeForm, "ConsumerInputSerializer", prefix="consumer_",
    overrides={"language": {"required": False, "default": Language.JA}},
)
_CaseIntakeFields = serializer_from_form(CaseIntakeForm, "_CaseIntakeFields", skip_prefix="consumer_")


class CaseIntakeSerializer(_CaseIntakeFields):
    """A new case as the hotline takes it; errors under `consumer` are nested: {"consumer": {"name": [...]}}."""

    consumer = ConsumerInputSerializer()

    def validate(self, attrs):
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

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "kind", "transition", "from_state", "to_state", "note"]

    def get_note(self, event) -> str:
        return selectors.event_note_for(self.context["request"].user, event)


class ContactSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    follow_up_owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    follow_up_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "at", "by", "channel", "direction", "summary", "follow_up_due", "follow_up_owner",
                  "follow_up_done_at", "follow_up_overdue"]
        read_only_fields = fields


class ContactInputSerializer(serializer_from_form(ContactForm, "_ContactFields")):
    """A call, e-mail or letter to log; `follow_up_owner` is a username and needs `follow_up_due`."""

    def validate(self, attrs):
        return run_form(ContactForm, attrs)


# --- investigation -------------------------------------------------------------------------

# A later issue adds fields to the report: list them here and they are read, written and documented.
INVESTIGATION_FIELDS = ("manufacturing_process", "cause_of_occurrence", "cause_of_escape", "prevention")


@extend_schema_serializer(component_name="Investigation")
class InvestigationSerializer(serializers.ModelSerializer):
    """The factory's report. PUT saves a draft; fields left out keep their saved value."""

    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    missing_for_submission = serializers.ListField(
        child=serializers.CharField(), read_only=True, source="missing_for_submission_list",
        help_text="Fields still empty; the report cannot be submitted until this list is empty.",
    )

    class Meta:
        model = Investigation
        fields = [*INVESTIGATION_FIELDS, "updated_at", "updated_by", "missing_for_submission"]
        read_only_fields = ["updated_at", "updated_by"]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in INVESTIGATION_FIELDS:
            kwargs.update(required=False, trim_whitespace=False)
            kwargs["validators"] = [*kwargs.get("validators", []), reject_control_characters]
        return field_class, kwargs

    def to_representation(self, instance):
        if isinstance(instance, DefectCase):  # the browsable API's PUT form passes the case
            instance = Investigation.objects.filter(case=instance).first() or Investigation(case=instance)
        instance.missing_for_submission_list = instance.missing_for_submission()
        return super().to_representation(instance)


# --- errors (documentation only) -----------------------------------------------------------

class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    state = serializers.CharField(help_text="The case's state now.", required=False)
