"""Brute force: five wrong passwords lock the username from that address, on the page and the API alike."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

LOCKED_JA = "ログインに続けて失敗したため"
LOCKED_EN = "Too many failed logins"


def page_login(client, password, username="hotline"):
    return client.post("/login/", {"username": username, "password": password})


def token_login(client, password, username="hotline"):
    return client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


def test_sixth_page_login_with_the_right_password_after_five_failures_is_refused(cast):
    client = Client()
    for _ in range(5):
        response = page_login(client, "wrong")
        assert response.status_code in (200, 429)
    response = page_login(client, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_JA in response.content.decode()  # Japanese by default, like every page
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still sent to the login page


def test_the_lockout_message_is_in_the_readers_language(cast, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(5):
        page_login(client, "wrong")
    response = page_login(client, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_EN in response.content.decode()


def test_sixth_token_request_with_the_right_password_after_five_failures_gets_429(cast):
    client = APIClient()
    for _ in range(4):
        assert token_login(client, "wrong").status_code == 400
    fifth = token_login(client, "wrong")
    assert fifth.status_code == 429
    response = token_login(client, PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()
    assert int(response["Retry-After"]) == 15 * 60


def test_failures_on_the_page_count_for_the_api_too(cast):
    client = Client()
    for _ in range(5):
        page_login(client, "wrong")
    assert token_login(APIClient(), PASSWORD).status_code == 429


def test_the_lock_is_per_username_and_address(cast):
    for _ in range(5):
        page_login(Client(), "wrong")
    # The same user from another address, and another user from the same address, still get in.
    assert token_login(APIClient(REMOTE_ADDR="192.0.2.7"), PASSWORD).status_code == 200
    assert token_login(APIClient(), PASSWORD, username="mailroom").status_code == 200


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(cast):
    client = Client()
    for _ in range(4):
        page_login(client, "wrong")
    assert page_login(client, PASSWORD).status_code == 302
    for _ in range(4):
        page_login(Client(), "wrong")
    assert page_login(Client(), PASSWORD).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(cast):
    time_machine = pytest.importorskip("time_machine")
    with time_machine.travel("2026-11-02 10:00 +0900", tick=False) as traveller:
        for _ in range(5):
            page_login(Client(), "wrong")
        assert page_login(Client(), PASSWORD).status_code == 429
        traveller.shift(16 * 60)
        assert page_login(Client(), PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(cast):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
