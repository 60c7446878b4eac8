"""A person who types a wrong password five times is told, in their language, that logging in is locked."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("language, viewport_width", [("ja", 1280), ("en", 390)])
def test_five_wrong_passwords_lock_the_login_even_with_the_right_one(page, log_in, hotline, screenshot, language):
    for _ in range(5):
        log_in(page, hotline.username, "not-the-password")
    log_in(page, hotline.username, PASSWORD)
    assert "/login/" in page.url
    alert = page.get_by_role("alert")
    expected = "ログインを15分間停止" if language == "ja" else "logging in is locked for 15 minutes"
    assert expected in alert.inner_text()
    screenshot(page, "locked")
    page.goto("/")
    assert "/login/" in page.url  # still not logged in
