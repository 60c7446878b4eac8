"""One normalisation for search: the keys stored with the data and the query are made the same way,
so that whatever keyboard typed them, the same text compares equal.

* `normalise(text)`: NFKC (full-width digits and letters to ASCII, half-width katakana to
  full-width), every kind of space removed, katakana folded onto hiragana ('ヤマダ', 'ﾔﾏﾀﾞ' and
  'やまだ' are one key), case folded ('D-2026' and 'ｄ－２０２６' are one key).
* `digits(text)`: the ASCII digits of a phone number ('０９０-８７６５' -> '0908765').
* `compact(text)`: `normalise` without hyphens and dashes, for references ('d2026000123').

Keys are written with the data (Consumer.save, DefectCase.save, Product.save) so that an index can
serve them; bulk writers call `consumer_keys(...)`. Pure Python: no Django imports.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

__all__ = ["PHONE_MIN_DIGITS", "compact", "consumer_keys", "digits", "is_phone_like", "normalise"]

# Any 4 consecutive digits of a phone number find it ('4321' from '090-8765-4321').
PHONE_MIN_DIGITS = 4

_SPACES_RE = re.compile(r"\s+")  # after NFKC: ASCII spaces, tabs, newlines (U+3000 is already ' ')
# Hyphens and dashes, but not the long-vowel mark 'ー' (a letter of kana words) after NFKC.
_DASHES_RE = re.compile("[-\u2010-\u2015\u2043\u2212\ufe58\ufe63]")
_PHONE_LIKE_RE = re.compile(r"\+?[0-9()\-\s.]+")


def normalise(text: str | None) -> str:
    """'山田　花子' -> '山田花子', 'ﾔﾏﾀﾞ ﾊﾅｺ' -> 'やまだはなこ', 'ｄ－２０２６' -> 'd-2026'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES_RE.sub("", text)
    return jaconv.kata2hira(text).casefold()


def compact(text: str | None) -> str:
    """`normalise` without hyphens and dashes: 'D-2026-000123' -> 'd2026000123'."""
    return _DASHES_RE.sub("", normalise(text))


def digits(text: str | None) -> str:
    """The ASCII digits of the text: '０９０－８７６５－４３２１' -> '09087654321'."""
    if not text:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")


def is_phone_like(text: str | None) -> bool:
    """True when the query is (part of) a phone number: digits with separators, at least 4 digits.
    '天神2-5-8' is not, so an address search does not also match phones by '258'."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return bool(_PHONE_LIKE_RE.fullmatch(text)) and len(digits(text)) >= PHONE_MIN_DIGITS


def consumer_keys(*, name: str = "", name_kana: str = "", address: str = "", email: str = "",
                  phone: str = "") -> dict[str, str]:
    """The Consumer's search columns for these details (what Consumer.save() writes)."""
    return {
        "name_key": normalise(name),
        "kana_key": normalise(name_kana),
        "address_key": normalise(address),
        "email_key": normalise(email),
        "phone_digits": digits(phone),
    }
