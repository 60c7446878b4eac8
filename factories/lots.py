"""Route a case to the factory from the lot code printed on the package.

Japanese food packaging prints the best-before date (賞味期限), often a
production lot, and the plant code (製造所固有記号): up to 10 letters, digits
or kana that identify the plant, printed after a '+' when it sits next to
the date.  Each product describes how its lot code is printed with a small
**format** string, and lists its plant codes with the factory each maps to.

Format language
---------------

    [BB: | MFG:] tokens...

    BB:   the date in the code is the best-before date (the default)
    MFG:  the date in the code is the production date
    YYYY  four-digit year          YY  two-digit year (20YY)
    MM    two-digit month          DD  two-digit day
    P     the plant code; a run (PP) means the same.  Its length is not
          fixed: it is whatever the other, fixed-width, tokens leave over.
    L     one character of the production line; LL for two, and so on
    #     one digit that is not decoded (shift, batch counter...)
    ?     one letter or digit that is not decoded
    'AB'  quoted literal, for a letter that is also a token ('L')
    other upper-case letters and digits: literals printed as they are
    spaces and . / - : + , ・ and other dashes: ignored, in the format and in
          the lot code alike, since printers and consumers place them freely

A date is optional, but if present it is a year and a month, with or
without a day (best-before dates of long-life sweets are printed as
'2027.05').  Exactly one P is required: routing is the point.

Examples: 'YYMMDD P L' decodes '261120 ky 3'; 'YYYY.MM.DD PP-L' decodes
'２０２６．１１．２０ ＫＹ－３'; 'MFG: YYMMDD L #### +P'.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "LotError",
    "LotFormatError",
    "UndecodableLot",
    "UnknownPlantCode",
    "LotInfo",
    "normalize_lot_code",
    "normalize_plant_code",
    "decode_lot",
    "MAX_PLANT_CODE_LENGTH",
]


class LotError(ValueError):
    """Base class of this module's errors."""


class LotFormatError(LotError):
    """The product's format string or plant list is wrong (a set-up error)."""


class UndecodableLot(LotError):
    """The consumer's lot code cannot be read with the product's format."""


class UnknownPlantCode(LotError):
    """The lot code reads fine but names no plant of this product.

    The case goes to the 'unrouted' queue; `plant_code` and `lot_code` tell
    the person routing it what was read.
    """

    def __init__(self, message: str, *, plant_code: str, lot_code: str) -> None:
        super().__init__(message)
        self.plant_code = plant_code
        self.lot_code = lot_code


DateKind = Literal["best_before", "production"]


@dataclass(frozen=True)
class LotInfo:
    plant_code: str
    factory_code: str
    line: str  # '' when the format has no L
    date: dt.date | None  # the 1st of the month when date_precision is 'month'
    date_kind: DateKind = "best_before"
    date_precision: Literal["day", "month"] | None = None
    lot_code: str = ""  # the normalized code that was decoded


# 製造所固有記号: at most 10 characters (消費者庁 rules for the plant code).
MAX_PLANT_CODE_LENGTH = 10
_MAX_INPUT = 200

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u30fc\uff70\ufe58\ufe63"
# Applied after NFKC, which already turned full-width '．／－：＋' into ASCII.
_SEPARATORS_RE = re.compile(r"[\s.,/:;+*_\-・･" + re.escape(_DASHES) + "]")
# What a lot code may contain once separators are gone: ASCII upper-case
# letters, digits, and kana (plant codes may be kana).
_CODE_CHAR = "0-9A-Z\u3041-\u3096\u30a1-\u30fa"
_CODE_RE = re.compile(f"[{_CODE_CHAR}]+")


def _normalize(text: str) -> str:
    return _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", text).upper())


def normalize_lot_code(text: str) -> str:
    """'２０２６．１１．２０ ＫＹ３' -> '20261120KY3'.

    NFKC (full-width to half-width, half-width kana to full-width), upper
    case, separators and spaces removed.  Raises UndecodableLot for None,
    empty text, or characters that never occur in a lot code (control
    characters, emoji, punctuation other than separators).
    """
    if text is None:
        raise UndecodableLot("The lot code is missing.")
    if not isinstance(text, str):
        raise UndecodableLot(f"The lot code must be text, not {type(text).__name__}.")
    if len(text) > _MAX_INPUT:
        raise UndecodableLot(f"The lot code is far too long ({len(text)} characters).")
    code = _normalize(text)
    if not code:
        raise UndecodableLot("The lot code is empty.")
    if not _CODE_RE.fullmatch(code):
        bad = next(c for c in code if not _CODE_RE.fullmatch(c))
        shown = repr(bad) if bad.isprintable() else f"U+{ord(bad):04X}"
        raise UndecodableLot(f"The lot code contains {shown}, which is not printed in lot codes.")
    return code


def normalize_plant_code(text: str) -> str:
    """'+ｋｙ' -> 'KY'; raises LotFormatError for what cannot be a plant code."""
    if not isinstance(text, str):
        raise LotFormatError(f"A plant code must be text, not {type(text).__name__}.")
    code = _normalize(text)
    if not code or len(code) > MAX_PLANT_CODE_LENGTH or not _CODE_RE.fullmatch(code):
        raise LotFormatError(
            f"{text!r} is not a plant code (1-{MAX_PLANT_CODE_LENGTH} letters, digits or kana)."
        )
    return code


@dataclass(frozen=True)
class _CompiledFormat:
    regex: re.Pattern[str]
    date_kind: DateKind
    example: str  # shown in error messages


# Token -> (regex, example text).  Longest spellings first.
_TOKENS = {
    "YYYY": (r"(?P<year4>[0-9]{4})", "2026"),
    "YY": (r"(?P<year2>[0-9]{2})", "26"),
    "MM": (r"(?P<month>[0-9]{2})", "11"),
    "DD": (r"(?P<day>[0-9]{2})", "20"),
}
_FORMAT_TOKEN_RE = re.compile(r"YYYY|YY|MM|DD|P+|L+|#|\?|'[^']*'|[0-9A-Z]|[\s.,/:;+*_\-・]|.")


@lru_cache(maxsize=256)
def _compile(fmt: str) -> _CompiledFormat:
    if not isinstance(fmt, str) or not fmt.strip():
        raise LotFormatError("The lot format is empty.")
    date_kind: DateKind = "best_before"
    # NFKC so that a format typed with full-width characters means the same.
    body = unicodedata.normalize("NFKC", fmt).strip()
    for prefix, kind in (("BB:", "best_before"), ("MFG:", "production")):
        if body.upper().startswith(prefix):
            date_kind, body = kind, body[len(prefix):]  # type: ignore[assignment]
            break
    parts: list[str] = []
    example: list[str] = []
    seen: set[str] = set()
    for token in _FORMAT_TOKEN_RE.findall(body):
        kind = token[0] if token[0] in "PL" else token
        if kind in seen and kind in ("YYYY", "YY", "MM", "DD", "P", "L"):
            raise LotFormatError(f"The lot format {fmt!r} has {token!r} twice.")
        seen.add(kind)
        if token in _TOKENS:
            parts.append(_TOKENS[token][0])
            example.append(_TOKENS[token][1])
        elif kind == "P":
            parts.append(f"(?P<plant>[{_CODE_CHAR}]{{1,{MAX_PLANT_CODE_LENGTH}}}?)")
            example.append("KY")
        elif kind == "L":
            parts.append(f"(?P<line>[0-9A-Z]{{{len(token)}}})")
            example.append("1" * len(token))
        elif token == "#":
            parts.append("[0-9]")
            example.append("0")
        elif token == "?":
            parts.append("[0-9A-Z]")
            example.append("A")
        elif token.startswith("'"):
            literal = _normalize(token[1:-1])
            parts.append(re.escape(literal))
            example.append(literal)
        elif token in ("Y", "M", "D"):
            raise LotFormatError(
                f"The lot format {fmt!r} has a lone {token!r}: write YY/YYYY, MM, DD, "
                f"or quote a literal letter ('{token}')."
            )
        elif re.fullmatch(r"[0-9A-Z]", token):
            parts.append(re.escape(token))
            example.append(token)
        elif _SEPARATORS_RE.fullmatch(token):
            example.append(token)
        else:
            raise LotFormatError(
                f"The lot format {fmt!r} has {token!r}, which is not a token "
                f"(YYYY YY MM DD P L # ?), a quoted literal or a separator."
            )
    year = {"YYYY", "YY"} & seen
    if len(year) > 1:
        raise LotFormatError(f"The lot format {fmt!r} has both YYYY and YY.")
    if ("DD" in seen and "MM" not in seen) or (bool(year) != ("MM" in seen)):
        raise LotFormatError(
            f"The lot format {fmt!r} must give a year and a month (and optionally a day) or no date."
        )
    if "P" not in seen:
        raise LotFormatError(f"The lot format {fmt!r} has no plant code (P).")
    # The plant code is the only variable-width token, so a match is unique.
    return _CompiledFormat(re.compile("".join(parts)), date_kind, "".join(example).strip())


def _date_from(match: re.Match[str], lot: str) -> tuple[dt.date | None, str | None]:
    groups = match.groupdict()
    if groups.get("month") is None:
        return None, None
    year = int(groups["year4"]) if groups.get("year4") else 2000 + int(groups["year2"])
    month = int(groups["month"])
    if not 1 <= month <= 12:
        raise UndecodableLot(f"The lot code {lot} gives month {month:02d}, which does not exist.")
    if groups.get("day") is None:
        return dt.date(year, month, 1), "month"
    day = int(groups["day"])
    try:
        return dt.date(year, month, day), "day"
    except ValueError:
        raise UndecodableLot(
            f"The lot code {lot} gives the date {year}-{month:02d}-{day:02d}, which does not exist."
        ) from None


def decode_lot(text: str, fmt: str, plant_codes: dict[str, str]) -> LotInfo:
    """Read a printed lot code with the product's format.

    `plant_codes` maps each plant code the product is printed with to the
    code of the factory that makes it ({'KY': 'kyushu', '+SA': 'saitama'};
    codes are normalized like lot codes).  Raises UndecodableLot (with the
    reason) when the text does not fit the format or gives an impossible
    date, UnknownPlantCode when it fits but names a plant not in
    `plant_codes`, LotFormatError when the format or plant list is wrong.

    The plant code is whatever the fixed-width tokens leave, so a code with
    a character missing or extra reads as an unknown plant ('261120KY' with
    'YYMMDD P L' gives plant 'K', line 'Y').  That is safe: the case waits in
    the unrouted queue, and the exception carries the lot code for a person.
    An impossible date is reported before an unknown plant: it means the
    code itself was misread.
    """
    compiled = _compile(fmt)
    if not isinstance(plant_codes, dict) or not plant_codes:
        raise LotFormatError("The product has no plant codes to route by.")
    known: dict[str, str] = {}
    for raw, factory in plant_codes.items():
        code = normalize_plant_code(raw)
        if code in known and known[code] != factory:
            raise LotFormatError(f"The plant code {code} is listed twice for different factories.")
        known[code] = factory
    lot = normalize_lot_code(text)
    match = compiled.regex.fullmatch(lot)
    if match is None:
        raise UndecodableLot(
            f"The lot code {lot} does not fit this product's format {fmt!r} "
            f"(printed like {compiled.example!r}); please read it again from the package."
        )
    date, precision = _date_from(match, lot)
    plant = match.group("plant")
    if plant not in known:
        raise UnknownPlantCode(
            f"The lot code {lot} names the plant code {plant}, which is not one of this "
            f"product's plants ({', '.join(sorted(known))}).",
            plant_code=plant,
            lot_code=lot,
        )
    return LotInfo(
        plant_code=plant,
        factory_code=known[plant],
        line=match.groupdict().get("line") or "",
        date=date,
        date_kind=compiled.date_kind,
        date_precision=precision,
        lot_code=lot,
    )
