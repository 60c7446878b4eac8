"""Token login, who gets in, and the self-contained OpenAPI schema and docs."""

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from defects.models import TRANSITION_NAMES
from tests.conftest import PASSWORD


def test_token_endpoint_answers_a_token_that_works(cast):
    response = APIClient().post("/api/auth/token/", {"username": "hotline", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/cases/").status_code == 200


@pytest.mark.parametrize("body", [
    {"username": "hotline", "password": "wrong"},
    {"username": "nobody", "password": PASSWORD},
    {"username": "hotline"},
    {"username": ["hotline"], "password": PASSWORD},
])
def test_token_endpoint_refuses_bad_credentials_with_400(cast, body):
    response = APIClient().post("/api/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_inactive_user_gets_no_token(cast):
    cast["mailroom"].is_active = False
    cast["mailroom"].save()
    response = APIClient().post("/api/auth/token/", {"username": "mailroom", "password": PASSWORD}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/api/cases/", "/api/factories/", "/api/products/", "/api/cases/D-2026-000001/",
                                 "/api/cases/D-2026-000001/events/"])
def test_anonymous_and_bad_tokens_are_refused(db, url):
    assert APIClient().get(url).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(url).status_code == 401
    assert APIClient().post("/api/cases/", {}, format="json").status_code == 401


def test_browser_session_works_too(cast):
    client = APIClient()
    assert client.login(username="qa_manager", password=PASSWORD)
    assert client.get("/api/cases/").status_code == 200


def test_schema_is_a_valid_openapi_document_describing_the_api(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    paths = schema["paths"]
    for path in ("/api/auth/token/", "/api/factories/", "/api/products/", "/api/cases/",
                 "/api/cases/{reference}/", "/api/cases/{reference}/events/", "/api/cases/{reference}/contacts/",
                 "/api/cases/{reference}/investigation/", "/api/cases/{reference}/transitions/{name}/",
                 "/api/cases/{reference}/investigation/photos/", "/api/cases/{reference}/investigation/photos/{photo_id}/",
                 "/api/cases/{reference}/investigation/versions/", "/api/photos/{photo_id}/", "/api/cases/unrouted/",
                 "/api/cases/{reference}/assign-factory/", "/api/cases/{reference}/shipments/",
                 "/api/cases/{reference}/consumer/", "/api/cases/{reference}/replacement/", "/api/returns/scan/",
                 "/api/parcels/match/", "/api/shipments/{shipment_id}/events/", "/api/redirects/",
                 "/api/redirects/{redirect_id}/done/", "/api/address/lookup/", "/api/cases/{reference}/letters/",
                 "/api/print-batches/", "/api/print-batches/{batch_id}/"):
        assert path in paths, path
    transition = paths["/api/cases/{reference}/transitions/{name}/"]["post"]
    name = next(p for p in transition["parameters"] if p["name"] == "name")
    assert sorted(name["schema"]["enum"]) == sorted(TRANSITION_NAMES)
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])
    assert "PaginatedCaseList" in schema["components"]["schemas"]


def test_docs_load_nothing_from_other_hosts(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", html), "a URL to another host"
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, "the page loads its assets from somewhere"
    for asset in assets:
        if asset.startswith("/api/docs/?script"):
            continue  # the page's start-up script (SpectacularSwaggerSplitView), checked below
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped locally"
    # The Content Security Policy allows no inline script or style: none is left on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "<style" not in html and "style=" not in html
    script = APIClient().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
