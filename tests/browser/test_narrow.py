"""Pages usable on a 390 px wide phone: no sideways scrolling of the page (a wide table scrolls inside
its own box), and badges keep their words on one line."""

import pytest

from defects.models import State

NARROW = 390

# What overflows, for the failure message: elements wider than the viewport, innermost first.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('table, .table-wrap, .scroll-x, pre')) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                ' right=' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(-8)};
}"""

# A badge squeezed to one character a line is taller than two lines of its own text.
STACKED_BADGES_JS = """() => [...document.querySelectorAll('.badge, .role, .count, .urgent-tag')]
  .filter(el => el.offsetParent !== null && el.textContent.trim().length > 1)
  .filter(el => el.getBoundingClientRect().height > 2.5 * parseFloat(getComputedStyle(el).lineHeight || 16))
  .map(el => el.textContent.trim())"""


def assert_fits(page, screenshot, name):
    measured = page.evaluate(OVERFLOW_JS)
    screenshot(page, name)
    assert measured["scroll"] <= measured["width"], (page.url, measured)
    stacked = page.evaluate(STACKED_BADGES_JS)
    assert not stacked, (page.url, stacked)


@pytest.mark.parametrize("viewport_width", [NARROW])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_hotline_pages_fit_390px(page_as, make_case, screenshot, language, viewport_width):
    cases = [make_case(State.RECEIVED), make_case(State.REPORT_REVIEW), make_case(State.CLOSED)]
    page = page_as("hotline")
    for path, name in [("/", "queue"), ("/cases/", "cases"), ("/cases/new/", "intake"), ("/redirects/", "redirects"),
                       ("/print-room/", "print-room")] + [(f"/cases/{c.reference}/", f"case-{c.state}") for c in cases]:
        page.goto(path)
        assert_fits(page, screenshot, name)
    # The intake form with its errors shown.
    page.goto("/cases/new/")
    with page.expect_navigation():
        page.locator("form button[type=submit], form .btn-primary").last.click()
    assert_fits(page, screenshot, "intake-errors")


@pytest.mark.parametrize("viewport_width", [NARROW])
@pytest.mark.parametrize("role, state, extra", [
    ("qa_kyu", State.INVESTIGATING, ["/scan/", "investigation/"]),
    ("qa_manager", State.REPORT_REVIEW, ["/unrouted/"]),
    ("mailroom", State.APPROVED, ["/scan/", "/print-room/"]),
])
def test_other_roles_pages_fit_390px(page_as, make_case, screenshot, role, state, extra, viewport_width):
    case = make_case(state)
    page = page_as(role)
    paths = ["/", "/cases/", f"/cases/{case.reference}/"]
    paths += [p if p.startswith("/") else f"/cases/{case.reference}/{p}" for p in extra]
    for path in paths:
        page.goto(path)
        assert_fits(page, screenshot, path.strip("/").replace("/", "_") or "queue")
