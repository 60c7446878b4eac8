"""Typesetting helpers for letters: pure functions, no Django, no WeasyPrint.

WeasyPrint 70 has no ``writing-mode: vertical-rl``, so vertical Japanese is
built here: every column is a list of single characters that the template
stacks one per line inside an absolutely positioned box one character wide.
The positions are computed in millimetres so that the template, the tests and
the print room all agree on where things land.

Postcard geometry comes from the Japan Post rules quoted in
/work/shared/domain.md (100 x 148 mm; seven 5.7 x 8.0 mm postal-code boxes).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field

import jaconv

POSTCARD_WIDTH_MM = 100.0
POSTCARD_HEIGHT_MM = 148.0

# Postal-code boxes (domain.md): 5.7 wide, 8.0 tall, top 12.0 mm from the top,
# box 1 starts 44.3 mm from the left; gaps 1.3 (boxes 1-3), 1.9 (3-4), 1.1 (4-7).
BOX_WIDTH_MM = 5.7
BOX_HEIGHT_MM = 8.0
BOX_TOP_MM = 12.0
BOX_FIRST_LEFT_MM = 44.3
BOX_GAPS_MM = (1.3, 1.3, 1.9, 1.1, 1.1, 1.1)


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.width / 2, self.top + self.height / 2)


def postal_boxes() -> list[Box]:
    """The seven postal-code boxes, left to right, in mm from the top-left corner."""
    boxes, left = [], BOX_FIRST_LEFT_MM
    for i in range(7):
        boxes.append(Box(round(left, 3), BOX_TOP_MM, BOX_WIDTH_MM, BOX_HEIGHT_MM))
        if i < 6:
            left += BOX_WIDTH_MM + BOX_GAPS_MM[i]
    return boxes


def postal_digits(postal_code: str) -> list[str]:
    """'810-0001', '８１００００１' or '〒8100001' -> ['8','1','0','0','0','0','1'].

    Anything that is not exactly seven digits gives [] so the boxes stay empty
    (and check_letter reports it) instead of printing a wrong code.
    """
    digits = [c for c in unicodedata.normalize("NFKC", postal_code or "") if c.isdigit()]
    return digits if len(digits) == 7 else []


def format_postal_code(postal_code: str) -> str:
    d = postal_digits(postal_code)
    return f"{''.join(d[:3])}-{''.join(d[3:])}" if d else (postal_code or "")


KANJI_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
# Dashes an address uses between numbers ("1-2-3"); in a vertical column they
# become the long-vowel mark, which the font's "vert" feature turns upright.
_DASHES = "-‐‑‒–—―−－ｰ"
_DASH_BETWEEN_NUMBERS = re.compile(rf"(?<=[0-9〇一二三四五六七八九])[{_DASHES}ー](?=[0-9〇一二三四五六七八九])")


def to_vertical_text(text: str) -> str:
    """Normalise text for one-character columns.

    Arabic numerals become kanji numerals digit by digit (the postal
    convention: 12 -> 一二), dashes between numbers become ー (set upright by
    the "vert" feature), half-width kana and ASCII become full width so that
    every character fills one square cell.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(KANJI_DIGITS)
    text = _DASH_BETWEEN_NUMBERS.sub("ー", text)
    text = jaconv.h2z(text, kana=True, ascii=True, digit=True)
    return re.sub(r"\s+", "\u3000", text.strip())


def to_kanji_numerals(text: str) -> str:
    return (text or "").translate(KANJI_DIGITS)


# Characters that must not start a column (kinsoku): they hang at the bottom
# of the previous column instead.
_NO_COLUMN_START = set("、。，．）」』】〕〉》ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")


def split_columns(text: str, per_column: int) -> list[str]:
    """Split text into columns of at most per_column cells (one hanging char allowed)."""
    if per_column < 1:
        raise ValueError("per_column must be >= 1")
    cols, cur = [], ""
    for ch in text:
        if len(cur) >= per_column and not (ch in _NO_COLUMN_START and len(cur) == per_column):
            cols.append(cur)
            cur = ""
        cur += ch
    if cur:
        cols.append(cur)
    return cols


@dataclass
class Column:
    """One vertical column: its left edge, top and font size in mm."""

    chars: list[str]
    left: float
    top: float
    size: float
    role: str = ""


@dataclass
class VerticalBlock:
    columns: list[Column] = field(default_factory=list)
    truncated: bool = False
    size: float = 0.0


def set_vertical(lines: list[str], *, right: float, top: float, bottom: float,
                 max_columns: int, max_size: float, min_size: float,
                 pitch: float = 1.3, indents: list[float] | None = None,
                 role: str = "") -> VerticalBlock:
    """Lay lines out as columns going right to left, from x=right leftwards.

    The largest font size (0.25 mm steps) at which all lines fit in
    max_columns is used; if even min_size does not fit, the text is cut
    and ends with '…' (the caller reports truncated=True in its checks).
    indents[i] lowers the first column of line i (the building name under the
    street address is traditionally started a little lower).
    """
    indents = indents or []
    lines = [to_vertical_text(line) for line in lines if line and line.strip()]
    # Prefer one column per line (shrinking down to min_size) over wrapping:
    # a wrapped street address is harder for the carrier to read.
    size = max_size
    while size > min_size and len(_columns_for(lines, size, top, bottom, indents)) > len(lines):
        size = max(min_size, size - 0.25)
    cols = _columns_for(lines, size, top, bottom, indents)
    truncated = len(cols) > max_columns
    if truncated:
        cols = cols[:max_columns]
        last_text, last_top = cols[-1]
        cols[-1] = (last_text[:-1] + "…", last_top)
    block = VerticalBlock(truncated=truncated, size=size)
    for i, (text, col_top) in enumerate(cols):
        left = right - size - i * size * pitch
        block.columns.append(Column(list(text), round(left, 3), round(col_top, 3), size, role))
    return block


def _columns_for(lines, size, top, bottom, indents):
    """(text, top) per column; a wrapped line continues at its own indent."""
    cols = []
    for i, line in enumerate(lines):
        indent = indents[i] if i < len(indents) else 0.0
        per_column = max(1, int((bottom - top - indent) // size))
        cols.extend((c, top + indent) for c in split_columns(line, per_column))
    return cols


def centred_name_column(name: str, honorific: str, *, centre_x: float, top: float,
                        bottom: float, max_size: float, min_size: float,
                        max_columns: int = 2) -> VerticalBlock:
    """The addressee's name, large, centred on centre_x, followed by the honorific.

    A one-cell gap separates name and 様, as on a hand-written postcard.
    A long name shrinks first, then wraps into more columns (still centred as
    a group), then is cut.
    """
    text = to_vertical_text(name) + "\u3000" + honorific
    size = max_size
    while True:
        per = max(1, int((bottom - top) // size))
        cols = split_columns(text, per)
        if len(cols) == 1 or size <= min_size:
            break
        size = max(min_size, size - 0.25)
    truncated = len(cols) > max_columns
    if truncated:
        cols = cols[:max_columns]
        # Keep the honorific: the cut shows as '…' before 様.
        cols[-1] = cols[-1][: -(len(honorific) + 2)] + "…\u3000" + honorific
    pitch = size * 1.15
    group_width = size + (len(cols) - 1) * pitch
    first_left = centre_x + group_width / 2 - size
    block = VerticalBlock(truncated=truncated, size=size)
    for i, text in enumerate(cols):
        # Centre a single short column vertically in the upper part like a hand-written name.
        block.columns.append(Column(list(text), round(first_left - i * pitch, 3), top, size, "name"))
    return block


def format_date(date: _dt.date, language: str) -> str:
    if language == "ja":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {date.strftime('%B')} {date.year}"


def format_date_vertical(date: _dt.date) -> str:
    """令和 era, kanji numerals, as printed on vertical Japanese forms."""
    year = date.year - 2018  # Reiwa 1 = 2019
    era = "令和元" if year == 1 else f"令和{to_kanji_numerals(str(year))}"
    return f"{era}年{to_kanji_numerals(str(date.month))}月{to_kanji_numerals(str(date.day))}日"
