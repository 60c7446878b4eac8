"""References printed on paper and read back by people and scanners.

Two kinds:

* The **return reference** ('R7K3-M9QX-25') is printed on the prepaid return
  kit and scanned (or typed) at the factory when the parcel arrives.  It is
  random, not sequential, so that nobody can derive another consumer's
  reference from their own, and it ends with a check character so that a
  misread or mistyped reference is refused instead of matching another case.
* The **case reference** ('D-2026-000123') is the human-facing case number
  quoted on the phone and on letters.  It is sequential by design: it is not
  a secret and must never be accepted as proof of identity.
"""

from __future__ import annotations

import re
import secrets
from typing import NamedTuple

__all__ = [
    "InvalidReturnReference",
    "InvalidCaseReference",
    "RETURN_REFERENCE_ALPHABET",
    "new_return_reference",
    "normalize_return_reference",
    "is_valid_return_reference",
    "CaseReference",
    "format_case_reference",
    "parse_case_reference",
]


class InvalidReturnReference(ValueError):
    pass


class InvalidCaseReference(ValueError):
    pass


# Upper-case letters and digits without 0/O, 1/I/L, which are confused when
# read aloud, handwritten or printed small.  31 symbols, and 31 is prime: a
# weighted sum modulo a prime with distinct weights 1..10 catches *every*
# single wrong character and *every* swap of two characters (a weight
# difference or a symbol difference is never a multiple of 31).
RETURN_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_MODULUS = len(RETURN_REFERENCE_ALPHABET)
assert _MODULUS == 31
_VALUE = {char: index for index, char in enumerate(RETURN_REFERENCE_ALPHABET)}
# 9 random symbols: 31**9 ≈ 2.6e13 (44.6 bits).  With even 100,000 kits in
# circulation, a guessed reference with a valid check character hits one
# with probability below 1 in 260 million.
_RANDOM_LENGTH = 9
_LENGTH = _RANDOM_LENGTH + 1
_GROUPS = (4, 4, 2)
_MAX_INPUT = 64
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# Characters people and OCR put between groups: spaces and every dash,
# including the katakana long-vowel mark a Japanese IME produces for '-'.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u30fc\uff0d\uff70\ufe58\ufe63"
_SEPARATORS_RE = re.compile(r"[\s_." + re.escape(_DASHES) + "]")


def _check_character(body: str) -> str:
    # Choose c so that sum(position * value) over all 10 positions (1-based)
    # is 0 mod 31; the check character sits at position 10.
    total = sum(position * _VALUE[char] for position, char in enumerate(body, start=1))
    value = (-total * pow(_LENGTH, -1, _MODULUS)) % _MODULUS
    return RETURN_REFERENCE_ALPHABET[value]


def _group(compact: str) -> str:
    parts, start = [], 0
    for size in _GROUPS:
        parts.append(compact[start:start + size])
        start += size
    return "-".join(parts)


def new_return_reference() -> str:
    """A fresh random reference such as 'R7K3-M9QX-25'.

    Uses `secrets` (the OS's cryptographic generator).  Uniqueness against
    existing cases is the caller's job (a unique constraint and a retry):
    a collision is unlikely but not impossible.
    """
    body = "".join(secrets.choice(RETURN_REFERENCE_ALPHABET) for _ in range(_RANDOM_LENGTH))
    return _group(body + _check_character(body))


def _require_text(text: object, error: type[ValueError], what: str) -> str:
    if text is None:
        raise error(f"The {what} is missing.")
    if not isinstance(text, str):
        raise error(f"The {what} must be text, not {type(text).__name__}.")
    if len(text) > _MAX_INPUT:
        raise error(f"The {what} is too long ({len(text)} characters).")
    # Full-width ASCII to ASCII ('Ｒ７' -> 'R7').  Not NFKC, which would also
    # read '²', '①' or 'Ⅳ' as characters of a reference.
    return text.translate(_FULLWIDTH_TO_ASCII).upper()


def normalize_return_reference(text: str) -> str:
    """'r7k3m9qx25', 'Ｒ７Ｋ３ーＭ９ＱＸー２５' -> 'R7K3-M9QX-25', or InvalidReturnReference."""
    compact = _SEPARATORS_RE.sub("", _require_text(text, InvalidReturnReference, "return reference"))
    if not compact:
        raise InvalidReturnReference("The return reference is empty.")
    bad = sorted({c for c in compact if c not in _VALUE})
    if bad:
        shown = " ".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in bad[:5])
        raise InvalidReturnReference(
            f"A return reference uses only {RETURN_REFERENCE_ALPHABET} "
            f"(never 0, O, 1, I or L); this one contains: {shown}."
        )
    if len(compact) != _LENGTH:
        raise InvalidReturnReference(
            f"A return reference has {_LENGTH} characters, like R7K3-M9QX-25; "
            f"this one has {len(compact)}."
        )
    if _check_character(compact[:-1]) != compact[-1]:
        raise InvalidReturnReference(
            "This return reference is mistyped or misread (its check character "
            "does not match); please read it again from the parcel."
        )
    return _group(compact)


def is_valid_return_reference(text: object) -> bool:
    try:
        normalize_return_reference(text)  # type: ignore[arg-type]
    except InvalidReturnReference:
        return False
    return True


# --------------------------------------------------------------------------
# Case references
# --------------------------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = 2000, 9999
_MAX_NUMBER = 999_999


class CaseReference(NamedTuple):
    year: int
    number: int

    def __str__(self) -> str:
        return format_case_reference(self.year, self.number)


def _check_parts(year: object, number: object) -> tuple[int, int]:
    # bool is an int subclass; True as a year is a bug, not a year.
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidCaseReference(f"The year must be a whole number, not {year!r}.")
    if not isinstance(number, int) or isinstance(number, bool):
        raise InvalidCaseReference(f"The case number must be a whole number, not {number!r}.")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidCaseReference(f"The year {year} is out of range ({_MIN_YEAR}-{_MAX_YEAR}).")
    if not 1 <= number <= _MAX_NUMBER:
        # Six digits keep references fixed-width on letters and labels; a
        # million cases in a year would need a format change, decided then.
        raise InvalidCaseReference(f"The case number {number} is out of range (1-{_MAX_NUMBER}).")
    return year, number


def format_case_reference(year: int, number: int) -> str:
    """(2026, 123) -> 'D-2026-000123'."""
    year, number = _check_parts(year, number)
    return f"D-{year:04d}-{number:06d}"


# 'D-2026-000123', 'D 2026 123' (an operator may drop the zeros when the
# parts are separated), 'D2026000123' (all six digits needed when they are
# not: 'D202612' could be read several ways).
_CASE_RE = re.compile(r"D-?([0-9]{4})(?:-([0-9]{1,6})|([0-9]{6}))", re.ASCII)


def parse_case_reference(text: str) -> CaseReference:
    """'ｄ－２０２６－０００１２３' -> CaseReference(2026, 123)."""
    cleaned = _require_text(text, InvalidCaseReference, "case reference").strip()
    # Any run of spaces and dashes is one boundary between the parts.
    cleaned = _SEPARATORS_RE.sub("-", cleaned)
    cleaned = re.sub("-+", "-", cleaned)
    match = _CASE_RE.fullmatch(cleaned)
    if match is None:
        shown = text.strip()[:20] or "(empty)"
        raise InvalidCaseReference(
            f"{shown!r} is not a case reference; expected the form D-2026-000123."
        )
    number = match.group(2) or match.group(3)
    try:
        return CaseReference(*_check_parts(int(match.group(1)), int(number)))
    except InvalidCaseReference as exc:
        raise InvalidCaseReference(f"{text.strip()[:20]!r}: {exc}") from exc
