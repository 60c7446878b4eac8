"""Input forms: the intake form, the contact form and one payload form per transition.

The web pages render these and the API validates with the very same classes, so a rule about
input is written once and a bad field is named the same way in both.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from factories import masterdata
from factories.dates import FlexibleDateField, FlexibleDateTimeField
from factories.models import Factory, Product


from . import addressing, carriers, input_errors, postal
from .models import (
    Carrier, Category, Channel, Contact, DefectCase, ForeignMatterKind, Hazard, Language, ReplacementItem,
    ShipmentEvent, ShippingCarrier,
)


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


# --- consumer details: one spelling whatever keyboard typed them (defects.addressing) ----------

def _normalized(normalize, value: str) -> str:
    if not value:
        return ""
    try:
        return normalize(value)
    except addressing.AddressingError as error:
        # The module's messages are English; the reader gets theirs in their language.
        raise ValidationError(input_errors.addressing_message(error), code="invalid") from None


def clean_postal_code(value: str) -> str:
    """'８１０－０００１' -> '8100001'; a code Japan Post does not list is refused with a clear message."""
    if not value:
        return ""
    return _normalized(postal.lookup_postal_code, value).postal_code


def clean_person_name(value: str) -> str:
    return _normalized(addressing.normalize_name, value)


def clean_kana(value: str) -> str:
    return _normalized(addressing.normalize_kana, value)


def clean_phone(value: str) -> str:
    return _normalized(addressing.normalize_phone, value)


def clean_address_text(value: str) -> str:
    return _normalized(addressing.normalize_address_text, value)


def clean_active_carrier(value: str) -> str:
    """A carrier switched off in the admin's carrier list is refused for new parcels."""
    if value and ShippingCarrier.objects.filter(code=value, active=False).exists():
        raise ValidationError(_("This carrier is switched off in the carrier list."), code="inactive")
    return value


class MasterDataChoiceField(forms.ModelChoiceField):
    """A product or factory by its code, from factories.masterdata when it is there (no query per
    intake); a code it does not know is looked up in the database as a ModelChoiceField does."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values:
            found = (masterdata.product if self.queryset.model is Product else masterdata.factory)(value)
            if found is not None:
                return found
        return super().to_python(value)


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
    # Consent to short e-mails at sample arrival and when the replacement is sent (notifications.consumer).
    consumer_email_updates = forms.BooleanField(label=_("Wants e-mail updates"), required=False)
    product = MasterDataChoiceField(
        label=_("Product"), queryset=Product.objects.all(), to_field_name="code",
        error_messages={"invalid_choice": _("Unknown product.")},
    )
    lot_code = _text(_("Lot code as printed"), 64, required=False)
    best_before = FlexibleDateField(label=_("Best before"), required=False)
    store = _text(_("Store"), 100, required=False)
    purchased_on = FlexibleDateField(label=_("Purchased on"), required=False)
    # No default: a category nobody chose would be a guess (the empty choice comes first).
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose the category")), *Category.choices])
    description = _text(_("What happened"), 4000, textarea=True)
    health_effect = forms.BooleanField(label=_("Illness or injury reported"), required=False)
    # Triage (safety): what harm the consumer reports, what the foreign matter is, an allergen the
    # label does not declare. Severity follows from these (safety.triage).
    hazard = forms.ChoiceField(label=_("Hazard"), choices=Hazard.choices, required=False, initial=Hazard.NONE)
    foreign_matter_kind = forms.ChoiceField(label=_("Kind of foreign matter"),
                                            choices=[("", "---")] + ForeignMatterKind.choices, required=False)
    undeclared_allergen = forms.BooleanField(label=_("Allergen not declared on the label"), required=False)
    factory = MasterDataChoiceField(
        label=_("Factory"), queryset=Factory.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("Unknown factory.")},
    )

    def clean_consumer_name(self):
        return clean_person_name(self.cleaned_data["consumer_name"])

    def clean_consumer_name_kana(self):
        return clean_kana(self.cleaned_data["consumer_name_kana"])

    def clean_consumer_postal_code(self):
        return clean_postal_code(self.cleaned_data["consumer_postal_code"])

    def clean_consumer_address(self):
        return clean_address_text(self.cleaned_data["consumer_address"])

    def clean_consumer_phone(self):
        return clean_phone(self.cleaned_data["consumer_phone"])

    def clean(self):
        data = super().clean()
        ways_back = ("consumer_phone", "consumer_email", "consumer_address")
        # A case we cannot answer goes silent: at least one way back to the consumer. A way back that
        # was given but is wrong already has its own error; a second one would only confuse.
        if not any(data.get(name) for name in ways_back) and not any(name in self.errors for name in ways_back):
            self.add_error("consumer_phone", _("Give a phone number, an e-mail or an address."))
        complete_address(data, "consumer_postal_code", "consumer_address", self)
        if data.get("consumer_email_updates") and not data.get("consumer_email"):
            self.add_error("consumer_email_updates", _("E-mail updates need an e-mail address."))
        data["hazard"] = data.get("hazard") or Hazard.NONE
        category = data.get("category")
        if data.get("foreign_matter_kind") and category and category != Category.FOREIGN_MATTER:
            self.add_error("foreign_matter_kind", _("The kind of foreign matter goes with the category "
                                                    "'Foreign matter' only."))
        if data.get("undeclared_allergen") and category and category != Category.LABELLING:
            self.add_error("undeclared_allergen", _("An undeclared allergen goes with the category "
                                                    "'Labelling' only."))
        return data


def complete_address(data: dict, postal_field: str, address_field: str, form) -> None:
    """Put the postal code's prefecture, city and town in front of an address typed without them
    (defects.postal.complete_address): the lookup's reply may have come after the operator typed."""
    code, address = data.get(postal_field), data.get(address_field)
    if not code or not address or form.has_error(address_field):
        return
    try:
        completed = postal.complete_address(postal.lookup_postal_code(code), address)
    except addressing.AddressingError:
        return
    if len(completed) <= addressing.MAX_ADDRESS_LENGTH:
        data[address_field] = completed


def active_user(username: str):
    """The active user with this username (an owner of a promise), None for blank, or a field error."""
    from django.contrib.auth import get_user_model

    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise ValidationError(_("Unknown user."), code="invalid") from None


class ContactForm(CleanTextForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Contact.Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Contact.Direction.choices)
    summary = _text(_("Summary"), 4000, textarea=True)
    follow_up_due = FlexibleDateTimeField(
        label=_("Follow-up due"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    follow_up_owner = forms.CharField(label=_("Follow-up owner (username)"), required=False, max_length=150)
    # Contacts are never edited: a mistake is put right by a new contact that names the one it corrects
    # (its id, a contact of the same case; services.log_contact checks).
    corrects = forms.IntegerField(label=_("Corrects contact"), required=False, min_value=1, max_value=2**62)

    def clean_follow_up_owner(self):
        return active_user(self.cleaned_data["follow_up_owner"])

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
    # Blank: the default return carrier (settings.HITOTSUBU_DEFAULT_RETURN_CARRIER).
    carrier = forms.ChoiceField(label=_("Carrier"), choices=[("", "---")] + Carrier.choices, required=False)

    def clean_carrier(self):
        return clean_active_carrier(self.cleaned_data["carrier"])


class ReceiveSamplePayload(CleanTextForm):
    condition = _text(_("Condition on arrival"), 2000, required=False, textarea=True)


class ReasonPayload(CleanTextForm):
    reason = _text(_("Reason"), 2000, textarea=True)


class RequiredCommentPayload(CleanTextForm):
    comment = _text(_("Comment"), 4000, textarea=True)


class OptionalCommentPayload(CleanTextForm):
    comment = _text(_("Comment"), 4000, required=False, textarea=True)


class AdoptReportPayload(CleanTextForm):
    """One investigation for a whole lot: this case takes the approved report of another case of the
    same product (checked by the service, which knows this case)."""

    from_case = _text(_("Reference of the case whose report answers this one"), 30)
    reason = _text(_("Why no separate investigation"), 2000, required=False, textarea=True)

    def clean_from_case(self):
        from .references import InvalidCaseReference, parse_case_reference

        value = self.cleaned_data["from_case"]
        try:
            reference = str(parse_case_reference(value))
        except InvalidCaseReference:
            reference = value.strip().upper()
        case = DefectCase.objects.filter(reference=reference).select_related("product").first()
        if case is None:
            raise ValidationError(_("No case has this reference."), code="invalid")
        return case


class ShipReplacementPayload(CleanTextForm):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = _text(_("Tracking number"), 32)

    def clean_carrier(self):
        return clean_active_carrier(self.cleaned_data["carrier"])

    def clean_tracking_number(self):
        # Checked against the carrier's format (length and check digit) where it is known; the message
        # names the expected format. Without a valid carrier the carrier field already has the error.
        value = self.cleaned_data["tracking_number"]
        carrier = self.cleaned_data.get("carrier")
        if not carrier:
            return value
        try:
            return carriers.validate_tracking_number(carrier, value)
        except (carriers.InvalidTrackingNumber, carriers.UnknownCarrier) as error:
            raise ValidationError(input_errors.tracking_number_message(carrier, error), code="invalid") from None


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
    "close_without_delivery": ReasonPayload,
    "reopen": ReasonPayload,
    "adopt_report": AdoptReportPayload,
}


# --- parcels and consumer details (used by the API and the pages; services take cleaned_data) ----

class ReturnScanForm(CleanTextForm):
    """The one input of the scan page: the return reference as scanned or typed. Its format is
    checked by services.find_return, which answers 404 for anything it cannot match."""

    reference = _text(_("Return reference"), 64)


class ParcelMatchForm(CleanTextForm):
    """A parcel without its kit: the mail room searches by name, kana or phone (factories: reference)."""

    q = _text(_("Name, kana, phone or reference"), 100)


class ReplacementItemForm(CleanTextForm):
    """One line of the replacement parcel; a formset of these is handed to services.set_replacement_items."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReplacementItem.Kind.choices, initial=ReplacementItem.Kind.PRODUCT)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("Unknown product.")},
    )
    description = _text(_("Description"), 200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=50, initial=1)
    coupon_code = _text(_("Coupon code"), 40, required=False)
    value_yen = forms.IntegerField(label=_("Value (yen)"), min_value=0, max_value=100_000, required=False)

    def clean_coupon_code(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["coupon_code"]).strip().upper()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReplacementItem.Kind.PRODUCT and not data.get("product"):
            self.add_error("product", _("A replacement line names a product."))
        if kind == ReplacementItem.Kind.GIFT and not (data.get("product") or data.get("description")):
            self.add_error("description", _("Say what the gift is (a product or a description)."))
        if kind == ReplacementItem.Kind.COUPON and not data.get("coupon_code"):
            self.add_error("coupon_code", _("A coupon needs its code."))
        if kind in (ReplacementItem.Kind.GIFT, ReplacementItem.Kind.COUPON) and data.get("value_yen") is None:
            self.add_error("value_yen", _("A goodwill item needs its value in yen."))
        return data


class BaseReplacementItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kinds = [form.cleaned_data.get("kind") for form in self.forms if form.cleaned_data
                 and not (self.can_delete and self._should_delete_form(form))]
        if ReplacementItem.Kind.PRODUCT not in kinds:
            raise ValidationError(_("The replacement parcel holds at least one product."), code="no_product")
        if sum(1 for kind in kinds if kind != ReplacementItem.Kind.PRODUCT) > 1:
            raise ValidationError(_("At most one goodwill item (a gift or a coupon)."), code="goodwill")


ReplacementItemFormSet = forms.formset_factory(
    ReplacementItemForm, formset=BaseReplacementItemFormSet, extra=0, min_num=1, validate_min=True, max_num=10,
    validate_max=True,
)


class ShipmentEventForm(CleanTextForm):
    """A parcel event entered by staff or posted by a carrier integration (POST /api/shipments/{id}/events/)."""

    kind = forms.ChoiceField(label=_("What happened"), choices=ShipmentEvent.Kind.choices)
    at = FlexibleDateTimeField(label=_("When"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = _text(_("Note"), 2000, required=False, textarea=True)
    source = forms.ChoiceField(label=_("Source"), choices=ShipmentEvent.Source.choices, required=False)
    external_id = _text(_("Carrier's event id"), 100, required=False)

    def clean_source(self):
        return self.cleaned_data["source"] or ShipmentEvent.Source.MANUAL

    def clean(self):
        data = super().clean()
        if data.get("source") == ShipmentEvent.Source.CARRIER and not data.get("external_id"):
            # Without the carrier's id a re-sent event would be recorded twice.
            self.add_error("external_id", _("A carrier event needs the carrier's event id."))
        return data


class ConsumerForm(CleanTextForm):
    """Edit the consumer's details (PATCH /api/cases/{ref}/consumer/, the edit page), normalised like intake.

    With partial=True only the fields present in the data are validated and returned, so a PATCH
    that sends only the address leaves the name alone. cleaned_data goes to
    services.change_consumer_address; redirect_owner/redirect_due are used only when the replacement
    has already left (a redirect request is made).
    """

    CONSUMER_FIELDS = ("name", "name_kana", "postal_code", "address", "phone", "email", "language")

    name = _text(_("Name"), 100)
    name_kana = _text(_("Name in kana"), 100, required=False)
    postal_code = _text(_("Postal code"), 10, required=False)
    address = _text(_("Address"), 200, required=False)
    phone = _text(_("Phone"), 20, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    language = forms.ChoiceField(label=_("Letter language"), choices=Language.choices, required=False)
    note = _text(_("Why / what the consumer said"), 2000, required=False, textarea=True)
    redirect_owner = forms.CharField(label=_("Redirect owner (username)"), required=False, max_length=150)
    redirect_due = FlexibleDateTimeField(label=_("Redirect due"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if partial and self.data is not None:
            for name in list(self.fields):
                if name not in self.data:
                    del self.fields[name]

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_name_kana(self):
        return clean_kana(self.cleaned_data["name_kana"])

    def clean_postal_code(self):
        return clean_postal_code(self.cleaned_data["postal_code"])

    def clean_address(self):
        return clean_address_text(self.cleaned_data["address"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_language(self):
        return self.cleaned_data["language"] or Language.JA

    def clean_redirect_owner(self):
        return active_user(self.cleaned_data["redirect_owner"])

    def clean(self):
        data = super().clean()
        if not any(name in data for name in self.CONSUMER_FIELDS):
            raise ValidationError(_("Nothing to change."), code="empty")
        complete_address(data, "postal_code", "address", self)
        return data


class RedirectDoneForm(CleanTextForm):
    note = _text(_("How it was done (e.g. the carrier's confirmation)"), 2000, required=False, textarea=True)
