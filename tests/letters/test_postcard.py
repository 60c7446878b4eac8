"""The first-notice postcard, read back from the PDF (positions in mm)."""

import pypdfium2
import pytest

from letters import typesetting as ts
from letters.pdf import render_one

from . import samples
from .helpers import chars_of, columns, mm, open_pdf, page_text

KIND = "first_notice_postcard"


@pytest.fixture(scope="module")
def card_pdf():
    return render_one(KIND, samples.postcard())


def test_two_pages_of_postcard_size(card_pdf):
    with open_pdf(card_pdf) as pdf:
        assert len(pdf.pages) == 2  # address side first, then message side
        for page in pdf.pages:
            assert mm(page.width) == pytest.approx(100.0, abs=0.05)
            assert mm(page.height) == pytest.approx(148.0, abs=0.05)


def test_box_geometry_matches_domain():
    boxes = ts.postal_boxes()
    assert boxes[0].left == pytest.approx(44.3)
    assert boxes[6].left + boxes[6].width == pytest.approx(92.0)
    assert boxes[6].left + boxes[6].width - boxes[0].left == pytest.approx(47.7)


def _digit_chars(page):
    return sorted(chars_of(page, lambda c: c["text"].isdigit() and mm(c["top"]) < 25),
                  key=lambda c: c["x0"])


def test_postal_digits_centred_in_boxes(card_pdf):
    with open_pdf(card_pdf) as pdf:
        digits = _digit_chars(pdf.pages[0])
    assert "".join(c["text"] for c in digits) == "8100001"
    for char, box in zip(digits, ts.postal_boxes()):
        cx, cy = mm((char["x0"] + char["x1"]) / 2), mm((char["top"] + char["bottom"]) / 2)
        bx, by = box.centre
        assert abs(cx - bx) <= 0.5 and abs(cy - by) <= 0.5, (char["text"], cx, cy, bx, by)


def test_postal_digit_ink_centred_in_boxes(card_pdf):
    """The printed ink (not just the text box) of each digit sits centred in its box."""
    dpi = 600
    scale = dpi / 72
    page = pypdfium2.PdfDocument(card_pdf)[0]
    image = page.render(scale=scale, grayscale=True).to_pil()
    px_per_mm = dpi / 25.4
    for box in ts.postal_boxes():
        l, t = int(box.left * px_per_mm), int(box.top * px_per_mm)
        r, b = int((box.left + box.width) * px_per_mm), int((box.top + box.height) * px_per_mm)
        crop = image.crop((l, t, r, b)).point(lambda v: 255 if v < 128 else 0)
        bbox = crop.getbbox()
        assert bbox, f"no ink in box at {box.left} mm"
        ink_x = (l + (bbox[0] + bbox[2]) / 2) / px_per_mm
        ink_y = (t + (bbox[1] + bbox[3]) / 2) / px_per_mm
        assert abs(ink_x - box.centre[0]) <= 0.5 and abs(ink_y - box.centre[1]) <= 0.5, (
            box, ink_x, ink_y)
        # The digit does not touch the box lines (0.3 mm margin all round).
        assert bbox[0] > 0.3 * px_per_mm and bbox[2] < crop.width - 0.3 * px_per_mm
        assert bbox[1] > 0.3 * px_per_mm and bbox[3] < crop.height - 0.3 * px_per_mm


def test_address_and_name_read_top_to_bottom_right_to_left(card_pdf):
    with open_pdf(card_pdf) as pdf:
        page = pdf.pages[0]
        # Consumer area: right of the sender block, below the postal boxes.
        chars = chars_of(page, lambda c: mm(c["x0"]) > 35 and mm(c["top"]) > 22)
    cols = columns(chars)
    texts = [text for _, text, _ in cols]
    # Right to left: street address, building, then the name with 様.
    assert texts[0] == "福岡県福岡市中央区天神一ー二ー三"
    assert texts[1] == "テンジンハイツ五〇二号室"
    assert texts[2] == "山田花子様"
    xs = [x for x, _, _ in cols]
    assert xs == sorted(xs, reverse=True)
    for _, _, cs in cols:
        for a, b in zip(cs, cs[1:]):
            assert mm(abs(a["x0"] - b["x0"])) < 0.3  # share x
            assert b["top"] > a["top"]  # go down
    name = cols[2][2]
    assert mm(name[0]["size"]) > 2 * mm(cols[0][2][0]["size"]) * 0.8  # name is large
    assert 40 < mm(name[0]["x0"] + name[0]["x1"]) / 2 < 60  # and in the centre


def test_sender_small_lower_left(card_pdf):
    with open_pdf(card_pdf) as pdf:
        chars = chars_of(pdf.pages[0], lambda c: mm(c["x1"]) < 35)
    assert chars and all(mm(c["top"]) > 85 for c in chars)
    assert "お客様相談室" in "".join(t for _, t, _ in columns(chars))


def test_message_side_has_form_content(card_pdf):
    text = page_text(card_pdf)
    for expected in ("2026年11月23日", "HT-2026-000123", "ひとつぶガム", "着払い",
                     "お詫び", "ありがとう", "工場", "原因"):
        assert expected in text


def test_english_message_side():
    pdf = render_one(KIND, samples.postcard(language="en"))
    text = page_text(pdf)
    for expected in ("23 November 2026", "HT-2026-000123", "cash on delivery", "apologise",
                     "factory", "cause"):
        assert expected in text


def test_horizontal_setting_and_printed_boxes(settings):
    settings.HITOTSUBU_POSTCARD_ADDRESS_DIRECTION = "horizontal"
    settings.HITOTSUBU_POSTCARD_PRINT_BOXES = True
    pdf = render_one(KIND, samples.postcard())
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        line = [c for c in page.chars if c["text"] in "福岡県" and mm(c["top"]) > 22]
        assert len({round(c["top"]) for c in line}) == 1  # on one horizontal line
        # Borders are drawn as filled vermilion rectangles, outer edge = the box.
        red = [r for r in page.rects if r["non_stroking_color"] and
               r["non_stroking_color"][0] > 0.8 and r["non_stroking_color"][2] < 0.3]
        for box in ts.postal_boxes():
            assert any(abs(mm(r["x0"]) - box.left) < 0.1 and abs(mm(r["top"]) - box.top) < 0.1
                       and abs(mm(r["width"]) - box.width) < 0.1 for r in red), box


def test_long_name_is_cut_and_reported():
    from letters.pdf import check_letter

    ctx = samples.postcard(consumer={**samples.CONSUMER, "name": "寿限無" * 100})
    pdf = render_one(KIND, ctx)
    with open_pdf(pdf) as doc:
        assert all(0 <= mm(c["x0"]) <= 100 and mm(c["bottom"]) <= 148 for c in doc.pages[0].chars)
    assert any("name too long" in p for p in check_letter(KIND, ctx))


def test_vertical_text_normalisation():
    assert ts.to_vertical_text("天神1-2-3") == "天神一ー二ー三"
    assert ts.to_vertical_text("ﾃﾝｼﾞﾝ 12F") == "テンジン\u3000一二Ｆ"
    assert ts.postal_digits("〒810-0001") == list("8100001")
    assert ts.postal_digits("81000") == []
