"""Input forms: the intake form, the contact form and one payload form per transition.

The web pages render these and the API validates with the very same classes, so a rule about
input is written once and a bad field is named the same way in both.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from factories.models import Factory, Product

from .models import Carrier, Category, Channel, Contact, Language


def reject_control_characters(value: str) -> str:
    """Control characters in stored text break letters and exports; tabs and newlines are fine."""
    if value and any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_("Contains control characters."), code="control_characters")
    return value


class CleanTextForm(forms.Form):
    """Every text field: stripped, no control characters."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            # Only text: clean_<field> methods may already have turned a value into an object.
            if isinstance(field, forms.CharField) and isinstance(self.cleaned_data.get(name), str):
                try:
                    reject_control_characters(self.cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)


def _text(label, max_length, required=True, textarea=False):
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget)


class CaseIntakeForm(CleanTextForm):
    """What the hotline types while the consumer is on the phone."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    consumer_name = _text(_("Name"), 100)
    consumer_name_kana = _text(_("Name in kana"), 100, required=False)
    consumer_postal_code = _text(_("Postal code"), 10, required=False)
    consumer_address = _text(_("Address"), 200, required=False)
    consumer_phone = _text(_("Phone"), 20, required=False)
    consumer_email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    consumer_language = forms.ChoiceField(label=_("Letter language"), choices=Language.choices, initial="ja")
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), to_field_name="code",
        error_messages={"invalid_choice": _("Unknown product.")},
    )
    lot_code = _text(_("Lot code as printed"), 64, required=False)
    best_before = forms.DateField(label=_("Best before"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    store = _text(_("Store"), 100, required=False)
    purchased_on = forms.DateField(label=_("Purchased on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = _text(_("What happened"), 4000, textarea=True)
    health_effect = forms.BooleanField(label=_("Illness or injury reported"), required=False)
    factory = forms.ModelChoiceField(
        label=_("Factory"), queryset=Factory.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("Unknown factory.")},
    )

    def clean_consumer_postal_code(self):
        value = self.cleaned_data["consumer_postal_code"]
        if not value:
            return ""
        digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
        if len(digits) != 7:
            raise ValidationError(_("A postal code has seven digits."), code="invalid")
        return digits

    def clean_consumer_phone(self):
        value = self.cleaned_data["consumer_phone"]
        if not value:
            return ""
        normalized = unicodedata.normalize("NFKC", value)
        digits = "".join(ch for ch in normalized if ch.isdigit())
        if not 10 <= len(digits) <= 11 or any(ch not in "0123456789-+() " for ch in normalized):
            raise ValidationError(_("Enter a Japanese phone number."), code="invalid")
        return normalized.replace(" ", "")

    def clean(self):
        data = super().clean()
        if not (data.get("consumer_phone") or data.get("consumer_email") or data.get("consumer_address")):
            # A case we cannot answer goes silent: at least one way back to the consumer.
            self.add_error("consumer_phone", _("Give a phone number, an e-mail or an address."))
        return data


class ContactForm(CleanTextForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Contact.Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Contact.Direction.choices)
    summary = _text(_("Summary"), 4000, textarea=True)
    follow_up_due = forms.DateTimeField(
        label=_("Follow-up due"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    follow_up_owner = forms.CharField(label=_("Follow-up owner (username)"), required=False, max_length=150)

    def clean_follow_up_owner(self):
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["follow_up_owner"]
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise ValidationError(_("Unknown user."), code="invalid") from None

    def clean(self):
        data = super().clean()
        if data.get("follow_up_due") and not data.get("follow_up_owner"):
            # A promise without an owner is the promise nobody keeps.
            self.add_error("follow_up_owner", _("A promised follow-up needs an owner."))
        return data


# --- transition payloads -------------------------------------------------------------------

class EmptyPayload(CleanTextForm):
    pass


class RequestReturnPayload(CleanTextForm):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=[("", "---")] + Carrier.choices, required=False)


class ReceiveSamplePayload(CleanTextForm):
    condition = _text(_("Condition on arrival"), 2000, required=False, textarea=True)


class ReasonPayload(CleanTextForm):
    reason = _text(_("Reason"), 2000, textarea=True)


class RequiredCommentPayload(CleanTextForm):
    comment = _text(_("Comment"), 4000, textarea=True)


class OptionalCommentPayload(CleanTextForm):
    comment = _text(_("Comment"), 4000, required=False, textarea=True)


class ShipReplacementPayload(CleanTextForm):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = _text(_("Tracking number"), 32)

    def clean_tracking_number(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["tracking_number"]).replace("-", "").replace(" ", "")
        if not value.isdigit() or not 10 <= len(value) <= 14:
            raise ValidationError(_("A tracking number has 10 to 14 digits."), code="invalid")
        return value


class ClosePayload(CleanTextForm):
    note = _text(_("Note"), 4000, required=False, textarea=True)


PAYLOAD_FORMS: dict[str, type[forms.Form]] = {
    "request_return": RequestReturnPayload,
    "receive_sample": ReceiveSamplePayload,
    "start_investigation": EmptyPayload,
    "investigate_without_sample": ReasonPayload,
    "submit_report": EmptyPayload,
    "reject_report": RequiredCommentPayload,
    "approve_report": OptionalCommentPayload,
    "ship_replacement": ShipReplacementPayload,
    "close": ClosePayload,
    "withdraw": ReasonPayload,
}
