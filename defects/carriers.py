"""Parcel carriers that bring products back and replacements out.

The codes ('japan_post', 'yamato', 'sagawa') are the values stored in the
database (see `defects.models.Carrier`); this module holds what the code
needs to know about each carrier: display names and the shape of its
tracking numbers, so that a mistyped number is caught while the operator
still has the waybill (or the consumer) at hand.

What is known about the numbers, and from where (no carrier publishes a
specification; these rules are widely used by shipping software and were
checked against sample numbers quoted in public sources):

* Yamato Transport (宅急便): 12 digits; the last is the remainder of the
  first 11 read as one number divided by 7 (the "7DR" check).
* Sagawa Express (飛脚宅配便): 12 digits, same 7DR check.
* Japan Post: ゆうパック / ゆうパケット / レターパック numbers are 12 digits
  with the same 7DR check.  Registered and recorded mail (書留, 特定記録)
  has an 11-digit number written 123-45-67890-1 whose last digit is the
  first 10 digits modulo 7 -- known only from observation of consecutive
  numbers (not documented by Japan Post), so treat a rejection of an
  11-digit number with some doubt.  International (S10, 'EA123456789JP')
  numbers are not accepted: returns to us are domestic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "InvalidTrackingNumber",
    "UnknownCarrier",
    "Carrier",
    "TrackingFormat",
    "CARRIERS",
    "JAPAN_POST",
    "YAMATO",
    "SAGAWA",
    "get_carrier",
    "carrier_choices",
    "seven_dr_check_digit",
    "validate_tracking_number",
    "format_tracking_number",
    "expected_format",
    "examples",
]


class InvalidTrackingNumber(ValueError):
    """`reason` says what is wrong ('format', 'zeros', 'check_digit'), so that a form can say it in
    the reader's language; the message itself is English, for logs and scripts."""

    def __init__(self, message: str, reason: str = "format"):
        super().__init__(message)
        self.reason = reason


class UnknownCarrier(ValueError):
    pass


@dataclass(frozen=True)
class TrackingFormat:
    length: int
    # Digits the 7DR check covers (all but the last); None = length only.
    checked_digits: int | None
    groups: tuple[int, ...]  # how the number is printed, e.g. (4, 4, 4)
    label: str

    def format(self, digits: str) -> str:
        parts, start = [], 0
        for size in self.groups:
            parts.append(digits[start:start + size])
            start += size
        return "-".join(parts)


@dataclass(frozen=True)
class Carrier:
    code: str
    name_ja: str
    name_en: str
    formats: tuple[TrackingFormat, ...]

    def name(self, language: str = "ja") -> str:
        return self.name_en if language.startswith("en") else self.name_ja

    def __str__(self) -> str:
        return self.name_ja


_TWELVE = TrackingFormat(12, 11, (4, 4, 4), "12 digits")

JAPAN_POST = Carrier(
    "japan_post", "日本郵便", "Japan Post",
    (_TWELVE, TrackingFormat(11, 10, (3, 2, 5, 1), "11 digits for registered mail")),
)
YAMATO = Carrier("yamato", "ヤマト運輸", "Yamato Transport", (_TWELVE,))
SAGAWA = Carrier("sagawa", "佐川急便", "Sagawa Express", (_TWELVE,))

CARRIERS: dict[str, Carrier] = {c.code: c for c in (JAPAN_POST, YAMATO, SAGAWA)}


def get_carrier(carrier: str | Carrier) -> Carrier:
    if isinstance(carrier, Carrier):
        return carrier
    try:
        return CARRIERS[carrier]
    except (KeyError, TypeError):
        known = ", ".join(CARRIERS)
        raise UnknownCarrier(f"Unknown carrier {carrier!r}; expected one of: {known}.") from None


def carrier_choices(language: str = "ja") -> list[tuple[str, str]]:
    """[(code, display name)] for a select box."""
    return [(c.code, c.name(language)) for c in CARRIERS.values()]


def seven_dr_check_digit(body: str) -> str:
    """The 7DR check digit: `body` read as one number, modulo 7."""
    if not body or not body.isascii() or not body.isdigit():
        raise ValueError(f"{body!r} is not a string of digits.")
    return str(int(body) % 7)


def _example(fmt: TrackingFormat) -> str:
    body = "1234567890123"[: fmt.length - 1]
    return fmt.format(body + seven_dr_check_digit(body))


def examples(carrier: str | Carrier) -> list[tuple[int, str]]:
    """[(length, example as printed)] for each of the carrier's formats."""
    return [(f.length, _example(f)) for f in get_carrier(carrier).formats]


def expected_format(carrier: str | Carrier) -> str:
    """'12 digits (e.g. 1234-5678-9013)': what a form tells the operator to type."""
    spec = get_carrier(carrier)
    return " or ".join(f"{f.label} (e.g. {_example(f)})" for f in spec.formats)


_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u30fc\uff0d\uff70\ufe58\ufe63"
_SEPARATORS_RE = re.compile(r"[\s" + re.escape(_DASHES) + "]")
_MAX_INPUT = 64
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def validate_tracking_number(carrier: str | Carrier, text: str) -> str:
    """'１２３４－５６７８－９０１３' -> '123456789013' for `carrier`.

    Accepts full-width digits, spaces and any dash.  Raises
    InvalidTrackingNumber naming the carrier's format when the length or the
    check digit is wrong, UnknownCarrier for an unknown carrier code.
    """
    spec = get_carrier(carrier)
    expected = " or ".join(f"{f.label} (e.g. {_example(f)})" for f in spec.formats)
    if text is None:
        raise InvalidTrackingNumber(f"The {spec.name_en} tracking number is missing.")
    if not isinstance(text, str):
        raise InvalidTrackingNumber(
            f"The tracking number must be text, not {type(text).__name__}."
        )
    if len(text) > _MAX_INPUT:
        raise InvalidTrackingNumber(f"The tracking number is too long ({len(text)} characters).")
    # Only full-width digits are converted (not NFKC, which would also turn
    # '²' or '①' into digits: those are not what is printed on a waybill).
    digits = _SEPARATORS_RE.sub("", text.translate(_FULLWIDTH_DIGITS))
    if not digits or not re.fullmatch(r"[0-9]+", digits):
        raise InvalidTrackingNumber(
            f"A {spec.name_en} ({spec.name_ja}) tracking number is {expected}, digits only."
        )
    fmt = next((f for f in spec.formats if f.length == len(digits)), None)
    if fmt is None:
        raise InvalidTrackingNumber(
            f"A {spec.name_en} ({spec.name_ja}) tracking number is {expected}; "
            f"this one has {len(digits)} digits."
        )
    if set(digits) == {"0"}:
        raise InvalidTrackingNumber("A tracking number cannot be all zeros.", reason="zeros")
    if fmt.checked_digits is not None:
        body, check = digits[: fmt.checked_digits], digits[fmt.checked_digits:]
        if seven_dr_check_digit(body) != check:
            raise InvalidTrackingNumber(
                f"This {spec.name_en} tracking number is mistyped or misread: its last "
                f"digit does not match the others. Please read it again from the waybill.",
                reason="check_digit",
            )
    return digits


def format_tracking_number(carrier: str | Carrier, text: str) -> str:
    """The number as printed on the waybill: '1234-5678-9013', '123-45-67890-1'."""
    digits = validate_tracking_number(carrier, text)
    spec = get_carrier(carrier)
    fmt = next(f for f in spec.formats if f.length == len(digits))
    return fmt.format(digits)
