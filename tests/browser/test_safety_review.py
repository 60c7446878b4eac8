"""A QA manager decides a critical case's safety review in a real browser, typed as people type:
a recall with its class and lots, then on the recall register. Phone width and Japanese, as a QA
manager on call at night would."""

from pathlib import Path

import pytest

from safety.models import SafetyReview
from tests.notifications.test_notifications import flush

if not (Path(__file__).parent / "conftest.py").exists():  # pragma: no cover - before the merge with main
    pytest.skip("the browser infrastructure (tests/browser/conftest.py) is not on this branch yet",
                allow_module_level=True)


def type_into(page, selector, text):
    page.locator(selector).click()
    page.keyboard.type(text)


@pytest.mark.parametrize("viewport_width", [390])
def test_qa_manager_decides_a_recall_on_a_phone(page_as, make_case, cast, screenshot):
    case = make_case(category="foreign_matter", foreign_matter_kind="glass", lot_code="KY2611A")
    flush()
    review = SafetyReview.objects.get(case=case)
    page = page_as("qa_manager")
    page.goto("/safety/")
    with page.expect_navigation():
        page.get_by_role("link", name=case.reference).click()
    page.get_by_label("回収", exact=True).check()
    type_into(page, "#rationale", "ガラス片。同一ロットの瓶に欠けがあり、ロット全体を回収する。")
    page.locator("#recall_class").select_option("class_1")
    screenshot(page, "filled")
    with page.expect_navigation():
        page.get_by_role("button", name="判断を記録する").click()
    review.refresh_from_db()
    assert (review.decision, review.recall_class, review.lots, review.decided_by) == (
        "recall", "class_1", ["KY2611A"], cast["qa_manager"])
    assert "回収" in page.locator("main").inner_text()
    page.goto("/safety/recalls/")
    assert case.reference in page.locator("main").inner_text()
    # Nothing scrolls sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_hotline_cannot_open_the_safety_pages(page_as, make_case):
    make_case(category="foreign_matter", foreign_matter_kind="metal")
    flush()
    page = page_as("hotline")
    response = page.goto("/safety/")
    assert response.status == 403
