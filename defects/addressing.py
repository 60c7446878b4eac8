"""Clean-up and validation of what a consumer tells us about where they live.

Everything here is pure Python (no Django, no database): forms, the API and
the import scripts call these functions so that one spelling of a postal
code, a name or a phone number is stored whatever keyboard it was typed on.

Choices made once, here, so they are made the same everywhere:

* Postal codes are stored as seven ASCII digits ('8100001').
* Names keep their kanji exactly as typed.  We do *not* apply NFKC/NFC to
  names: both map CJK compatibility ideographs (e.g. U+FA19 '神') to the
  unified character, which changes how a person's name is printed on the
  factory's letter.  We convert only what is unambiguous: half-width
  katakana to full-width, full-width Latin letters to ASCII, and combining
  voiced marks onto their kana.
* Between family and given name we keep exactly one space: an ideographic
  space (U+3000) when the text contains Japanese script, an ASCII space
  otherwise ('山田　太郎', 'John Smith').  Search code should compare names
  with the spaces removed.
* Address text stores digits, Latin letters and hyphens as half-width ASCII
  ('天神1-2-3') and katakana as full-width, so that the same address typed
  two ways compares equal.
* Phone numbers are stored in Japan's national format with hyphens
  ('03-1234-5678'); `phone_digits` gives the key to search by.

Every error is a `ValueError` subclass with a message fit to show to an
operator.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv
import phonenumbers

__all__ = [
    "AddressingError",
    "ControlCharacterError",
    "InvalidPostalCode",
    "UnknownPostalCode",
    "InvalidName",
    "InvalidKana",
    "InvalidPhoneNumber",
    "InvalidAddress",
    "reject_control_characters",
    "normalize_postal_code",
    "normalize_name",
    "normalize_kana",
    "normalize_phone",
    "phone_digits",
    "normalize_address_text",
    "MAX_NAME_LENGTH",
    "MAX_ADDRESS_LENGTH",
]


class AddressingError(ValueError):
    """Base class: every error raised by this module is a ValueError."""


class ControlCharacterError(AddressingError):
    """The text holds a control or invisible formatting character."""


class InvalidPostalCode(AddressingError):
    pass


class UnknownPostalCode(AddressingError):
    pass


class InvalidName(AddressingError):
    pass


class InvalidKana(AddressingError):
    pass


class InvalidPhoneNumber(AddressingError):
    pass


class InvalidAddress(AddressingError):
    pass


# Limits are generous on purpose (the longest real Japanese address lines are
# well under 100 characters); they exist so that a pasted page of text is
# refused with a message instead of being stored.  Models should use the same.
MAX_NAME_LENGTH = 100
MAX_ADDRESS_LENGTH = 200
# Anything longer than this is refused before any other work is done.
_MAX_RAW_LENGTH = 1000

# Dashes people (and IMEs) type where a hyphen is meant.  The katakana long
# vowel marks (ー U+30FC, ｰ U+FF70) are in this list for postal codes and
# phone numbers; address text treats them specially (see below).
_HYPHENS = (
    "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212"
    "\u30fc\uff0d\uff70\ufe58\ufe63"
)
_HYPHEN_CLASS = "[" + re.escape(_HYPHENS) + "]"
_NON_KANA_HYPHENS = _HYPHENS.replace("\u30fc", "").replace("\uff70", "")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Invisible characters that arrive by copy-paste from web pages and word
# processors and carry no meaning in a name or address: dropped silently.
_DROPPED_INVISIBLES = frozenset("\u200b\u2060\ufeff\u00ad")
_LINE_SEPARATORS = frozenset("\u2028\u2029\x85")


def _require_str(text: object, error: type[AddressingError], what: str) -> str:
    if text is None:
        raise error(f"{what} is missing.")
    if not isinstance(text, str):
        raise error(f"{what} must be text, not {type(text).__name__}.")
    if len(text) > _MAX_RAW_LENGTH:
        raise error(f"{what} is far too long ({len(text)} characters).")
    return text


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def reject_control_characters(text: str, *, allow_newlines: bool = False) -> str:
    """Return `text` without harmless invisibles, or raise ControlCharacterError.

    - zero-width space, word joiner, BOM and soft hyphen are dropped (they come
      from copy-paste and would break search and printing);
    - a tab becomes a space; CR LF, CR, NEL and U+2028/U+2029 become LF;
    - LF is refused unless `allow_newlines` (single-line fields);
    - any other control (C0/C1, DEL), formatting character (bidi overrides,
      which can make a name display differently from what is stored; joiners;
      tag characters), lone surrogate, private-use character (old vendor
      "gaiji" that no printer can render) or Unicode non-character is refused,
      naming the code point so an operator can tell what was pasted.

    Unassigned code points are *not* refused: a rare kanji newer than this
    Python's Unicode tables may be a real person's name.
    """
    text = _require_str(text, ControlCharacterError, "The text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for position, char in enumerate(text, start=1):
        if char in _DROPPED_INVISIBLES:
            continue
        if char == "\t":
            out.append(" ")
            continue
        if char == "\n" or char in _LINE_SEPARATORS:
            if not allow_newlines:
                raise ControlCharacterError(
                    f"Line breaks are not allowed here (character {position})."
                )
            out.append("\n")
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co") or _is_noncharacter(ord(char)):
            raise ControlCharacterError(
                f"The text contains an invisible control character "
                f"(U+{ord(char):04X}) at character {position}; "
                f"please retype it."
            )
        out.append(char)
    return "".join(out)


def _clean(text: object, error: type[AddressingError], what: str, *, allow_newlines: bool = False) -> str:
    """Type/length check plus control characters, re-raised as `error`."""
    text = _require_str(text, error, what)
    try:
        return reject_control_characters(text, allow_newlines=allow_newlines)
    except ControlCharacterError as exc:
        raise error(f"{what}: {exc}") from exc


# --------------------------------------------------------------------------
# Postal codes
# --------------------------------------------------------------------------

# 〒 (U+3012) and its circled form 〶 (U+3036) are printed before codes.
# re.ASCII: Python's \d would otherwise accept Arabic-Indic and other digits.
_POSTAL_RE = re.compile(r"[〒〶]?\s*([0-9]{3})\s*(?:-\s*)?([0-9]{4})", re.ASCII)


def normalize_postal_code(text: str) -> str:
    """'〒８１０－０００１' -> '8100001'; raise InvalidPostalCode otherwise.

    Accepts full-width digits, the postal mark, spaces, and any hyphen or dash
    between the third and fourth digit.  Digits split anywhere else are
    refused: that is more often a phone number than a postal code.
    """
    text = _clean(text, InvalidPostalCode, "The postal code")
    converted = text.translate(_FULLWIDTH_DIGITS).replace("\u3000", " ")
    converted = re.sub(_HYPHEN_CLASS, "-", converted).strip()
    match = _POSTAL_RE.fullmatch(converted)
    if match is None:
        shown = text.strip()[:20] or "(empty)"
        raise InvalidPostalCode(
            f"{shown!r} is not a postal code: expected seven digits such as 810-0001."
        )
    return match.group(1) + match.group(2)


# --------------------------------------------------------------------------
# Names and kana
# --------------------------------------------------------------------------

_JAPANESE_RE = re.compile(
    "[\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003ffff]"
)
_SPACES_RE = re.compile(r"[ \u3000]+")
# A kana followed by a combining (semi-)voiced mark, as macOS may send it.
_DECOMPOSED_KANA_RE = re.compile("[\u3041-\u30ff][\u3099\u309a]")
# Punctuation that occurs in real names: 'ジョン・スミス', "O'Brien", 'Jean-Luc', 'Jr.',
# and the double hyphen some write between foreign given and family names.
_NAME_PUNCTUATION = frozenset("・'’.-=゠")
_SPACING_VOICED_MARKS = str.maketrans({"\u309b": "\u3099", "\u309c": "\u309a"})


def _compose_kana(text: str) -> str:
    # NFC only on kana+mark pairs: NFC on the whole text would rewrite
    # compatibility kanji (see module docstring).
    return _DECOMPOSED_KANA_RE.sub(lambda m: unicodedata.normalize("NFC", m.group()), text)


def _collapse_spaces(text: str) -> str:
    separator = "\u3000" if _JAPANESE_RE.search(text) else " "
    return _SPACES_RE.sub(separator, text).strip(" \u3000")


def _width_cleanup(text: str) -> str:
    """Half-width kana to full-width; full-width ASCII to ASCII."""
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = jaconv.z2h(text, kana=False, ascii=True, digit=True)
    return _compose_kana(text)


def normalize_name(text: str) -> str:
    """A person's name, cleaned for storage and for printing on a letter.

    'ﾔﾏﾀﾞ  ﾀﾛｳ' -> 'ヤマダ　タロウ', '山田 　太郎' -> '山田　太郎',
    'Ｊｏｈｎ  Ｓｍｉｔｈ' -> 'John Smith'.  Refuses control characters,
    digits, emoji and other symbols: they are never part of a name and
    a letter must not print them.
    """
    text = _clean(text, InvalidName, "The name")
    text = _collapse_spaces(_width_cleanup(text))
    if not text:
        raise InvalidName("The name is empty.")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    for char in text:
        category = unicodedata.category(char)
        # L*: letters (kanji, kana, Latin...); M*: marks, which include the
        # ideographic variation selectors some registered names need; Nl: '〇'.
        if category[0] in "LM" or category == "Nl" or char in " \u3000" or char in _NAME_PUNCTUATION:
            continue
        raise InvalidName(
            f"The name contains {char!r}, which cannot be part of a name."
        )
    return text


_KANA_RE = re.compile("[\u30a1-\u30fa\u30fc\u30fd\u30fe\u30fb\u3000]+")


def normalize_kana(text: str) -> str:
    """Reading of a name in full-width katakana: 'やまだ たろう' -> 'ヤマダ　タロウ'.

    Hiragana and half-width katakana are converted; hyphens and dashes are
    read as the long-vowel mark (a half-width keyboard has no 'ー'); the
    middle dot is kept for foreign names ('ジョン・スミス').  Anything else
    (kanji, Latin letters, digits) raises InvalidKana.
    """
    text = _clean(text, InvalidKana, "The reading")
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = _compose_kana(text.translate(_SPACING_VOICED_MARKS))
    text = jaconv.hira2kata(text)
    text = re.sub("[" + re.escape(_NON_KANA_HYPHENS) + "]", "ー", text)
    text = text.replace("･", "・").replace("\u00b7", "・")
    text = _SPACES_RE.sub("\u3000", text).strip("\u3000")
    if not text:
        raise InvalidKana("The reading is empty.")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidKana(f"The reading is longer than {MAX_NAME_LENGTH} characters.")
    if not _KANA_RE.fullmatch(text):
        bad = next(c for c in text if not _KANA_RE.fullmatch(c))
        raise InvalidKana(
            f"The reading must be written in kana only; {bad!r} is not kana."
        )
    return text


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------

# Accepted besides digits: a leading '+', spaces, hyphens/dashes, parentheses
# and dots.  Letters are refused: phonenumbers would read 'ABC' as 222.
_PHONE_ALLOWED_RE = re.compile(r"\+?[0-9 ().\-]+")


def _phone_prepare(text: object) -> str:
    text = _clean(text, InvalidPhoneNumber, "The phone number")
    text = text.translate(_FULLWIDTH_DIGITS).replace("\u3000", " ").replace("＋", "+")
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(_HYPHEN_CLASS, "-", text).strip()


def normalize_phone(text: str) -> str:
    """'０３－１２３４－５６７８' / '+81 3 1234 5678' -> '03-1234-5678'.

    Japanese numbers (fixed, mobile, 0120/0800 free-dial, 0570, 050) are
    returned in national format with phonenumbers' hyphenation.  A valid
    foreign number (a consumer abroad) is returned in international format
    ('+1 650-253-0000').  Extensions and vanity letters are refused.
    """
    prepared = _phone_prepare(text)
    if not prepared or not _PHONE_ALLOWED_RE.fullmatch(prepared):
        raise InvalidPhoneNumber(
            f"{prepared[:30]!r} is not a phone number: use digits, e.g. 03-1234-5678."
        )
    try:
        number = phonenumbers.parse(prepared, "JP")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(
            f"{prepared[:30]!r} is not a phone number: use digits, e.g. 03-1234-5678."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            f"{prepared[:30]!r} is not a valid phone number; please check the digits "
            f"(e.g. 03-1234-5678, 090-1234-5678)."
        )
    if phonenumbers.region_code_for_number(number) == "JP":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits(text: str) -> str:
    """The digits of a (possibly partial) phone number, as a search key.

    Does not validate, so an operator can search by '5678' or '1234-5678'.
    '+81 3-1234-5678' -> '0312345678' so that stored national numbers match.
    Raises InvalidPhoneNumber when there are no digits, or other characters
    than a phone number's.
    """
    prepared = _phone_prepare(text)
    if not _PHONE_ALLOWED_RE.fullmatch(prepared) or not any(c.isdigit() for c in prepared):
        raise InvalidPhoneNumber(f"{prepared[:30]!r} contains no phone number digits.")
    digits = re.sub(r"[^0-9]", "", prepared)
    if prepared.startswith("+81"):
        digits = "0" + digits[2:].lstrip("0")
    elif prepared.startswith("+"):
        digits = "+" + digits
    return digits


# --------------------------------------------------------------------------
# Free address text (street number, building, room)
# --------------------------------------------------------------------------

# Pictographs live outside the BMP; U+FE0F asks for emoji presentation.
# BMP symbols (☆ ★ ♪ ※) are kept: they are in JIS X 0208, real building
# names use them, and label fonts print them.
_EMOJI_LIKE = re.compile("[\U0001f000-\U0001faff\ufe0f]")
# 'ー' between digits is an IME slip for a hyphen ('1ー2ー3'); elsewhere it is
# the long vowel of a building name ('コーポ') and must stay.
_LONG_VOWEL_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")


def normalize_address_text(text: str) -> str:
    """'天神１ー２－３　ｺｰﾎﾟ天神 101' -> '天神1-2-3　コーポ天神　101'.

    Digits, Latin letters and hyphens become half-width ASCII; katakana
    becomes full-width; line breaks (a pasted multi-line address) and runs of
    spaces become one space (U+3000 when the text is Japanese, as for
    names).  Control characters and emoji are refused.
    """
    text = _clean(text, InvalidAddress, "The address", allow_newlines=True)
    text = text.replace("\n", " ")
    text = _LONG_VOWEL_BETWEEN_DIGITS.sub("-", text)
    text = re.sub("[" + re.escape(_NON_KANA_HYPHENS) + "]", "-", text)
    text = _width_cleanup(text)
    text = _LONG_VOWEL_BETWEEN_DIGITS.sub("-", text)  # again: 'ｰ' became 'ー'
    text = _collapse_spaces(text)
    if not text:
        raise InvalidAddress("The address is empty.")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress(f"The address is longer than {MAX_ADDRESS_LENGTH} characters.")
    emoji = _EMOJI_LIKE.search(text)
    if emoji:
        raise InvalidAddress(
            f"The address contains {emoji.group()!r}, which cannot be printed on a label."
        )
    return text
