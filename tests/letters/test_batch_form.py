"""The print room's fast batch path: postcards set as a printed form (letters/rendering/form.py).

A chunk lays out the shared part once (static layer, shared pieces such as postal digits,
column starts, dates, product names) and draws it under each card's variable layer as Form
XObjects. The cards must come out as render_one makes them: same pages, same text, same
places, same look.
"""

import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from PIL import ImageChops

from letters import typesetting as ts
from letters.pdf import render_batch, render_one
from letters.rendering import batch as batch_module

from . import samples
from .helpers import chars_of, columns, mm, open_pdf, run_tool

KIND = "first_notice_postcard"
ROOT = Path(__file__).resolve().parent.parent.parent


def _cards(n, **overrides):
    """n cards that share address, date and product (so shared pieces are used) but not
    reference or postal code; every 5th card is in English."""
    return [samples.postcard(reference=f"HT-2026-{i:06d}",
                             language="en" if i % 5 == 4 else "ja",
                             consumer={**samples.CONSUMER, "postal_code": f"81{i:05d}"},
                             **overrides)
            for i in range(n)]


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory):
    cards = _cards(26)
    out = tmp_path_factory.mktemp("form") / "batch.pdf"
    pages = render_batch(KIND, cards, out, workers=0, chunk_size=10)  # 3 chunks
    return cards, pages, out.read_bytes()


def _form_objects(data, index):
    """Form XObjects drawn on one page (the shared layers of the form path)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[index]
        return sum(1 for obj in page.get_objects(max_depth=1)
                   if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_FORM)
    finally:
        pdf.close()


def test_cards_are_set_as_a_form(big_batch):
    """Shared layers are Form XObjects under the card's own layer, both sides."""
    cards, _, data = big_batch
    for index in (0, 1, 25, 26, 51):
        assert _form_objects(data, index) >= 1, index
    assert _form_objects(data, 24) >= 1 + 7  # static layer + 7 postal digits at least


def _digit_chars(page):
    return sorted(chars_of(page, lambda c: c["text"].isdigit() and mm(c["top"]) < 25),
                  key=lambda c: c["x0"])


def test_two_pages_per_card_in_order_with_own_reference(big_batch):
    cards, pages, data = big_batch
    assert pages == 2 * len(cards)
    with open_pdf(data) as pdf:
        assert len(pdf.pages) == 2 * len(cards)
        for i, card in enumerate(cards):
            address, message = pdf.pages[2 * i], pdf.pages[2 * i + 1]
            assert mm(address.width) == pytest.approx(100.0, abs=0.05)
            assert mm(address.height) == pytest.approx(148.0, abs=0.05)
            text = message.extract_text()
            assert card["reference"] in text
            # No other card's reference leaks onto this page (shared layers are per page).
            assert len(re.findall(r"HT-2026-\d{6}", text)) == 1
            assert ("お詫び" in text) == (card["language"] == "ja")
            assert ("apologise" in text) == (card["language"] == "en")
            assert "".join(c["text"] for c in _digit_chars(address)) == card["consumer"]["postal_code"]


def test_digits_centred_in_boxes_mid_batch(big_batch):
    cards, _, data = big_batch
    with open_pdf(data) as pdf:
        digits = _digit_chars(pdf.pages[2 * 13])
    assert "".join(c["text"] for c in digits) == cards[13]["consumer"]["postal_code"]
    for char, box in zip(digits, ts.postal_boxes()):
        cx, cy = mm((char["x0"] + char["x1"]) / 2), mm((char["top"] + char["bottom"]) / 2)
        bx, by = box.centre
        assert abs(cx - bx) <= 0.5 and abs(cy - by) <= 0.5, (char["text"], cx, cy, bx, by)


def test_columns_and_chars_where_render_one_puts_them(big_batch):
    cards, _, data = big_batch
    single = render_one(KIND, cards[12])
    with open_pdf(single) as one, open_pdf(data) as pdf:
        for side in (0, 1):
            a = sorted(chars_of(one.pages[side]), key=lambda c: (round(c["top"], 1), c["x0"]))
            b = sorted(chars_of(pdf.pages[24 + side]), key=lambda c: (round(c["top"], 1), c["x0"]))
            assert [c["text"] for c in a] == [c["text"] for c in b]
            for x, y in zip(a, b):
                assert abs(mm(x["x0"] - y["x0"])) < 0.01 and abs(mm(x["top"] - y["top"])) < 0.01
                assert x["fontname"].split("+")[1] == y["fontname"].split("+")[1]
        address = chars_of(pdf.pages[24], lambda c: mm(c["x0"]) > 35 and mm(c["top"]) > 22)
        texts = [text for _, text, _ in columns(address)]
        assert texts == ["福岡県福岡市中央区天神一ー二ー三", "テンジンハイツ五〇二号室", "山田花子様"]


def test_fonts_embedded_and_subset(big_batch, tmp_path):
    _, _, data = big_batch
    with open_pdf(data) as pdf:
        names = {c["fontname"] for page in pdf.pages for c in page.chars}
    assert names
    for name in names:
        assert re.fullmatch(r"[A-Z]{6}\+Hitotsubu-(Mincho|Gothic)", name), name
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    for line in run_tool("pdffonts", str(path)).splitlines()[2:]:
        cols = line.split()
        assert re.fullmatch(r"[A-Z]{6}\+Hitotsubu-(Mincho|Gothic)", cols[0]), line
        assert (cols[-5], cols[-4]) == ("yes", "yes"), line


def _same_look(a_pdf, a_index, b_pdf, b_index):
    a = a_pdf[a_index].render(scale=2).to_pil().convert("L")
    b = b_pdf[b_index].render(scale=2).to_pil().convert("L")
    assert a.size == b.size
    histogram = ImageChops.difference(a, b).histogram()
    return sum(histogram[65:]) < 0.0005 * a.size[0] * a.size[1]


@pytest.mark.parametrize("variant", [
    {},
    {"print_boxes": True},
    {"address_direction": "horizontal"},
    {"consumer": {**samples.CONSUMER, "name": "Emma Clarke", "postal_code": "1500001"}},
    {"product_name": "ひとつぶガム ペパーミント 9枚入 お徳用ボトル 大容量ファミリーパック 期間限定"},
    {"date": None},
], ids=["plain", "print_boxes", "horizontal", "latin_name", "long_product", "no_date"])
def test_batch_pages_look_like_render_one(tmp_path, variant):
    cards = _cards(8)
    cards[3] = samples.postcard(**{"reference": "HT-2026-000003", **variant})
    cards[4] = samples.postcard(**{"reference": "HT-2026-000004", "language": "en", **variant})
    out = tmp_path / "b.pdf"
    render_batch(KIND, cards, out, workers=0)
    batch = pypdfium2.PdfDocument(str(out))
    try:
        for k in (2, 3, 4):
            single = pypdfium2.PdfDocument(render_one(KIND, cards[k]))
            try:
                for side in (0, 1):
                    assert _same_look(single, side, batch, 2 * k + side), (k, side)
            finally:
                single.close()
    finally:
        batch.close()


def _render_in_daemon(out, queue):
    """Runs in a daemonic process, as a Celery prefork child does."""
    import django

    django.setup()
    started = []
    enter = batch_module.WorkerPool.__enter__

    def recording_enter(self):
        pool = enter(self)
        started.extend(proc.pid for proc in self.procs)
        return pool

    batch_module.WorkerPool.__enter__ = recording_enter
    try:
        pages = render_batch(KIND, _cards(12), out, workers=2, chunk_size=4)
        queue.put((pages, len(started), multiprocessing.current_process().daemon, None))
    except Exception as error:  # noqa: BLE001 - reported to the test
        queue.put((None, len(started), multiprocessing.current_process().daemon, repr(error)))


def test_batch_uses_worker_processes_from_a_daemonic_process(tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    out = tmp_path / "daemon.pdf"
    proc = ctx.Process(target=_render_in_daemon, args=(str(out), queue), daemon=True)
    proc.start()
    pages, workers, daemonic, error = queue.get(timeout=120)
    proc.join(timeout=30)
    assert error is None and daemonic
    assert pages == 24 and workers == 2
    with open_pdf(out.read_bytes()) as pdf:
        assert len(pdf.pages) == 24
        assert "HT-2026-000007" in pdf.pages[15].extract_text()


def test_bench_quick_smoke():
    result = subprocess.run(
        [sys.executable, "bench/print_batch.py", "--quick", "--baseline", "4", "--cards", "40"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr[-2000:]
    for expected in ("baseline: 4 cards", "batch: 40 cards -> 1 PDF (80 pages)",
                     "throughput ratio", "peak RSS incl. workers", "big PDF: 80 pages",
                     "load average after"):
        assert expected in result.stdout, result.stdout
