"""The apology letter keeps its closing with the last paragraph: never 敬具 (or the signature) alone
on a page. Checked with a long, realistic report through the real pipeline (the case's approved report
-> letters.content.context_for -> WeasyPrint), read back from the PDF.

Where the page breaks depends on the length of the text, so the test sweeps the length of the last
section across the page boundary: before the fix, part of that sweep left 敬具 alone on page 2.
"""

import copy
import shutil
import subprocess

import pytest

from defects.models import State
from factories.models import Investigation
from letters.content import context_for
from letters.models import Letter
from letters.pdf import render_one
from tests.conftest import COMPLETE_REPORT

from .helpers import open_pdf

pytestmark = pytest.mark.django_db

LONG_REPORT_JA = {
    "consumer_examined": (
        "お送りいただいたガムと、同じ日に同じ包装ラインで製造し当工場で保管している同じロットの製品20箱を、"
        "品質保証課の担当者2名がそれぞれ調べました。包み紙の合わせ目、ガムの長さと重さ、箱の封かんの状態を一枚ずつ確認し、"
        "当日の包装機の運転記録と点検記録も併せて確認いたしました。"),
    "consumer_process": (
        "ガムは、原料を混ぜ合わせて練り上げた後、薄いシート状に伸ばし、決まった長さに裁断します。"
        "裁断したガムは包装機で一枚ずつ包み紙に包まれ、9枚ずつ箱に詰められます。箱詰めの後、重さの検査と"
        "外観の検査を行い、段ボールに梱包して出荷いたします。"),
    "consumer_cause": (
        "包装機でガムを裁断する刃が摩耗していたため、一枚のガムがわずかに短く切られ、その包み紙が正しく折り込まれずに"
        "ずれた状態で包装されておりました。刃の摩耗の点検は月に一度であり、摩耗の進み方を十分に把握できておりませんでした。"),
    "consumer_escape": (
        "ガムの長さの検査は50箱に1箱の抜き取りで行っており、お送りいただいた製品の箱は検査の対象になりませんでした。"
        "また、包装後の外観検査では、箱の外から包み紙のずれを見つけることができませんでした。"),
}
PREVENTION = (
    "摩耗していた刃を交換し、刃の点検を月に一度から毎日の始業時に改め、摩耗量を記録することといたしました。"
    "あわせて、ガムの長さの検査を抜き取りから全数検査に改め、包装直後にカメラで包み紙の合わせ目を一枚ずつ確認する"
    "装置を追加いたしました。これらの対策の効果は、品質保証課が毎月確認してまいります。"
) * 3


def _flat(text):
    return "".join((text or "").split())


def _context(make_case, qa_kyu):
    case = make_case(State.INVESTIGATING)
    from defects import services

    report = copy.deepcopy(COMPLETE_REPORT)
    report.update(LONG_REPORT_JA, consumer_prevention=PREVENTION)
    services.save_investigation(case, qa_kyu, report)
    assert Investigation.objects.get(case=case).consumer_cause == LONG_REPORT_JA["consumer_cause"]
    letter = Letter(case=case, kind="apology_letter", language="ja")
    return context_for(letter)


def _last_page(pdf: bytes) -> tuple[int, str]:
    with open_pdf(pdf) as doc:
        return len(doc.pages), _flat(doc.pages[-1].extract_text())


def test_kei_gu_never_stands_alone_on_the_last_page(make_case, qa_kyu):
    context = _context(make_case, qa_kyu)
    # Coarse: find where the letter grows to two pages; fine: sweep across that boundary.
    coarse = [n for n in range(0, len(PREVENTION), 60)
              if _last_page(render_one("apology_letter", dict(context, summary=dict(
                  context["summary"], prevention=PREVENTION[:n] or "。"))))[0] > 1]
    assert coarse, "the sweep must reach a two-page letter"
    boundary = coarse[0]
    pages_seen = set()
    for n in range(max(1, boundary - 84), boundary + 37, 12):
        summary = dict(context["summary"], prevention=PREVENTION[:n])
        pdf = render_one("apology_letter", dict(context, summary=summary))
        pages, last = _last_page(pdf)
        pages_seen.add(pages)
        assert last.endswith("敬具"), (n, last[-40:])
        # Body text on the page with the closing: the last paragraph came along.
        assert "まずは略儀ながら" in last and len(last) > len("敬具") + 20, (n, last)
    assert pages_seen == {1, 2}, pages_seen


def test_pdftotext_reads_the_closing_with_the_last_paragraph_on_the_last_page(make_case, qa_kyu, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    context = _context(make_case, qa_kyu)
    pdf = render_one("apology_letter", context)
    path = tmp_path / "apology.pdf"
    path.write_bytes(pdf)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    last = _flat(next(p for p in reversed(pages) if p.strip()))
    assert "敬具" in last and "お詫びを申し上げます" in last
