"""Batch rendering: many contexts -> one PDF, in order, same pages as render_one."""

import pypdfium2
from PIL import ImageChops
import pytest

from letters.pdf import render_batch, render_one

from . import samples
from .helpers import open_pdf


def _cards(n):
    return [samples.postcard(reference=f"HT-2026-{i:06d}",
                             consumer={**samples.CONSUMER, "postal_code": f"81{i:05d}"})
            for i in range(n)]


@pytest.mark.parametrize("workers", [0, 2])
def test_batch_one_pdf_in_order_with_progress(tmp_path, workers):
    cards = _cards(7)
    marks = []
    out = tmp_path / "batch.pdf"
    pages = render_batch("first_notice_postcard", cards, out, workers=workers, chunk_size=3,
                         progress=marks.append)
    assert pages == 14
    assert marks[0] == 0.0 and marks[-1] == 1.0 and marks == sorted(marks)
    with open_pdf(out.read_bytes()) as pdf:
        assert len(pdf.pages) == 14
        for i in range(7):
            assert f"HT-2026-{i:06d}" in pdf.pages[2 * i + 1].extract_text()
            digits = "".join(c["text"] for c in sorted(pdf.pages[2 * i].chars, key=lambda c: c["x0"])
                             if c["text"].isdigit() and c["top"] < 70)
            assert digits == f"81{i:05d}"


def test_batch_pages_look_like_render_one(tmp_path):
    cards = _cards(2)
    out = tmp_path / "b.pdf"
    render_batch("first_notice_postcard", cards, out, workers=0)
    single = pypdfium2.PdfDocument(render_one("first_notice_postcard", cards[1]))
    batch = pypdfium2.PdfDocument(str(out))
    for side in (0, 1):
        a = single[side].render(scale=1).to_pil().convert("L")
        b = batch[2 + side].render(scale=1).to_pil().convert("L")
        assert a.size == b.size
        histogram = ImageChops.difference(a, b).histogram()
        diff = sum(histogram[65:])  # pixels that differ by more than a quarter of the range
        assert diff < 0.002 * a.size[0] * a.size[1]


def test_unknown_kind_rejected(tmp_path):
    with pytest.raises(ValueError):
        render_batch("love_letter", [], tmp_path / "x.pdf")
