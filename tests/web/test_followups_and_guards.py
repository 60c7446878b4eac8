"""Promised follow-ups marked done, the intake's double-submit guard, and the navigation by role."""

import datetime

import pytest
from django.utils import timezone

from defects import services
from defects.models import Contact, DefectCase, Event, State
from tests.conftest import intake_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_promise(make_case, hotline):
    case = make_case(State.AWAITING_RETURN)
    return services.log_contact(case, hotline, {
        "channel": "phone", "direction": "outbound", "summary": "Will call back about the kit.",
        "follow_up_due": timezone.now() - datetime.timedelta(hours=2), "follow_up_owner": hotline,
    })


def _promises(home):
    return next(s for s in home.context["sections"] if s["queue"].name == "promises")["rows"]


def test_follow_up_is_marked_done_from_the_home_page(late_promise, login, hotline):
    client = login(hotline)
    home = client.get("/")
    assert _promises(home) == [late_promise]
    assert f'action="/contacts/{late_promise.pk}/follow-up-done/"' in home.content.decode()
    response = client.post(f"/contacts/{late_promise.pk}/follow-up-done/", {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    late_promise.refresh_from_db()
    assert late_promise.follow_up_done_at is not None
    event = Event.objects.get(kind=Event.Kind.NOTE, contact=late_promise)
    assert event.actor == hotline and event.data["action"] == "follow_up_done"
    assert _promises(client.get("/")) == []
    # A second click writes nothing more.
    assert client.post(f"/contacts/{late_promise.pk}/follow-up-done/", {"next": "/"}).status_code == 302
    assert Event.objects.filter(kind=Event.Kind.NOTE, contact=late_promise).count() == 1


def test_follow_up_is_marked_done_from_the_case_page(late_promise, login, qa_manager):
    client = login(qa_manager)
    url = f"/cases/{late_promise.case.reference}/"
    assert f'action="/contacts/{late_promise.pk}/follow-up-done/"' in client.get(url).content.decode()
    response = client.post(f"/contacts/{late_promise.pk}/follow-up-done/", {"next": url + "#contacts"})
    assert response.status_code == 302 and response.url == url + "#contacts"
    assert Contact.objects.get(pk=late_promise.pk).follow_up_done_at is not None


def test_follow_up_next_must_stay_on_this_site(late_promise, login, hotline):
    response = login(hotline).post(f"/contacts/{late_promise.pk}/follow-up-done/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_factory_qa_does_not_mark_follow_ups(late_promise, login, qa_kyu, qa_sai):
    assert login(qa_kyu).post(f"/contacts/{late_promise.pk}/follow-up-done/").status_code == 403
    assert login(qa_sai).post(f"/contacts/{late_promise.pk}/follow-up-done/").status_code == 404
    assert Contact.objects.get(pk=late_promise.pk).follow_up_done_at is None


def test_complete_follow_up_service(late_promise, hotline, make_case):
    contact = services.complete_follow_up(late_promise, hotline)
    assert contact.follow_up_done_at is not None
    with pytest.raises(services.TransitionConflict):
        services.complete_follow_up(late_promise, hotline)
    no_promise = services.log_contact(late_promise.case, hotline, {
        "channel": "phone", "direction": "inbound", "summary": "Thanks."})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.complete_follow_up(no_promise, hotline)


# --- intake double submit ------------------------------------------------------------------------

def test_a_double_click_on_intake_opens_one_case(login, hotline, gum):
    client = login(hotline)
    token = client.get("/cases/new/").context["intake_token"]
    data = {**intake_data(gum), "intake_token": token}
    first = client.post("/cases/new/", data)
    second = client.post("/cases/new/", data)
    case = DefectCase.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/cases/{case.reference}/"
    # A fresh form opens a new case.
    token = client.get("/cases/new/").context["intake_token"]
    client.post("/cases/new/", {**intake_data(gum), "intake_token": token})
    assert DefectCase.objects.count() == 2


def test_an_invalid_intake_does_not_spend_the_token(login, hotline, gum):
    client = login(hotline)
    token = client.get("/cases/new/").context["intake_token"]
    assert client.post("/cases/new/", {**intake_data(gum, description=""), "intake_token": token}).status_code == 400
    assert client.post("/cases/new/", {**intake_data(gum), "intake_token": token}).status_code == 302
    assert DefectCase.objects.count() == 1


# --- navigation by role --------------------------------------------------------------------------

NAV = {"/scan/": {"qa_kyu", "mailroom", "admin"}, "/unrouted/": {"qa_manager"},
       "/redirects/": {"hotline", "mailroom", "admin"}, "/print-room/": {"hotline", "qa_manager", "mailroom", "admin"}}


@pytest.mark.parametrize("who", ["hotline", "qa_kyu", "qa_manager", "mailroom", "admin"])
def test_navigation_links_by_role(login, cast, who):
    page = login(cast[who]).get("/").content.decode()
    for url, allowed in NAV.items():
        assert (f'href="{url}"' in page) == (who in allowed), (who, url)
