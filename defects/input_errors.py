"""What went wrong with a typed value, said in the reader's language.

defects.addressing and defects.carriers are pure Python and raise English messages (for logs and
scripts); the forms and the API turn them into these, translated for the page or the API client's
Accept-Language.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import addressing, carriers


def addressing_message(error: addressing.AddressingError) -> str:
    if isinstance(error, addressing.ControlCharacterError) or isinstance(
            error.__cause__, addressing.ControlCharacterError):
        return _("Contains control characters.")
    if isinstance(error, addressing.UnknownPostalCode):
        return _("This postal code is not in Japan Post's list. Please check it with the consumer.")
    if isinstance(error, addressing.InvalidPostalCode):
        return _("A postal code has seven digits (e.g. 810-0001).")
    if isinstance(error, addressing.InvalidPhoneNumber):
        return _("This is not a valid phone number. Please check the digits (e.g. 03-1234-5678 or 090-1234-5678).")
    if isinstance(error, addressing.InvalidName):
        return _("A name is written in letters only (no digits, symbols or emoji).")
    if isinstance(error, addressing.InvalidKana):
        return _("Write the reading in kana only.")
    if isinstance(error, addressing.InvalidAddress):
        return _("The address contains characters that cannot be printed on a label (such as emoji).")
    return _("Enter a valid value.")


def tracking_number_message(carrier: str, error: Exception) -> str:
    if isinstance(error, carriers.UnknownCarrier):
        return _("Unknown carrier.")
    name = carriers.get_carrier(carrier).name(get_language() or "ja")
    reason = getattr(error, "reason", "format")
    formats = " / ".join(_("%(length)s digits (e.g. %(example)s)") % {"length": length, "example": example}
                         for length, example in carriers.examples(carrier))
    expected = _("A %(carrier)s tracking number has %(formats)s.") % {"carrier": name, "formats": formats}
    if reason == "check_digit":
        return _("This tracking number is mistyped or misread: its last digit does not match the others. "
                 "Please read it again from the waybill.") + " " + expected
    if reason == "zeros":
        return _("A tracking number cannot be all zeros.") + " " + expected
    return expected
