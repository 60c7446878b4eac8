"""Turn a caller's plain context (see letters/pdf.py) into what a template needs.

Preparation is tolerant: a missing value becomes "" so that check_letter can
render the letter and report *every* problem, instead of stopping at the first
KeyError. Printing goes through check_letter first; rendering itself never
refuses a context.

All lengths handed to templates are pre-formatted strings ("44.300"): Django
would otherwise localise floats, and a decimal comma would break the CSS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata

import segno
from django.utils import timezone

from letters import typesetting as ts

# Address side of the postcard, mm from the top-left corner (see domain.md for
# the boxes). Address on the right under the boxes, name in the centre,
# sender small at the lower left.
ADDRESS_RIGHT_MM = 92.0
ADDRESS_TOP_MM = 26.0
ADDRESS_BOTTOM_MM = 126.0
NAME_CENTRE_X_MM = 50.0
NAME_TOP_MM = 30.0
NAME_BOTTOM_MM = 134.0
SENDER_RIGHT_MM = 30.0
SENDER_TOP_MM = 92.0
SENDER_BOTTOM_MM = 140.0
DIGIT_FONT_MM = 6.0  # kept in step with .pc-digit in postcard.css


def _get(obj, key, default=""):
    """Read key from a dict or attribute from a dataclass/object."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(key, default)
    else:
        value = getattr(obj, key, default)
    return default if value is None else value


def _as_dict(obj) -> dict:
    if obj is None:
        return {}
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return dict(obj)


def mm(value: float) -> str:
    return f"{value:.3f}"


def _person(obj) -> dict:
    d = {k: ("" if v is None else v) for k, v in _as_dict(obj).items()}
    for key in ("name", "postal_code", "address", "phone", "hours", "responsible"):
        d.setdefault(key, "")
    d["postal_text"] = ts.format_postal_code(str(d["postal_code"]))
    d["address_lines"] = _lines(d["address"])
    d["address"] = "\n".join(d["address_lines"])
    return d


def _lines(address) -> list[str]:
    if isinstance(address, (list, tuple)):
        return [str(a) for a in address if str(a).strip()]
    return [line for line in str(address or "").splitlines() if line.strip()]


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        # The letter's date is the day in the configured zone, not in UTC (09:00 JST is still "yesterday" in UTC).
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, dt.date) else None


def _common(ctx) -> dict:
    language = "en" if _get(ctx, "language", "ja") == "en" else "ja"
    date = _date(_get(ctx, "date", None))
    return {
        "language": language,
        "date": date,
        "date_text": ts.format_date(date, language) if date else "",
        "reference": str(_get(ctx, "reference")),
        "product_name": str(_get(ctx, "product_name")),
        "consumer": _person(_get(ctx, "consumer", {})),
        "sender": _person(_get(ctx, "sender", {})),
        "problems": [],
    }


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    latin = [c for c in letters if unicodedata.name(c, "").startswith("LATIN")]
    return bool(letters) and len(latin) * 2 > len(letters)


def prepare_postcard(ctx, *, vertical: bool = True, print_boxes: bool = False) -> dict:
    card = _common(ctx)
    card["sender_postal"] = card["sender"]["postal_text"]
    card["print_boxes"] = bool(_get(ctx, "print_boxes", print_boxes))
    direction = _get(ctx, "address_direction", "vertical" if vertical else "horizontal")
    # A name in Latin letters is unreadable set one letter per cell: horizontal.
    card["vertical"] = direction == "vertical" and not _mostly_latin(card["consumer"]["name"])
    boxes = ts.postal_boxes()
    card["boxes"] = [{k: mm(v) for k, v in dataclasses.asdict(b).items()} for b in boxes]
    # The short line between box 3 and box 4 on official cards.
    card["dash"] = {"left": mm(boxes[2].left + boxes[2].width + 0.35), "width": mm(1.2),
                    "top": mm(boxes[2].top + boxes[2].height / 2)}
    digits = ts.postal_digits(card["consumer"]["postal_code"])
    if not digits:
        card["problems"].append("consumer postal code is not seven digits")
    card["digits"] = [
        {"digit": d, "left": mm(b.left), "width": mm(b.width),
         "top": mm(b.top), "height": mm(b.height)}
        for d, b in zip(digits, boxes)
    ]
    consumer, sender = card["consumer"], card["sender"]
    card["address_lines"] = consumer["address_lines"]
    columns = []
    if card["vertical"]:
        address = ts.set_vertical(consumer["address_lines"], right=ADDRESS_RIGHT_MM,
                                  top=ADDRESS_TOP_MM, bottom=ADDRESS_BOTTOM_MM, max_columns=4,
                                  max_size=5.0, min_size=3.5, indents=[0.0, 12.0, 12.0],
                                  role="address")
        name = ts.centred_name_column(consumer["name"], "様", centre_x=NAME_CENTRE_X_MM,
                                      top=NAME_TOP_MM, bottom=NAME_BOTTOM_MM,
                                      max_size=9.0, min_size=5.0, max_columns=2)
        # Right to left: postal code + address, organisation, department, phone.
        sender_lines = [f"〒{sender['postal_text']}" if sender["postal_text"] else "",
                        *sender["address_lines"], *str(sender["name"]).split(),
                        f"電話　{sender['phone']}" if sender["phone"] else ""]
        sender_block = ts.set_vertical(sender_lines, right=SENDER_RIGHT_MM, top=SENDER_TOP_MM,
                                       bottom=SENDER_BOTTOM_MM, max_columns=7, max_size=3.0,
                                       min_size=2.2, pitch=1.25, role="sender")
        for block, label in ((address, "consumer address"), (name, "consumer name")):
            if block.truncated:
                card["problems"].append(f"{label} too long for the postcard; it was cut")
        columns = address.columns + name.columns + sender_block.columns
    card["columns"] = [
        # One character per line, newline-separated under white-space: pre:
        # far cheaper for WeasyPrint than a <br> element per character.
        {"text": "\n".join(c.chars), "left": mm(c.left), "top": mm(c.top), "size": mm(c.size),
         "role": c.role}
        for c in columns
    ]
    return card


def qr_svg(data: str) -> str:
    """Inline SVG of a full QR code (not Micro QR: phone scanners ignore those)."""
    if not data:
        return ""
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(scale=0.9, unit="mm", border=4)


def prepare_return_kit(ctx) -> dict:
    kit = _common(ctx)
    kit["return_reference"] = str(_get(ctx, "return_reference") or kit["reference"])
    kit["carrier"] = str(_get(ctx, "carrier"))
    kit["return_to"] = _person(_get(ctx, "return_to", {}))
    kit["qr_svg"] = qr_svg(kit["return_reference"])
    return kit


CONCLUSIONS = ("determined", "probable", "not_determined")


def _paragraphs(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [p.strip() for p in str(text or "").split("\n\n") if p.strip()]


def _items(values) -> list[dict]:
    items = []
    for v in values or []:
        name, qty = (v, 1) if isinstance(v, str) else (_get(v, "name"), _get(v, "quantity", 1))
        items.append({"name": str(name), "quantity": qty})
    return items


def prepare_apology_letter(ctx) -> dict:
    letter = _common(ctx)
    letter["factory"] = _person(_get(ctx, "factory", {}))
    summary = _get(ctx, "summary", {})
    conclusion = _get(summary, "conclusion", "determined")
    if conclusion not in CONCLUSIONS:
        letter["problems"].append(f"unknown conclusion {conclusion!r}")
        conclusion = "not_determined"  # the variant that claims nothing
    letter["conclusion"] = conclusion
    letter["defect"] = str(_get(summary, "defect"))
    # Letters rendered before these keys existed read as before: an own investigation of a returned product.
    letter["adopted"] = bool(_get(summary, "adopted", False))
    letter["sample_returned"] = bool(_get(summary, "sample_returned", True))
    keys = ("examined", "findings", "manufacturing_process", "cause_occurrence",
            "cause_escape", "prevention")
    letter["sections"] = {k: _paragraphs(_get(summary, k)) for k in keys}
    letter["replacement"] = _items(_get(ctx, "replacement", []))
    letter["goodwill"] = str(_get(ctx, "goodwill"))
    return letter


def prepare_packing_slip(ctx) -> dict:
    slip = _common(ctx)
    slip["items"] = _items(_get(ctx, "items", None) or _get(ctx, "replacement", []))
    slip["include_letter"] = bool(_get(ctx, "include_letter", True))
    slip["goodwill"] = str(_get(ctx, "goodwill"))
    return slip


# Required values per kind: dotted paths into the *prepared* context.
_PEOPLE = ["consumer.name", "consumer.postal_code", "consumer.address"]
_SENDER = ["sender.name", "sender.address", "sender.phone"]
REQUIRED = {
    "first_notice_postcard": ["date", "reference", "product_name", *_PEOPLE, *_SENDER,
                              "sender.hours"],
    "return_kit": ["date", "reference", "return_reference", "product_name", "carrier",
                   "consumer.name", "return_to.name", "return_to.address",
                   "return_to.phone", *_SENDER],
    "apology_letter": ["date", "reference", "product_name", "consumer.name", "factory.name",
                       "factory.address", "factory.responsible", "replacement"],
    "packing_slip": ["date", "reference", *_PEOPLE, "sender.name", "sender.address", "items"],
}
LETTER_SECTIONS = {
    "determined": ["examined", "manufacturing_process", "cause_occurrence", "cause_escape",
                   "prevention"],
    "not_determined": ["examined", "findings", "prevention"],
}
LETTER_SECTIONS["probable"] = LETTER_SECTIONS["determined"]


def missing_values(kind: str, prepared: dict) -> list[str]:
    missing = []
    for path in REQUIRED[kind]:
        value = prepared
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value in (None, "", [], {}) or (isinstance(value, str) and not value.strip()):
            missing.append(path)
    if kind == "apology_letter":
        missing += [f"summary.{k}" for k in LETTER_SECTIONS[prepared["conclusion"]]
                    if not prepared["sections"][k]]
    return missing


PREPARE = {
    "first_notice_postcard": prepare_postcard,
    "return_kit": prepare_return_kit,
    "apology_letter": prepare_apology_letter,
    "packing_slip": prepare_packing_slip,
}
