"""The bench's no-op view exists only when HITOTSUBU_BENCH is on, behind the API's authentication."""

import importlib

import pytest
from django.urls import clear_url_caches

from tests.api.conftest import token_client


@pytest.fixture
def bench_urls(settings):
    import config.urls

    def mount(on):
        settings.HITOTSUBU_BENCH = on
        clear_url_caches()
        importlib.reload(config.urls)

    yield mount
    mount(False)


@pytest.mark.django_db
def test_noop_view_only_with_the_bench_setting_and_a_token(bench_urls, cast, client):
    bench_urls(False)
    assert token_client(cast["hotline"]).post("/api/_bench/noop/", {"a": 1}, format="json").status_code == 404
    bench_urls(True)
    assert client.post("/api/_bench/noop/", {"a": 1}, content_type="application/json").status_code in (401, 403)
    response = token_client(cast["hotline"]).post("/api/_bench/noop/", {"a": 1}, format="json")
    assert response.status_code == 201 and response.json() == {"ok": True, "keys": 1}
