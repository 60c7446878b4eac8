"""Each role's main path in a real browser, typed as people type (keyboard, Tab between fields).

Mail room: scan a returned parcel; ship the replacement. Factory QA: finish the report with a photo
and submit it. QA manager: reject, see what changed when it comes back, approve. Hotline: close.
The print batch with its live progress bar, which needs the real worker, is in test_print_batch.py.
"""

import copy

from defects.models import State
from factories.models import Investigation
from tests.conftest import COMPLETE_REPORT, deliver_replacement, print_letters
from tests.web.helpers import image_bytes

from defects import services


def type_into(page, selector, text):
    """Click into a field (as a person does) and type, key by key."""
    page.locator(selector).click()
    page.keyboard.type(text)


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} button").last.click()


def test_mailroom_scans_a_returned_parcel_typed_loosely(page_as, make_case, screenshot):
    case = make_case(State.AWAITING_RETURN)
    shipment = case.shipments.get(direction="return")
    page = page_as("mailroom")
    page.goto("/scan/")
    # The scanner field has the focus; the reference typed in lower case without hyphens.
    page.keyboard.type(shipment.reference.replace("-", "").lower())
    screenshot(page, "typed")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/cases/{case.reference}/" in page.url
    assert page.locator("#act-receive_sample").is_visible()
    type_into(page, "#id_receive_sample_condition", "外箱に少しへこみ。ガムは未開封。")
    submit(page, "#act-receive_sample")
    case.refresh_from_db()
    assert case.state == State.SAMPLE_RECEIVED
    assert "外箱に少しへこみ" in page.locator(".timeline").inner_text()


def test_factory_qa_finishes_the_report_with_a_photo_and_submits(page_as, make_case, qa_kyu, screenshot, tmp_path):
    case = make_case(State.INVESTIGATING)
    draft = copy.deepcopy(COMPLETE_REPORT)
    for name in ("cause_of_escape", "prevention"):
        draft[name] = ""
    services.save_investigation(case, qa_kyu, draft)  # yesterday's draft; two answers still missing
    page = page_as("qa_kyu")
    page.goto(f"/cases/{case.reference}/investigation/")
    type_into(page, "#id_cause_of_escape", "長さの検査が50箱に1箱の抜き取りだった。")
    type_into(page, "#id_prevention", "刃を交換し、毎シフト点検。全箱で長さを検査する。")
    with page.expect_navigation():
        page.get_by_role("button", name="下書きを保存").click()
    photo = tmp_path / "sample.png"
    photo.write_bytes(image_bytes(size=(320, 240)))
    page.locator("#photos input[type=file]").set_input_files(str(photo))  # the file chooser
    page.locator("#photos input[type=file]").focus()
    page.keyboard.press("Tab")  # to the caption
    page.keyboard.type("届いたガム：包装の端が折れている")
    with page.expect_navigation():
        page.locator("#photos button", has_text="写真をアップロード").click()
    assert page.locator("#photos img").count() == 1
    assert page.locator("#id_prevention").input_value().startswith("刃を交換し")  # the typed text is kept
    screenshot(page, "report")
    page.goto(f"/cases/{case.reference}/")
    submit(page, "#act-submit_report")
    case.refresh_from_db()
    assert case.state == State.REPORT_REVIEW
    assert Investigation.objects.get(case=case).prevention.startswith("刃を交換し")


def test_manager_rejects_sees_what_changed_and_approves(page_as, make_case, screenshot):
    case = make_case(State.REPORT_REVIEW)
    manager = page_as("qa_manager")
    manager.goto(f"/cases/{case.reference}/")
    type_into(manager, "#id_reject_report_comment", "流出原因をもっと具体的に。検査の頻度を書いてください。")
    submit(manager, "#act-reject_report")
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING

    qa = page_as("qa_kyu")
    qa.goto(f"/cases/{case.reference}/investigation/")
    qa.locator("#id_cause_of_escape").click()
    qa.keyboard.press("End")
    qa.keyboard.type(" 検査は50箱に1箱で、この箱は測っていなかった。")
    with qa.expect_navigation():
        qa.get_by_role("button", name="下書きを保存").click()
    qa.goto(f"/cases/{case.reference}/")
    submit(qa, "#act-submit_report")

    manager.goto(f"/cases/{case.reference}/")
    changes = manager.locator("#changes")
    assert changes.is_visible()
    assert "この箱は測っていなかった" in changes.locator("ins").all_inner_texts()[0]
    screenshot(manager, "diff")
    type_into(manager, "#id_approve_report_comment", "具体的になりました。承認します。")
    submit(manager, "#act-approve_report")
    case.refresh_from_db()
    assert case.state == State.APPROVED


def test_mailroom_ships_and_hotline_closes(page_as, make_case, mailroom, screenshot):
    case = make_case(State.APPROVED)
    print_letters(case, mailroom)  # the apology letter and packing slip went through a print batch
    page = page_as("mailroom")
    page.goto(f"/cases/{case.reference}/")
    page.locator("#id_ship_replacement_carrier").focus()
    page.locator("#id_ship_replacement_carrier").select_option("yamato")  # picked from the list
    page.keyboard.press("Tab")
    page.keyboard.type("1234-5678-9013")
    submit(page, "#act-ship_replacement")
    case.refresh_from_db()
    assert case.state == State.REPLACEMENT_SHIPPED
    screenshot(page, "shipped")

    deliver_replacement(case, mailroom)  # the carrier reports delivery
    hotline = page_as("hotline")
    hotline.goto(f"/cases/{case.reference}/")
    type_into(hotline, "#id_close_note", "代品到着をお電話で確認。お礼を言われた。")
    submit(hotline, "#act-close")
    case.refresh_from_db()
    assert case.state == State.CLOSED
