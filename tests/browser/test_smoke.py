"""The browser infrastructure works end to end: a person logs in by typing and sees their queue."""

import pytest

from tests.conftest import PASSWORD


def test_hotline_logs_in_by_typing_and_sees_the_home_page(page, log_in, hotline, screenshot):
    page.goto("/")
    assert "/login/" in page.url  # not logged in: sent to the login page
    log_in(page, hotline.username, PASSWORD)
    assert "/login/" not in page.url
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator(".mainnav").get_by_role("link", name="新規受付").is_visible()  # the hotline's "New case"
    assert hotline.username in page.locator(".who").inner_text()
    screenshot(page, "home")


@pytest.mark.parametrize("language, viewport_width", [("en", 390)])
def test_page_as_logs_in_and_picks_language_and_width(page_as, language, viewport_width):
    page = page_as("mailroom")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.viewport_size["width"] == 390
    assert page.get_by_role("button", name="Log out").is_visible()
