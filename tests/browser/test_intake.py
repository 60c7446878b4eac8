"""The hotline's intake in a real browser, typed as a person types: the postal-code lookup never
spoils the address (fast reply, slow reply, pasted address), a repeat caller is shown while typing,
and the case list finds a caller however the search is typed."""

import threading
import time
import types

import pytest
from playwright.sync_api import expect

from defects import postal
from defects.models import DefectCase, State

TENJIN = "福岡県福岡市中央区天神"


def type_into(page, selector, text, delay=30):
    page.locator(selector).click()
    page.keyboard.type(text, delay=delay)


def choose_first(page, selector):
    """A select chosen by keyboard: focus it (as Tab would), the arrow key picks the first option."""
    page.locator(selector).focus()
    page.keyboard.press("ArrowDown")


def start_intake(page, phone="092-555-0123"):
    page.goto("/cases/new/")
    expect(page.locator("#id_consumer_name")).to_be_focused()  # the cursor starts on the name
    page.keyboard.type("山田 花子", delay=20)
    page.keyboard.press("Tab")
    page.keyboard.type("やまだ はなこ", delay=20)
    page.keyboard.press("Tab")
    page.keyboard.type(phone, delay=20)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # no e-mail
    expect(page.locator("#id_consumer_postal_code")).to_be_focused()


def finish_intake_and_save(page):
    choose_first(page, "#id_product")
    choose_first(page, "#id_category")
    type_into(page, "#id_purchased_on", "20261118")
    type_into(page, "#id_description", "ガムの包装が破れていました。")
    type_into(page, "#id_store", "コンビニ天神店")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a text box saves
    expect(page.locator(".msg-reference")).to_be_visible()
    return DefectCase.objects.get()


@pytest.fixture
def slow_lookup(monkeypatch):
    """The lookup view answers after `seconds` (the server's own lookup at saving stays fast)."""
    from defects.views import consumer

    answered = threading.Event()

    def slow(text, seconds=1.5):
        time.sleep(seconds)
        try:
            return postal.lookup_postal_code(text)
        finally:
            answered.set()

    monkeypatch.setattr(consumer, "postal", types.SimpleNamespace(lookup_postal_code=slow, area_of=postal.area_of))
    return answered


def test_postal_code_tab_house_number_saves_the_whole_address(page_as, gum, screenshot):
    page = page_as("hotline")
    start_intake(page)
    page.keyboard.type("8100001", delay=40)
    page.keyboard.press("Tab")
    expect(page.locator("#id_consumer_address")).to_be_focused()
    # The operator reads the line under the code, then goes on typing where the cursor is.
    expect(page.locator(".postal-found")).to_contain_text("天神")
    expect(page.locator("#id_consumer_address")).to_have_value(TENJIN)
    page.keyboard.type("2-5-8", delay=40)
    expect(page.locator("#id_consumer_address")).to_have_value(TENJIN + "2-5-8")
    screenshot(page, "address")
    case = finish_intake_and_save(page)
    assert case.consumer.address == TENJIN + "2-5-8"
    assert case.consumer.postal_code == "8100001"


def test_a_slow_lookup_reply_never_touches_what_was_typed(page_as, gum, slow_lookup, screenshot):
    page = page_as("hotline")
    start_intake(page)
    page.keyboard.type("8100001", delay=40)
    page.keyboard.press("Tab")
    page.keyboard.type("2-5-8", delay=40)  # before the answer comes
    assert not slow_lookup.is_set()
    expect(page.locator(".postal-found")).to_contain_text("天神", timeout=10_000)
    # The late answer left the typed text alone, and offers to put the area in front.
    expect(page.locator("#id_consumer_address")).to_have_value("2-5-8")
    expect(page.locator(".postal-use")).to_be_visible()
    screenshot(page, "late-answer")
    case = finish_intake_and_save(page)
    assert case.consumer.address == TENJIN + "2-5-8"


def test_a_pasted_full_address_is_kept_whole(page_as, gum, slow_lookup):
    page = page_as("hotline")
    start_intake(page)
    page.keyboard.type("810-0001", delay=40)
    page.keyboard.press("Tab")
    page.keyboard.insert_text(TENJIN + "2-5-8 天神ビル3F")  # as a paste arrives: all at once
    expect(page.locator(".postal-found")).to_be_visible(timeout=10_000)
    expect(page.locator("#id_consumer_address")).to_have_value(TENJIN + "2-5-8 天神ビル3F")
    case = finish_intake_and_save(page)
    assert case.consumer.address == TENJIN + "2-5-8\u3000天神ビル3F"


def test_an_answer_for_a_code_no_longer_in_the_field_is_dropped(page_as, gum, slow_lookup):
    page = page_as("hotline")
    start_intake(page)
    page.keyboard.type("8100001", delay=40)
    page.keyboard.press("Tab")  # asks for 810-0001 (slow)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("1000001", delay=40)
    page.keyboard.press("Tab")
    expect(page.locator(".postal-found")).to_contain_text("千代田", timeout=10_000)
    expect(page.locator("#id_consumer_address")).to_have_value("東京都千代田区千代田")
    page.wait_for_timeout(2000)  # any late answer for 810-0001 has come by now
    expect(page.locator("#id_consumer_address")).to_have_value("東京都千代田区千代田")
    expect(page.locator(".postal-result")).not_to_contain_text("天神")


def test_the_repeat_caller_is_shown_while_typing(page_as, make_case, screenshot):
    first = make_case(State.AWAITING_RETURN, consumer_phone="090-8765-4321")
    page = page_as("hotline")
    start_intake(page, phone="090-8765-4321")
    duplicate = page.locator("#duplicates")
    expect(duplicate).to_contain_text(first.reference)
    expect(duplicate).to_contain_text("同じ電話番号")
    screenshot(page, "duplicate")
    with page.expect_navigation():
        duplicate.get_by_role("link", name=first.reference).click()  # open the existing case instead
    assert page.url.endswith(f"/cases/{first.reference}/")


@pytest.mark.parametrize("query", ["０９０８７６５４３２１", "8765-4321", "山田花子", "山田　花子", "ﾔﾏﾀﾞ", "やまだ"])
def test_the_case_list_finds_the_caller_however_it_is_typed(page_as, make_case, query):
    case = make_case(State.RECEIVED, consumer_name="山田 花子", consumer_name_kana="ヤマダ ハナコ",
                     consumer_phone="090-8765-4321")
    other = make_case(State.RECEIVED)
    page = page_as("hotline")
    page.goto("/cases/")
    page.locator("#id_q").click()
    if query.isascii():
        page.keyboard.type(query, delay=30)
    else:
        page.keyboard.insert_text(query)  # kana and kanji arrive as an IME commits them
    results = page.locator("#results")
    expect(results).to_contain_text(case.reference)
    expect(results).not_to_contain_text(other.reference)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("viewport_width", [1280, 390])
def test_the_intake_page_at_both_widths_and_languages(page_as, gum, language, viewport_width, screenshot):
    page = page_as("hotline")
    page.goto("/cases/new/")
    page.keyboard.type("山田 花子", delay=10)
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width + 1
    page.locator("#id_consumer_postal_code").click()
    page.keyboard.type("8100001", delay=20)
    page.keyboard.press("Tab")
    expect(page.locator(".postal-found")).to_be_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # incomplete: the errors show
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width + 1
    screenshot(page, "errors")
