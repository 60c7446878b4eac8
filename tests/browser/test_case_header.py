"""The case header in a real browser: a colleague opens a case and sees who owes what, takes it, then
hands it to the QA manager, all by clicking and choosing as a person does."""

import datetime

import pytest
from django.utils import timezone

from defects import services
from defects.models import DefectCase, Event, State


@pytest.mark.parametrize("language", ["en"])
def test_header_shows_who_owes_what_and_the_hotline_takes_then_assigns(page_as, make_case, hotline, qa_manager,
                                                                       screenshot, language):
    case = make_case(State.AWAITING_RETURN)
    due = timezone.now() + datetime.timedelta(hours=5)
    services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound",
                                         "summary": "Call back once the kit has arrived.",
                                         "follow_up_due": due, "follow_up_owner": qa_manager})
    page = page_as("hotline", language="en")
    page.goto(f"/cases/{case.reference}/")
    header = page.locator("#case-header")
    assert header.locator("[data-waiting-on]").inner_text() == "The consumer"
    assert f"due {timezone.localtime(due):%Y-%m-%d %H:%M} JST · {qa_manager.username}" in header.inner_text()
    assert "Nobody yet" in header.inner_text()
    screenshot(page, "before")

    with page.expect_navigation():
        header.get_by_role("button", name="Take it").click()
    assert page.locator(".owner-name").inner_text() == hotline.username
    assert header.get_by_role("button", name="Take it").count() == 0
    assert DefectCase.objects.get(pk=case.pk).owner == hotline

    header.get_by_label("Assign to").select_option(qa_manager.username)
    with page.expect_navigation():
        header.get_by_role("button", name="Assign to").click()
    assert page.locator(".owner-name").inner_text() == qa_manager.username
    assert page.locator(".ev-owner").count() == 2  # two "Owner changed" lines on the timeline
    assert list(Event.objects.filter(case=case, kind=Event.Kind.OWNER).values_list("data__to", flat=True)
                .order_by("id")) == [hotline.username, qa_manager.username]
    screenshot(page, "after")


@pytest.mark.parametrize("language, viewport_width", [("ja", 390)])
def test_header_at_phone_width_does_not_scroll_sideways(page_as, make_case, screenshot, language, viewport_width):
    case = make_case(State.REPLACEMENT_SHIPPED, health_effect=True)
    page = page_as("hotline")
    page.goto(f"/cases/{case.reference}/")
    assert page.locator("#case-header [data-waiting-on]").inner_text() == "印刷・発送室"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "home")
