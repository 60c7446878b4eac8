"""The first-notice postcard printed as a form: the print room's fast batch path.

domain.md: the first notice is "a printed form with only the date (and case details)
filled in". The batch renders it that way, per chunk of cards, in ONE WeasyPrint
document whose pages are, in order:

* static layers: per group of cards that share everything but the filled-in parts
  (language, sender, box printing, address direction), the whole card from the usual
  templates with ``form_layer="static"`` (parts/postcard_card.html): the vermilion boxes
  and the sender on the address side; the message side with the date and the values of
  the case details hidden (``visibility: hidden``, so everything keeps its place);
* shared pieces: what at least MIN_SHARE cards of the chunk have at the same place, laid
  out once: postal digits (10 digits x 7 boxes at most), column starts (a batch is in
  postal-code order: neighbours share prefecture, city, ward), dates, product names;
* per card, its variable layer (parts/postcard_variable.html): the rest of the
  addressee's columns and the other values (the reference), each where the whole card
  puts it. Address-side parts are absolutely positioned in mm on the whole card already;
  the message-side values go where the static layout put their hidden placeholders
  (Slot). Positions are class rules in the chunk's <style>, not style attributes:
  WeasyPrint parses each style attribute on its own, a rule once.

A WeasyPrint finisher (FormFinisher) turns every page before the cards into a Form
XObject, draws the ones that belong to a card under its pages (one small content stream
per layer, shared by all pages that use it) and takes them out of the page tree. So the
shared parts are stored once per chunk, all text shares one font subset per chunk, and
no content stream is rewritten by another tool: pypdfium2 only appends finished chunks.

A card whose filled-in value would not stay on its one line (a long product name or
reference, an empty date) would move the message text below it; it is set whole
(parts/postcard_card.html) in the same chunk, so it looks exactly as render_one makes it.

The chunk document uses WeasyPrint's HTML user agent stylesheet without its @page block
(FormHTML): its 16 margin-box rules are computed for every page (~1.3 ms per page), and
postcard.css sets the page size and margins anyway.

WeasyPrint internals used (pinned WeasyPrint 70): HTML._ua_stylesheets and
weasyprint.html.UA (FormHTML falls back to the full stylesheet without them), the laid
out box tree (page._page_box) to read slots and check fits, and the pydyf PDF handed to
the finisher.
"""


from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from functools import lru_cache

import pydyf
from django.template import Context
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from letters.rendering import engine
from letters.rendering.fetcher import ASSETS_DIR

KIND = "first_notice_postcard"
TEMPLATE = "letters/first_notice_postcard_form.html"
PAGES_PER_CARD = 2

logger = logging.getLogger(__name__)


# --- the chunk document's HTML ---------------------------------------------------------

@lru_cache(maxsize=1)
def _ua_stylesheet() -> CSS | None:
    """WeasyPrint's HTML user agent stylesheet without its @page block (see module doc)."""
    try:
        from weasyprint.html import UA
    except ImportError:  # another WeasyPrint: keep its own user agent stylesheet
        return None
    start = UA.find("@page")
    if start < 0:
        return None
    depth, end = 0, start
    for end in range(UA.index("{", start), len(UA)):
        depth += {"{": 1, "}": -1}.get(UA[end], 0)
        if depth == 0:
            break
    return CSS(string=UA[:start] + UA[end + 1:], counter_style={})


class FormHTML(HTML):
    """HTML with the user agent stylesheet minus @page (WeasyPrint's _ua_stylesheets hook)."""

    def _ua_stylesheets(self, forms=False):
        ua = _ua_stylesheet()
        return [ua] if ua is not None else super()._ua_stylesheets(forms)


def group_key(card: dict) -> str:
    """Cards with the same key share one static layer."""
    return json.dumps([card["language"], card["vertical"], card["print_boxes"], card["sender"],
                       card["sender_postal"], [c for c in card["columns"] if c["role"] == "sender"]],
                      sort_keys=True, ensure_ascii=False, default=str)


def static_card(card: dict) -> dict:
    """The card of a group's static layer: its own values only where they stay hidden."""
    static = copy.copy(card)
    static.update(PLACEHOLDERS, digits=[], form=None)
    return static


def form_columns(card: dict, classes: Classes) -> list[dict]:
    """The addressee's vertical columns, positioned as parts/postcard_consumer.html does."""
    return [{"role": col["role"], "text": col["text"],
             "cls": classes(f"left:{col['left']}mm;top:{col['top']}mm;width:{col['size']}mm;"
                            f"font-size:{col['size']}mm")}
            for col in card["columns"] if col["role"] != "sender"]


class Classes:
    """Position rules of a chunk, one class per distinct declaration block."""

    def __init__(self):
        self.rules: dict[str, str] = {}

    def __call__(self, rule: str) -> str:
        name = self.rules.get(rule)
        if name is None:
            name = self.rules[rule] = f"form-{len(self.rules)}"
        return name

    def items(self) -> list[tuple[str, str]]:
        return [(name, rule) for rule, name in self.rules.items()]


# --- layout geometry of the static layer -------------------------------------------------

# Hidden values of the static layer: one short line each, told apart by their letter.
PLACEHOLDERS = {"date_text": "D", "reference": "R", "product_name": "P"}


@dataclass(frozen=True)
class Slot:
    """Where one filled-in value goes on the message side (CSS px, page coordinates).

    prefix is the text the template puts before the value in the same text run (e.g.
    the ideographic space after 受付番号); the value's run starts with it here too.
    """

    key: str
    left: float
    top: float
    width: float
    height: float  # the one line the value must stay on
    prefix: str = ""
    date: bool = False


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _has_class(box, name: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def _slots(page) -> tuple[Slot, ...] | None:
    """The slots of a static message side: the date block, then each value's text run."""
    slots, date = [], None
    for box in _boxes(page._page_box):
        if date is None and _has_class(box, "date") and not isinstance(
                box, (boxes.LineBox, boxes.InlineLevelBox)):
            date = box
            slots.append(Slot("date_text", box.content_box_x(), box.content_box_y(), box.width,
                              box.height, date=True))
    meta = next((b for b in _boxes(page._page_box) if _has_class(b, "meta")), None)
    if date is None or meta is None:
        return None
    for block in _boxes(meta):
        right = getattr(block, "position_x", 0) and block.content_box_x() + block.width
        for line in getattr(block, "children", ()):
            if type(line).__name__ != "LineBox":
                continue
            for text in line.children:
                run = getattr(text, "text", "")
                for key in ("reference", "product_name"):
                    mark = PLACEHOLDERS[key]
                    if type(text).__name__ == "TextBox" and run.endswith(mark):
                        prefix = run[:-len(mark)]
                        if prefix != prefix.lstrip(" \t\n"):
                            return None  # a collapsible space would be lost at the run's start
                        slots.append(Slot(key, text.position_x, line.position_y,
                                          right - text.position_x, line.height, prefix))
    keys = [slot.key for slot in slots]
    return tuple(slots) if sorted(keys) == sorted(PLACEHOLDERS) else None


_slot_cache: dict[str, tuple[Slot, ...] | None] = {}


def static_slots(key: str, card: dict) -> tuple[Slot, ...] | None:
    """The slots of a group, from a layout of its static layer (once per process)."""
    if key not in _slot_cache:
        document = _layout(_html([static_card(card)], [], Classes()))
        _slot_cache[key] = _slots(document.pages[1]) if len(document.pages) == 2 else None
    return _slot_cache[key]


def value_css(slot: Slot, classes: Classes) -> str:
    return classes(f"left:{slot.left:.4f}px;top:{slot.top:.4f}px;width:{slot.width:.4f}px")


def _value_boxes(page) -> list:
    return [box for box in _boxes(page._page_box) if _has_class(box, "form-value")
            and not isinstance(box, (boxes.LineBox, boxes.InlineLevelBox))]


def _fits(page, slots: list[Slot]) -> bool:
    """Every value on this page stayed on one line of the static layer's line height."""
    values = _value_boxes(page)
    return len(values) == len(slots) and all(
        abs(box.height - slot.height) < 0.01 for box, slot in zip(values, slots))


# --- one chunk ---------------------------------------------------------------------------

def _html(statics: list[dict], items: list[dict], classes: Classes, pieces: list[dict] = ()) -> str:
    template = engine.template_engine().get_template(TEMPLATE)
    return template.render(Context({"statics": statics, "items": items, "classes": classes.items(),
                                    "pieces": pieces}))


def _piece(key: tuple, classes: Classes) -> dict:
    """A shared piece's markup data: a postal digit in its box, a column start, or a
    message-side value; side is the card side (page) it is drawn under."""
    if key[0] == "digit":
        _, left, top, width, height, digit = key
        return {"kind": "digit", "side": 0, "slot": None, "text": digit,
                "cls": classes(f"left:{left}mm;top:{top}mm;width:{width}mm;line-height:{height}mm")}
    if key[0] == "column":
        _, role, left, top, size, text = key
        return {"kind": "column", "side": 0, "slot": None, "role": role, "text": text,
                "cls": classes(f"left:{left}mm;top:{top}mm;width:{size}mm;font-size:{size}mm")}
    _, language, slot, text = key
    return {"kind": "value", "side": 1, "slot": slot, "language": language, "text": text,
            "date": slot.date, "cls": value_css(slot, classes)}


def _layout(html: str):
    res = engine.warm_up()
    return FormHTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=res.fetcher).render(
        stylesheets=res.stylesheets[KIND], font_config=res.font_config)


MIN_PREFIX = 2  # characters: a shorter shared column start saves less than its page costs
MIN_SHARE = 6  # cards of the chunk that must share a piece (column start, date, product)


def shared_prefixes(cards: list[dict]) -> dict[tuple, str]:
    """Column starts that several cards of the chunk share, per column position.

    A print batch is in postal-code order, so neighbouring cards share the prefecture,
    city and ward at the top of the street column (and buildings, surnames): such a
    prefix is laid out once per chunk and drawn under each card like the static layer;
    the card's own column sets only the rest, starting that many cells lower.
    Returns {(role, left, top, size, prefix): prefix} for prefixes of at least
    MIN_PREFIX characters that at least MIN_SHARE columns start with.
    """
    counts: dict[tuple, int] = {}
    for card in cards:
        for col in card["columns"]:
            if col["role"] == "sender":
                continue
            chars = col["text"].split("\n")
            geometry = (col["role"], col["left"], col["top"], col["size"])
            for n in range(MIN_PREFIX, len(chars) + 1):
                key = geometry + ("\n".join(chars[:n]),)
                counts[key] = counts.get(key, 0) + 1
    return {key: key[-1] for key, count in counts.items() if count >= MIN_SHARE}


def split_column(col: dict, prefixes: dict[tuple, str]) -> tuple[tuple | None, dict | None]:
    """(shared prefix key or None, the rest of the column or None when nothing is left)."""
    chars = col["text"].split("\n")
    geometry = (col["role"], col["left"], col["top"], col["size"])
    for n in range(len(chars), MIN_PREFIX - 1, -1):
        key = geometry + ("\n".join(chars[:n]),)
        if key in prefixes:
            if n == len(chars):
                return key, None
            top = float(col["top"]) + n * float(col["size"])  # line-height 1: one cell per char
            return key, {**col, "text": "\n".join(chars[n:]), "top": f"{top:.3f}"}
    return None, col


def render_chunk(items: list[dict], target) -> int:
    """Write the chunk's cards (prepared postcards) as one PDF to target; return its pages.

    The document: static layers (2 pages per group), pieces several cards share (1 page
    each), then 2 pages per card: its variable layer, or the whole card.
    """
    groups: dict[str, int] = {}
    statics: list[dict] = []
    cards = []
    for card in items:
        key = group_key(card)
        slots = static_slots(key, card)
        if slots is not None and key not in groups:
            groups[key] = len(statics)
            statics.append(static_card(card))
        form = None if slots is None else {"group": groups[key], "slots": slots}
        cards.append({**card, "form": form})  # no slots: no static layout; set whole
    values = _shared_values(cards)
    prefixes = shared_prefixes([card for card in cards if card["form"] and card["vertical"]])

    def layout():
        classes = Classes()
        pieces: dict[tuple, int] = {}
        for card in cards:
            if card["form"]:
                _fill_in(card, card["form"], pieces, values, prefixes, classes)
        shared = [_piece(key, classes) for key in pieces]
        document = _layout(_html(statics, cards, classes, shared))
        head = PAGES_PER_CARD * len(statics)
        if len(document.pages) != head + len(shared) + PAGES_PER_CARD * len(cards):
            raise RuntimeError(f"postcard form chunk laid out as {len(document.pages)} pages, "
                               f"expected {head + len(shared) + PAGES_PER_CARD * len(cards)}")
        return document, head, shared

    document, head, shared = layout()
    misfit_pieces = {n for n, piece in enumerate(shared) if piece["slot"] and not _fits(
        document.pages[head + n], [piece["slot"]])}
    first = head + len(shared)
    misfits = [i for i, card in enumerate(cards) if card["form"] and (
        misfit_pieces.intersection(card["form"]["pieces"]) or not _fits(
            document.pages[first + PAGES_PER_CARD * i + 1], card["form"]["own_slots"]))]
    if misfits:
        logger.info("postcard batch: %d card(s) set whole (a filled-in value does not fit its "
                    "line on the form)", len(misfits))
        for i in misfits:
            cards[i] = {**cards[i], "form": None}
        document, head, shared = layout()
    under = []
    for card in cards:
        form = card["form"]
        if not form:
            under.append(None)
            continue
        group = PAGES_PER_CARD * form["group"]
        layers = [[group], [group + 1]]
        for n in form["pieces"]:
            layers[shared[n]["side"]].append(head + n)
        under.append(layers)
    document.write_pdf(target, finisher=FormFinisher(head + len(shared), under))
    return PAGES_PER_CARD * len(cards)


def _shared_values(cards: list[dict]) -> set[tuple]:
    """Message-side values (date, product) at least MIN_SHARE cards have, at one place."""
    counts: dict[tuple, int] = {}
    for card in cards:
        for slot in card["form"]["slots"] if card["form"] else ():
            key = _value_key(card, slot)
            counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count >= MIN_SHARE}


def _value_key(card: dict, slot: Slot) -> tuple:
    return ("value", card["language"], slot, slot.prefix + str(card[slot.key]))


def _fill_in(card, form, pieces, values, prefixes, classes) -> None:
    """Split one card into shared pieces (indexes into pieces) and its own layer."""
    def piece(key):
        return pieces.setdefault(key, len(pieces))

    # The postal digits: 10 digits x 7 boxes at most, each laid out once per chunk.
    form["pieces"] = [piece(("digit", d["left"], d["top"], d["width"], d["height"], d["digit"]))
                      for d in card["digits"]]
    columns = []
    for col in card["columns"] if card["vertical"] else ():
        if col["role"] == "sender":
            continue
        shared, rest = split_column(col, prefixes)
        if shared is not None:
            form["pieces"].append(piece(("column",) + shared))
        if rest is not None:
            columns.append(rest)
    form["columns"] = form_columns({"columns": columns}, classes)
    form["values"], form["own_slots"] = [], []
    for slot in form["slots"]:
        key = _value_key(card, slot)
        if key in values:
            form["pieces"].append(piece(key))
        else:
            form["values"].append({"text": key[3], "date": slot.date,
                                   "cls": value_css(slot, classes)})
            form["own_slots"].append(slot)


class FormFinisher:
    """WeasyPrint finisher: form pages -> Form XObjects drawn under the variable pages.

    The document's first `head` pages are form layers (static layers, shared column
    prefixes); then 2 pages per card. under[i] is, per side of card i, the head pages
    drawn under it (in order), or None for a card set whole. Each head page's content
    stream becomes a Form XObject, invoked by one small content stream shared by all
    the pages it is under; the head pages leave the page tree.
    """

    def __init__(self, head: int, under: list[tuple[list[int], ...] | None]):
        self.head = head
        self.under = under

    def __call__(self, document, pdf: pydyf.PDF) -> None:
        kids = pdf.pages["Kids"]
        numbers = [kids[i] for i in range(0, len(kids), 3)]  # Kids is [n, 0, 'R', ...]
        pages = [pdf.objects[n] for n in numbers]
        head = self.head
        if head:
            resources = pdf.objects[_number(pages[0]["Resources"])]
            form_resources = pydyf.Dictionary(resources)
            xobjects = pydyf.Dictionary(resources.get("XObject") or {})
            calls = []
            for s, page in enumerate(pages[:head]):
                stream = pdf.objects[_number(page["Contents"])]
                stream.extra.update({"Type": "/XObject", "Subtype": "/Form",
                                     "BBox": page["MediaBox"], "Resources": form_resources})
                xobjects[f"HitotsubuForm{s}"] = stream.reference
                call = pydyf.Stream([f"q /HitotsubuForm{s} Do Q".encode()])
                pdf.add_object(call)
                calls.append(call.reference)
                page.clear()  # out of the page tree below; an empty object remains
            resources["XObject"] = xobjects
            for i, sides in enumerate(self.under):
                for side, layers in enumerate(sides or ()):
                    page = pages[head + PAGES_PER_CARD * i + side]
                    page["Contents"] = pydyf.Array([*(calls[n] for n in layers), page["Contents"]])
            pdf.pages["Kids"] = pydyf.Array(kids[3 * head:])
            pdf.pages["Count"] = len(pages) - head
        # Bookmarks (from the h1 of every message side) would point at removed pages;
        # the batch file has none either (pages are appended without outlines).
        pdf.catalog.pop("Outlines", None)
        pdf.catalog.pop("PageMode", None)


def _number(reference) -> int:
    if isinstance(reference, bytes):
        reference = reference.decode()
    return int(str(reference).split()[0])
