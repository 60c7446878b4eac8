"""Production settings from the environment: HTTPS behind a TLS proxy, the Content Security Policy,
no-store on personal data, and `manage.py check --deploy` clean with the README's environment."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from defects.models import State

BASE_DIR = Path(django_settings.BASE_DIR)


def readme_production_environment() -> dict:
    """The `export NAME=value` lines of the README's production section, as an environment."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it production-like", 1)[1].split("\n## ", 1)[0]
    env = {}
    for name, value in re.findall(r"^export (\w+)=(\S+)", section, flags=re.M):
        env[name] = value.strip("'\"")
    return env


def run_python(code: str, env: dict, *args) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HITOTSUBU_", "SECURE_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run([sys.executable, *args] if not code else [sys.executable, "-c", code],
                          cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)


SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")}))
"""


def settings_with(env: dict) -> dict:
    result = run_python(SHOW_SETTINGS, {"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_readme_production_environment_asks_for_https():
    env = readme_production_environment()
    assert env.get("HITOTSUBU_HTTPS") == "1" and env.get("DEBUG") == "0"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL"} <= set(env)


def test_check_deploy_is_clean_with_the_readme_environment(tmp_path):
    env = readme_production_environment()
    # The README's placeholder secret is a placeholder: a real one is long and random.
    env.update(SECRET_KEY=secrets.token_urlsafe(64), HITOTSUBU_VAR_DIR=str(tmp_path))
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_warns_without_https(tmp_path):
    """The check itself is live: the same environment without HITOTSUBU_HTTPS fails it."""
    env = readme_production_environment()
    env.pop("HITOTSUBU_HTTPS")
    env.update(SECRET_KEY=secrets.token_urlsafe(64), HITOTSUBU_VAR_DIR=str(tmp_path))
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout


def test_https_turns_on_secure_cookies_hsts_redirect_and_the_proxy_header():
    on = settings_with({"HITOTSUBU_HTTPS": "1", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64)})
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"] and on["SECURE_SSL_REDIRECT"]
    assert on["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert on["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600 and on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert on["SECURE_HSTS_PRELOAD"] is False
    tuned = settings_with({"HITOTSUBU_HTTPS": "1", "HITOTSUBU_HSTS_SECONDS": "3600",
                           "HITOTSUBU_HSTS_INCLUDE_SUBDOMAINS": "0", "HITOTSUBU_HSTS_PRELOAD": "1"})
    assert (tuned["SECURE_HSTS_SECONDS"], tuned["SECURE_HSTS_INCLUDE_SUBDOMAINS"], tuned["SECURE_HSTS_PRELOAD"]) == (
        3600, False, True)
    off = settings_with({})
    assert not off["SESSION_COOKIE_SECURE"] and not off["SECURE_SSL_REDIRECT"] and not off["SECURE_HSTS_SECONDS"]
    assert off["SECURE_PROXY_SSL_HEADER"] is None


def test_behind_the_tls_proxy_http_is_redirected_and_https_gets_hsts(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- Content Security Policy ----------------------------------------------------------------------

def csp_of(response) -> dict:
    return {d.split()[0]: d.split()[1:] for d in response["Content-Security-Policy"].split(";") if d.strip()}


def test_every_page_has_a_policy_without_inline_script_or_style(db, cast):
    client = Client()
    client.force_login(cast["hotline"])
    policy = csp_of(client.get("/"))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)
    for url in ("/login/", "/api/docs/", "/admin/login/"):
        assert "Content-Security-Policy" in Client().get(url), url


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]

PAGES = {
    "hotline": ["/", "/cases/", "/cases/new/", "/cases/{ref}/", "/redirects/", "/print-room/",
                "/print-room/preview/first_notice_postcard/"],
    "qa_kyu": ["/", "/cases/", "/scan/", "/cases/{ref}/", "/cases/{ref}/investigation/"],
    "qa_manager": ["/", "/cases/", "/unrouted/", "/cases/{ref}/"],
    "mailroom": ["/", "/scan/", "/redirects/", "/print-room/", "/cases/{ref}/"],
}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_main_pages_of_each_role_have_no_inline_script_or_style(make_case, cast, who):
    case = make_case(State.INVESTIGATING)
    client = Client()
    client.force_login(cast[who])
    for url in PAGES[who]:
        url = url.format(ref=case.reference)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "{#" not in html and "{%" not in html, f"{url}: template syntax shown as text"
        for pattern, what in INLINE:
            found = pattern.search(html)
            assert not found, f"{url}: {what}: {html[max(found.start() - 80, 0):found.end() + 80]}"


def test_the_letter_preview_may_be_framed_by_this_site_only(db, cast):
    client = Client()
    client.force_login(cast["hotline"])
    response = client.get("/print-room/preview/first_notice_postcard/?language=ja&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN" and csp_of(response)["frame-ancestors"] == ["'self'"]
    assert Client().get("/login/")["X-Frame-Options"] == "DENY"


# --- no-store --------------------------------------------------------------------------------------

def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_personal_data_is_never_stored_by_a_cache(make_case, cast):
    from letters import services as letters
    from letters.models import Letter
    from tests.api.conftest import token_client

    case = make_case(State.AWAITING_RETURN)
    client = Client()
    client.force_login(cast["hotline"])
    for url in ("/", "/cases/", f"/cases/{case.reference}/", f"/cases/{case.reference}/consumer/"):
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url
    api = token_client(cast["hotline"])
    for url in (f"/api/cases/{case.reference}/", "/api/cases/", f"/api/cases/{case.reference}/contacts/"):
        response = api.get(url)
        assert response.status_code == 200 and no_store(response), url
    for pk in Letter.objects.filter(case=case, status=Letter.Status.QUEUED).values_list("pk", flat=True):
        letters.render_letter(pk)  # the check task, run here as the worker would
    letter = Letter.objects.filter(case=case, status=Letter.Status.READY).first()
    mailroom = Client()
    mailroom.force_login(cast["mailroom"])
    pdf = mailroom.get(f"/print-room/letters/{letter.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and no_store(pdf)


def test_the_token_answer_is_not_stored_either(cast):
    from rest_framework.test import APIClient

    from tests.conftest import PASSWORD

    response = APIClient().post("/api/auth/token/", {"username": "hotline", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and no_store(response)


def test_only_the_browsable_api_may_use_inline_styles_and_never_inline_scripts(db, cast):
    client = Client()
    client.force_login(cast["hotline"])
    html = client.get("/api/cases/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    policy = csp_of(html)
    assert "'unsafe-inline'" in policy["style-src"] and policy["script-src"] == ["'self'"]
    as_json = client.get("/api/cases/")
    assert as_json["Content-Type"].startswith("application/json")
    assert csp_of(as_json)["style-src"] == ["'self'"]
