"""Dates as people type them, for every date field of every form (and so of the API, which
validates with the same forms): '2026-01-31', '2026/1/31', '2026.1.31', '2026年1月31日', '20260131',
'令和8年1月31日', the same in full-width digits. A year outside 1900-2200 is refused with a clear
message: a browser's date picker turns '20260131' typed into its year box into year 60131.

Lives in factories (the lowest app) so that factories' own forms can use it; defects imports it.
"""

import datetime
import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 1900, 2200
# Era name -> the Gregorian year before its first year (令和元年 = 2019).
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}

_SEPARATED = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ERA = re.compile(r"(令和|平成|昭和|R|H|S)(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_TIME = re.compile(r"(\d{1,2})[:時](\d{2})(?::(\d{2}))?分?")


def parse_date(text: str) -> datetime.date:
    """The date in `text`, or ValueError."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
    match = _SEPARATED.fullmatch(text) or _COMPACT.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        era = _ERA.fullmatch(text)
        if era is None:
            raise ValueError(text)
        name, era_year, month, day = era.groups()
        year = ERAS[name] + (1 if era_year == "元" else int(era_year))
        month, day = int(month), int(day)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(text)
    return datetime.date(year, month, day)  # ValueError for 2026-02-30


class FlexibleDateField(forms.DateField):
    """A DateField that reads every way of writing a date above, shown as a text box (not the
    browser's date picker, whose year box takes six digits)."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter a date such as 2026-01-31 (2026/1/31 and 20260131 work too)."),
    }

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("placeholder", "2026-01-31")
        attrs.setdefault("autocomplete", "off")
        attrs.setdefault("size", "12")
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class FlexibleDateTimeField(forms.DateTimeField):
    """A DateTimeField that also reads '2026/1/31 15:00' and '20260131 15:00', and refuses a year
    outside 1900-2200 (what a datetime-local picker makes of a date typed into its year box)."""

    default_error_messages = {
        "invalid": _("Enter a date and time such as 2026-01-31 15:00."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            match = re.fullmatch(r"(.+?)[T\s]+(\d{1,2}[:時]\d{2}(?::\d{2})?分?)", text)
            if match and "+" not in text and not text.endswith("Z"):
                try:
                    date = parse_date(match.group(1))
                    hour, minute, second = _TIME.fullmatch(match.group(2)).groups()
                    value = datetime.datetime.combine(date, datetime.time(int(hour), int(minute), int(second or 0)))
                except (ValueError, AttributeError):
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        result = super().to_python(value)
        if result is not None and not MIN_YEAR <= result.year <= MAX_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return result
