"""Apology letter, return kit and packing slip, read back from the PDF."""

import pytest

from letters.pdf import render_one

from . import samples
from .helpers import mm, open_pdf, page_text


def _flat(text):
    return "".join(text.split())


@pytest.fixture(scope="module")
def apology_ja():
    return render_one("apology_letter", samples.apology())


def test_apology_is_a4_with_all_parts(apology_ja):
    with open_pdf(apology_ja) as pdf:
        assert mm(pdf.pages[0].width) == pytest.approx(210, abs=0.1)
        assert mm(pdf.pages[0].height) == pytest.approx(297, abs=0.1)
    text = _flat(page_text(apology_ja))
    summary = samples.SUMMARY
    for expected in ("拝啓", "敬具", "山田花子様", "ひとつぶ製菓株式会社九州工場", "品質保証課長佐藤一郎",
                     "2026年11月23日", "HT-2026-000123", "お詫び", "製造工程", "発生原因",
                     "流出原因", "再発防止策", "代品",
                     _flat(summary["cause_occurrence"]), _flat(summary["cause_escape"]),
                     "摩耗したローラーを交換し", "カメラによる全数検査", _flat(summary["examined"])):
        assert expected in text, expected
    # Order of a Japanese business letter.
    order = ["2026年11月23日", "山田花子様", "九州工場", "拝啓", "深くお詫び", "調査した内容", "製造工程",
             "発生原因", "流出原因", "再発防止策", "代品", "敬具"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


def test_apology_layout_date_right_recipient_left_sender_right(apology_ja):
    with open_pdf(apology_ja) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
    date = next(w for w in words if "2026年11月23日" in w["text"])
    recipient = next(w for w in words if w["text"].startswith("山田"))
    factory = next(w for w in words if w["text"].startswith("ひとつぶ製菓株式会社"))
    assert mm(date["x1"]) > 150 and mm(recipient["x0"]) < 40 and mm(factory["x0"]) > 100
    assert date["top"] < recipient["top"] < factory["top"]


def test_apology_not_determined_states_conclusion_first():
    pdf = render_one("apology_letter", samples.apology(summary=samples.SUMMARY_NOT_DETERMINED))
    text = _flat(page_text(pdf))
    assert "原因を特定するには至りませんでした" in text
    assert "発生原因" not in text and "流出原因" not in text
    nd = samples.SUMMARY_NOT_DETERMINED
    order = ["至りませんでした", "確認した内容", _flat(nd["examined"]), "確認の結果",
             _flat(nd["findings"]), "実施する対策", _flat(nd["prevention"]), "敬具"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


def test_apology_english():
    pdf = render_one("apology_letter", samples.apology_en())
    text = page_text(pdf)
    for expected in ("Dear Emma Clarke", "Yours sincerely", "Kyushu Factory", "worn feed roller",
                     "camera now checks", "prevent", "23 November 2026", "replacement"):
        assert expected in text, expected


def test_apology_english_not_determined():
    summary = {"conclusion": "not_determined", "examined": "We checked 120 retained samples.",
               "findings": "None of them showed the defect.",
               "prevention": "We now inspect the wrapper daily."}
    text = page_text(render_one("apology_letter", samples.apology_en(summary=summary)))
    assert "not been able to determine" in text and "What we are doing anyway" in text


def test_return_kit_has_reference_qr_and_carrier():
    pdf = render_one("return_kit", samples.return_kit())
    text = _flat(page_text(pdf))
    for expected in ("RT-2026-000123-7", "ヤマト運輸", "着払い", "HT-2026-000123", "小森野"):
        assert expected in text
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        # The QR code is vector art: many dark module rectangles/paths near the code.
        assert len(page.rects) + len(page.curves) + len(page.lines) > 0 or page.objects


def test_return_kit_qr_matches_reference():
    """Sample the rendered QR modules and compare with segno's matrix for the reference."""
    import pypdfium2
    import segno

    pdf = render_one("return_kit", samples.return_kit())
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=600 / 72, grayscale=True).to_pil()
    dark = image.point(lambda v: 255 if v < 128 else 0)
    qr = segno.make("RT-2026-000123-7", error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix)
    # Find the QR: the largest square of ink whose left edge is the leftmost ink in the code box.
    px_per_mm = 600 / 25.4
    # The code sits at the left of the framed code box; take the ink inside the frame.
    with open_pdf(pdf) as doc:
        frame = max((r for r in doc.pages[0].rects if mm(r["height"]) > 25),
                    key=lambda r: r["width"])
    inset = 1.5 * px_per_mm
    left, top = int(mm(frame["x0"]) * px_per_mm + inset), int(mm(frame["top"]) * px_per_mm + inset)
    region = (left, top, left + int(36 * px_per_mm), int(mm(frame["bottom"]) * px_per_mm - inset))
    bbox = dark.crop(region).getbbox()
    x0, y0 = left + bbox[0], top + bbox[1]
    module = (bbox[2] - bbox[0]) / n
    assert module == pytest.approx((bbox[3] - bbox[1]) / n, rel=0.02)  # square
    assert module / px_per_mm >= 0.5  # at least 0.5 mm per module for phone cameras
    sample = [[1 if dark.getpixel((int(x0 + (c + 0.5) * module), int(y0 + (r + 0.5) * module)))
               else 0 for c in range(n)] for r in range(n)]
    assert sample == matrix


def test_packing_slip_lists_contents():
    pdf = render_one("packing_slip", samples.packing_slip())
    with open_pdf(pdf) as doc:
        assert mm(doc.pages[0].width) == pytest.approx(148, abs=0.1)  # A5
    text = _flat(page_text(pdf))
    for expected in ("HT-2026-000123", "山田花子様", "天神", "代品ひとつぶガムペパーミント9枚入",
                     "工場からのご報告とお詫びの書面", "ミニ詰め合わせ"):
        assert expected in text, expected
