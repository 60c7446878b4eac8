"""Browser tests: Debian's chromium driven by Playwright against a live Django server.

Fixtures
- `page`: a fresh browser page, not logged in (desktop viewport, Japanese), screenshot kept.
- `page_as("hotline")`: a page logged in as that member of the standard cast (tests/conftest.py:
  hotline, qa_kyu, qa_sai, qa_manager, mailroom, admin); `page_as(user)` takes a user too.
  Keyword arguments `language="en"` and `width=390` pick the language and the viewport.
- `language` ("ja") and `viewport_width` (1280): override them per test with
  `@pytest.mark.parametrize("language", ["ja", "en"])` / `("viewport_width", [390])`.
- `log_in(page, username)`: logs in by typing into the login form, as a person does.
- `screenshot(page, "step")`: var/test-reports/screens/<test name>-step.png. At the end of every
  test (passed or failed) each of its pages is saved as <test name>.png (<test name>-2.png, ...).

Every test here is marked `browser` (see pytest_collection_modifyitems). Tests that need a real
Celery worker also carry `worker` (and the `celery_worker` fixture from tests/integration/conftest.py,
re-exported below): those run in the PostgreSQL + Redis run only, the others in the SQLite run.

The live server runs in a thread of the test process; the tests are transactional (their data is
committed so that the server thread and the worker see it), with serialized_rollback so the data
the migrations seed (role groups, carriers) is back for the next test. With SQLite in memory
pytest-django shares the one connection with the server thread.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.conftest import PASSWORD
from tests.integration.conftest import celery_worker, celery_worker_process  # noqa: F401 - fixtures

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run while a loop
# runs here (SynchronousOnlyOperation), although our calls are plain synchronous ones between
# browser steps. The live server answers requests in its own thread either way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HITOTSUBU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE_HEIGHT = 844  # an iPhone-sized 390 x 844
SCREENS = Path(settings.BASE_DIR) / "var" / "test-reports" / "screens"
TIMEOUT_MS = 15_000  # generous: two shared cores, and the CI machine runs two xdist workers


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # Committed data, so that the live server's thread (and a worker) sees it.
            if not item.get_closest_marker("django_db"):
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# --- pytest-playwright's fixtures, pointed at Debian's chromium ---------------------------------

@pytest.fixture(scope="session")
def playwright(django_db_setup, _pw_api_request_contexts):
    """pytest-playwright's `playwright`, keeping Django's test-database state across its start.

    Starting Playwright's sync API (greenlets) leaves this thread in a fresh contextvars context,
    so Django's connection handler (an asgiref Local) hands out new connection objects afterwards,
    without the serialized copy of the seeded data that serialized_rollback restores after each
    transactional test. Without this, a browser test run after ordinary tests in the same process
    finds the role groups gone. The test database itself is the same (PostgreSQL, or the shared
    in-memory SQLite that the first connection keeps alive).
    """
    from django.db import connections

    saved = {conn.alias: conn._test_serialized_contents for conn in connections.all(initialized_only=True)
             if hasattr(conn, "_test_serialized_contents")}
    pw = sync_playwright().start()
    for alias, contents in saved.items():
        connections[alias]._test_serialized_contents = contents
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"the browser tests need chromium at {CHROMIUM}: apt-get install chromium "
                    "(./scripts/test installs it when run as root), or set HITOTSUBU_CHROMIUM", pytrace=False)
    # A CI machine may have no Japanese font at all (the screenshots would show boxes): the browser
    # also gets the IPAex fonts the letters vendor, through a fontconfig file of its own.
    conf_dir = tmp_path_factory.mktemp("fontconfig")
    conf = conf_dir / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=Path(settings.BASE_DIR) / "letters" / "fonts", cache=conf_dir / "cache"))
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True,
            "env": {**os.environ, "FONTCONFIG_FILE": str(conf)}}


@pytest.fixture
def language():
    return "ja"


@pytest.fixture
def viewport_width():
    return DESKTOP["width"]


def screen_name(request, suffix: str = "") -> Path:
    name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
    return SCREENS / f"{name}{'-' + suffix if suffix else ''}.png"


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves var/test-reports/screens/<test name>-step.png (full page)."""

    def save(page, step: str = ""):
        path = screen_name(request, step)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def new_page(browser, live_server, language, viewport_width, request, screenshot):
    """new_page(user=None, language=..., width=...) -> a page in a context of its own (own cookies)."""
    contexts, pages = [], []

    def make(user=None, *, language=language, width=viewport_width):
        height = DESKTOP["height"] if width >= 800 else PHONE_HEIGHT
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height},
            locale="ja-JP" if language == "ja" else "en-US", timezone_id="Asia/Tokyo",
        )
        context.set_default_timeout(TIMEOUT_MS)
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        if user is not None:
            client = Client()
            assert client.login(username=user.get_username(), password=PASSWORD)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
        context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make

    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for index, page in enumerate(pages, start=1):
        try:
            if not page.is_closed():
                path = screenshot(page, "" if index == 1 else str(index))
                if failed:
                    print(f"screenshot of the failed test: {path}")
        except Exception as error:  # noqa: BLE001 - a screenshot must never hide the test's own failure
            print(f"could not save the screenshot of page {index}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page not logged in: desktop viewport and Japanese unless the test overrides them."""
    return new_page()


@pytest.fixture
def page_as(new_page, cast):
    """page_as("hotline" | user, language=..., width=...) -> a page logged in as that user."""

    def make(who, **kwargs):
        user = cast[who] if isinstance(who, str) else who
        return new_page(user, **kwargs)

    return make


@pytest.fixture
def log_in():
    """log_in(page, username): opens the login page and types the username and password, Tab between."""

    def do(page, username, password=PASSWORD):
        page.goto("/login/")
        page.locator("#id_username").click()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    return do
