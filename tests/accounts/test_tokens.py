"""API tokens: hashed at rest, expiring, revoked by logout and by a password change; anonymous endpoints throttled."""

import hashlib

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.conftest import PASSWORD


def get_token(username="hotline", password=PASSWORD) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_token_is_stored_only_as_a_digest(cast):
    token = get_token()
    stored = ApiToken.objects.get(user=cast["hotline"])
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token not in {stored.digest, stored.token_key, stored.password_fingerprint}


def test_the_token_answer_says_when_it_expires(cast, settings):
    import datetime

    from django.utils.dateparse import parse_datetime

    response = APIClient().post("/api/auth/token/", {"username": "hotline", "password": PASSWORD}, format="json")
    expiry = parse_datetime(response.json()["expiry"])
    stored = ApiToken.objects.get(user=cast["hotline"])
    assert abs(expiry - stored.expiry) < datetime.timedelta(seconds=1)
    assert abs((stored.expiry - stored.created) - datetime.timedelta(hours=12)) < datetime.timedelta(seconds=5)


def test_a_token_after_logout_is_401(cast):
    token = get_token()
    client = with_token(token)
    assert client.get("/api/cases/").status_code == 200
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/cases/").status_code == 401
    assert not ApiToken.objects.filter(user=cast["hotline"]).exists()


def test_logout_revokes_only_the_token_it_was_sent_with(cast):
    first, second = get_token(), get_token()
    assert with_token(first).post("/api/auth/logout/").status_code == 204
    assert with_token(second).get("/api/cases/").status_code == 200


def test_logout_without_a_token_is_401(cast):
    assert APIClient().post("/api/auth/logout/").status_code == 401


def test_a_token_after_a_password_change_is_401(cast):
    token = get_token()
    assert with_token(token).get("/api/cases/").status_code == 200
    user = cast["hotline"]
    user.set_password("a-new-password-456")
    user.save()
    assert with_token(token).get("/api/cases/").status_code == 401
    assert with_token(get_token(password="a-new-password-456")).get("/api/cases/").status_code == 200


def test_a_password_change_in_the_admin_revokes_the_token(cast, django_user_model):
    from django.test import Client

    token = get_token("qa_manager")
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x-root-pass-1"))
    url = f"/admin/auth/user/{cast['qa_manager'].pk}/password/"
    response = admin.post(url, {"password1": "changed-by-admin-789", "password2": "changed-by-admin-789",
                                "usable_password": "true"})
    assert response.status_code == 302 and response["Location"] != url, response.content[:2000]
    assert with_token(token).get("/api/cases/").status_code == 401


def test_an_expired_token_is_401(cast):
    import time_machine

    with time_machine.travel("2026-11-02 09:00 +0900", tick=False) as traveller:
        token = get_token()
        assert with_token(token).get("/api/cases/").status_code == 200
        traveller.shift(11 * 3600 + 59 * 60)
        assert with_token(token).get("/api/cases/").status_code == 200
        traveller.shift(2 * 60)
        assert with_token(token).get("/api/cases/").status_code == 401


def test_token_lifetime_comes_from_the_setting(cast, settings):
    import datetime

    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=1)}
    get_token()
    stored = ApiToken.objects.get(user=cast["hotline"])
    assert abs((stored.expiry - stored.created) - datetime.timedelta(hours=1)) < datetime.timedelta(seconds=5)


def test_an_inactive_users_token_is_401(cast):
    token = get_token("mailroom")
    cast["mailroom"].is_active = False
    cast["mailroom"].save()
    assert with_token(token).get("/api/cases/").status_code == 401


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token " + "0" * 64, "Token ünïcode"])
def test_malformed_tokens_are_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/cases/").status_code == 401


def test_the_token_endpoint_is_throttled_per_address(cast, settings):
    settings.HITOTSUBU_THROTTLE_RATES = {**settings.HITOTSUBU_THROTTLE_RATES, "login": "3/min"}
    cache.clear()
    client = APIClient()
    for username in ("nobody1", "nobody2", "nobody3"):
        assert client.post("/api/auth/token/", {"username": username, "password": "x"}, format="json").status_code == 400
    response = client.post("/api/auth/token/", {"username": "hotline", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    # Another address is not affected.
    assert APIClient(REMOTE_ADDR="192.0.2.9").post(
        "/api/auth/token/", {"username": "hotline", "password": PASSWORD}, format="json").status_code == 200


def test_anonymous_endpoints_are_throttled_but_not_logged_in_clients(cast, settings):
    settings.HITOTSUBU_THROTTLE_RATES = {**settings.HITOTSUBU_THROTTLE_RATES, "anon": "2/min"}
    cache.clear()
    anonymous = APIClient()
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/schema/").status_code == 429
    _instance, token = ApiToken.objects.create(cast["hotline"])
    client = with_token(token)
    for _ in range(4):
        assert client.get("/api/schema/").status_code == 200
