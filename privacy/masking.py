"""Finding and masking a consumer's personal data in free text staff wrote.

An operator may type the consumer's name, reading, phone, e-mail or address into the description
(or a no-sample reason, a comment ...) that factory QA read. The stored text stays whole for staff;
factory readers get it through defects.selectors, which calls `mask_for_case` (registered as a hook),
so every page, API answer and PDF a factory user reads is masked in that one place.

Matching is done on a folded copy of the text, so that the same data typed another way is found:
full-width and half-width forms (NFKC), katakana and hiragana (both read as hiragana), upper and
lower case, and any spaces between the characters of a name ('山田太郎', '山田　太郎', 'ﾔﾏﾀﾞ ﾀﾛｳ').
Phone numbers match on their digits with any separators ('092(555)0123', '０９２－５５５－０１２３',
'+81 92 555 0123'). Each match is mapped back to the original characters and replaced by MASK.
Besides the consumer's own data, any e-mail address and any Japanese phone number are masked too:
they are personal data whoever they belong to (a relative, a neighbour).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import jaconv

MASK = "●●●"
# What an erased consumer's fields hold: never a pattern to look for.
from defects.personal_data import ERASED  # noqa: E402

_VOICED_MARKS = "\u3099\u309a"
# Between the digits of a phone number or the parts of an address, after folding.
_SEP = r"[\s\-‐‑‒–—―−ー().・/]*"
_HYPHENISH = set("-‐‑‒–—―−ー")
_GENERIC_EMAIL = re.compile(r"[a-z0-9_.+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
# A Japanese phone number: 0 and 9 or 10 more digits, optionally separated (checked in _generic_phones).
_GENERIC_PHONE = re.compile(r"(?<![0-9])(?:\+81" + _SEP + r"|0)[0-9](?:" + _SEP + r"[0-9]){8,9}(?![0-9])")


def fold(text: str) -> tuple[str, list[int]]:
    """The text folded for matching, and for each folded character the index of its original one."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        folded = jaconv.kata2hira(unicodedata.normalize("NFKC", char)).lower()
        for piece in folded:
            if piece in _VOICED_MARKS and out and where[-1] != index:
                # A separate (half-width) voiced mark: compose it onto the kana before it ('ﾀﾞ' -> 'だ').
                out[-1] = unicodedata.normalize("NFC", out[-1] + piece)
                continue
            out.append(piece)
            where.append(index)
    return "".join(out), where


def _chars_pattern(value: str) -> str:
    """A regex for the folded value with any spaces between its characters; hyphens match any dash."""
    parts = []
    for char in fold(value)[0]:
        if char.isspace():
            continue
        parts.append("[-‐‑‒–—―−ー]" if char in _HYPHENISH else re.escape(char))
    return r"\s*".join(parts)


def _digits(value: str) -> str:
    return "".join(ch for ch in fold(value or "")[0] if ch.isdigit())


def _phone_pattern(digits: str) -> str | None:
    if len(digits) < 7:
        return None
    rest = digits[1:] if digits.startswith("0") else digits
    head = r"(?:0|\+?81" + _SEP + r"(?:\(0\))?" + _SEP + ")" if digits.startswith("0") else ""
    return r"(?<![0-9])" + head + _SEP.join(re.escape(d) for d in rest) + r"(?![0-9])"


def _address_patterns(address: str, postal_code: str) -> list[str]:
    patterns = []
    folded = fold(address or "")[0].strip()
    if folded and folded != fold(ERASED)[0]:
        candidates = {folded}
        without_prefecture = re.sub(r"^.*?[都道府県]", "", folded, count=1)
        candidates.add(without_prefecture)
        city = re.match(r"^.*[市区郡町村](?=[^市区郡町村]*[0-9])", without_prefecture)
        if city:
            street = without_prefecture[city.end():].strip()
            candidates.add(street)
            # Each part on its own: '天神9-8-7', 'ひとつぶハイツ305', and the building without its room.
            for part in street.split():
                candidates.add(part)
                candidates.add(re.sub(r"[0-9a-z\-]+(号室|号|f|階)?$", "", part))
        for candidate in candidates:
            # Too short a fragment ('1-2') would mask lot codes and quantities.
            if len(candidate.replace(" ", "")) >= 5 and any(not ch.isdigit() and ch not in "- " for ch in candidate):
                patterns.append(_chars_pattern(candidate))
    digits = _digits(postal_code)
    if len(digits) == 7:
        patterns.append(r"(?<![0-9])(?:〒\s*)?" + digits[:3] + _SEP + digits[3:] + r"(?![0-9])")
    return patterns


def _name_patterns(value: str) -> list[str]:
    folded = fold(value or "")[0].strip()
    if not folded or folded == fold(ERASED)[0]:
        return []
    patterns = [_chars_pattern(folded)]
    parts = folded.split()
    if len(parts) > 1:
        # The family name alone ('山田様から') is the consumer too; one-character parts are too common.
        patterns += [_chars_pattern(part) for part in parts if len(part) >= 2]
    return patterns


@dataclass(frozen=True)
class Patterns:
    by_kind: dict[str, re.Pattern]

    def spans(self, folded: str) -> list[tuple[int, int, str]]:
        found = []
        for kind, pattern in self.by_kind.items():
            found += [(m.start(), m.end(), kind) for m in pattern.finditer(folded) if m.end() > m.start()]
        found += [(m.start(), m.end(), "email") for m in _GENERIC_EMAIL.finditer(folded)]
        found += [(m.start(), m.end(), "phone") for m in _GENERIC_PHONE.finditer(folded)]
        return found


def patterns_for(consumer) -> Patterns:
    """The patterns of one consumer (a Consumer or a mapping with its field names)."""
    get = consumer.get if isinstance(consumer, dict) else (lambda name, default="": getattr(consumer, name, default))
    by_kind: dict[str, list[str]] = {
        "name": _name_patterns(get("name", "")),
        "kana": _name_patterns(get("name_kana", "")),
        "address": _address_patterns(get("address", ""), get("postal_code", "")),
        "phone": [p for p in [_phone_pattern(_digits(get("phone", "")))] if p],
        "email": [re.escape(fold(get("email", ""))[0].strip())] if "@" in (get("email", "") or "") else [],
    }
    compiled = {}
    for kind, alternatives in by_kind.items():
        # Longest first: the full name wins over the family name alone.
        alternatives = sorted({a for a in alternatives if a}, key=len, reverse=True)
        if alternatives:
            compiled[kind] = re.compile("|".join(f"(?:{a})" for a in alternatives))
    return Patterns(compiled)


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end, _kind in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mask(text: str, patterns: Patterns) -> str:
    if not text:
        return text
    folded, where = fold(text)
    spans = _merged(patterns.spans(folded))
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in spans:
        original_start, original_end = where[start], where[end - 1] + 1
        if original_start < last:
            continue
        pieces += [text[last:original_start], MASK]
        last = original_end
    pieces.append(text[last:])
    return "".join(pieces)


def find(consumer, text: str) -> list[str]:
    """The kinds of personal data the text quotes, in a fixed order (for the operator's warning)."""
    if not text:
        return []
    if isinstance(consumer, dict):
        patterns = patterns_for(consumer)
    else:  # a Consumer: its patterns are built once (as mask_for_case keeps them), not per text
        patterns = getattr(consumer, "_privacy_patterns", None)
        if patterns is None:
            patterns = consumer._privacy_patterns = patterns_for(consumer)
    kinds = {kind for _s, _e, kind in patterns.spans(fold(text)[0])}
    return [kind for kind in ("name", "kana", "phone", "email", "address") if kind in kinds]


def _consumer_of(case):
    try:
        return case.consumer
    except Exception:  # no consumer row (a case being built): only the generic patterns apply
        return None


def mask_for_case(case, text: str) -> str:
    """The hook defects.selectors calls for factory readers. Patterns are cached on the consumer
    instance: a page masks several texts of the same case with one compilation."""
    consumer = _consumer_of(case)
    if consumer is None:
        return mask(text, Patterns({}))
    cached = getattr(consumer, "_privacy_patterns", None)
    if cached is None:
        cached = patterns_for(consumer)
        consumer._privacy_patterns = cached
    return mask(text, cached)
