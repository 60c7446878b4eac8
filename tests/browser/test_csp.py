"""The Content Security Policy holds in a real browser: the main pages of every role, the admin and the
API docs load, run htmx, and make chromium report no violation (no inline script or style left)."""

import pytest

from defects.models import State

# Recorded by the page itself: chromium fires `securitypolicyviolation` for every blocked script, style,
# frame or connection. An init script is injected by the browser, so the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""

PAGES = {
    "hotline": ["/", "/cases/", "/cases/new/", "/cases/{ref}/", "/cases/{ref}/consumer/", "/redirects/",
                "/print-room/", "/print-room/preview/first_notice_postcard/", "/api/docs/"],
    "qa_kyu": ["/", "/cases/", "/scan/", "/cases/{ref}/", "/cases/{ref}/investigation/"],
    "qa_manager": ["/", "/cases/", "/unrouted/", "/cases/{ref}/"],
    "mailroom": ["/", "/scan/", "/redirects/", "/print-room/", "/cases/{ref}/"],
}


def visit(page, url, interact=None) -> list[str]:
    console = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    def on_error(error):
        console.append(f"script error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if interact:
            interact(page)
            page.wait_for_load_state("networkidle")
        return console + page.evaluate("window.__cspViolations")
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)


def type_a_search(page):
    page.locator("#id_q").click()
    page.keyboard.type("蒼井")
    page.wait_for_timeout(700)  # htmx's 400 ms delay, then the swap


def type_a_postal_code(page):
    page.locator("[name=consumer_postal_code]").click()
    page.keyboard.type("8100001")
    page.wait_for_timeout(600)


INTERACTIONS = {"/cases/": type_a_search, "/cases/new/": type_a_postal_code}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_the_main_pages_of_each_role_raise_no_csp_violation(page_as, make_case, who):
    case = make_case(State.INVESTIGATING)
    page = page_as(who)
    page.context.add_init_script(RECORD_VIOLATIONS)
    found = {}
    for url in PAGES[who]:
        url = url.format(ref=case.reference)
        problems = visit(page, url, INTERACTIONS.get(url) if who == "hotline" else None)
        assert page.locator("body").count() == 1
        if problems:
            found[url] = problems
    assert not found, found


def test_the_admin_raises_no_csp_violation(new_page, django_user_model, make_case):
    case = make_case()
    root = django_user_model.objects.create_superuser("root", "root@example.jp", "test-pass-123")
    page = new_page(root)
    page.context.add_init_script(RECORD_VIOLATIONS)
    found = {}
    for url in ("/admin/", "/admin/defects/defectcase/", f"/admin/defects/defectcase/{case.pk}/change/",
                "/admin/defects/contact/", "/admin/auth/user/"):
        problems = visit(page, url)
        if problems:
            found[url] = problems
    assert not found, found


def test_the_api_docs_render_under_the_policy(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    assert visit(page, "/api/docs/") == []
    # Swagger UI ran (its script came from ?script, not inline) and drew the operations.
    assert page.locator(".swagger-ui .opblock").first.is_visible()
