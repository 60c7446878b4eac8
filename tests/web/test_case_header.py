"""The case header: stage, whom the case waits on, the next promise, the owner (Take it / Assign to),
the age; factory users get it without the promise and without personal data."""

import datetime
import re

import pytest
from django.utils import timezone

from defects import services
from defects.models import DefectCase, Event, State
from tests.conftest import DISTINCTIVE_CONSUMER

from .helpers import text

pytestmark = pytest.mark.django_db


def _header(response) -> str:
    match = re.search(r'<section class="case-header".*?</section>', text(response), re.S)
    assert match, "no case header"
    return match.group(0)


def test_header_shows_stage_waiting_on_owner_and_age(make_case, login_en, hotline):
    case = make_case(State.AWAITING_RETURN)
    header = _header(login_en(hotline).get(f"/cases/{case.reference}/"))
    assert "Awaiting return" in header
    assert 'data-waiting-on="consumer"' in header and "The consumer" in header
    assert "Nobody yet" in header and "Take it" in header and "No open promise" in header
    assert "received" in header and "JST" in header


def test_header_shows_the_next_promise_with_due_time_and_owner(make_case, login_en, hotline, qa_manager):
    case = make_case(State.AWAITING_RETURN)
    due = timezone.now() + datetime.timedelta(days=1)
    services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound", "summary": "call tomorrow",
                                         "follow_up_due": due, "follow_up_owner": qa_manager})
    services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound", "summary": "call in a week",
                                         "follow_up_due": due + datetime.timedelta(days=6),
                                         "follow_up_owner": hotline})
    header = _header(login_en(hotline).get(f"/cases/{case.reference}/"))
    local = timezone.localtime(due)
    assert f"due {local:%Y-%m-%d %H:%M} JST · {qa_manager.username}" in header


def test_take_it_and_assign_to_from_the_page(make_case, login, hotline, qa_manager):
    case = make_case()
    client = login(hotline)
    response = client.post(f"/cases/{case.reference}/owner/", {"take": "1"})
    assert response.status_code == 302
    assert DefectCase.objects.get(pk=case.pk).owner == hotline
    header = _header(client.get(f"/cases/{case.reference}/"))
    assert f'<span class="owner-name">{hotline.username}</span>' in header
    assert "name=\"take\"" not in header  # already theirs: no Take it
    assert client.post(f"/cases/{case.reference}/owner/", {"owner": qa_manager.username}).status_code == 302
    assert DefectCase.objects.get(pk=case.pk).owner == qa_manager
    assert Event.objects.filter(case=case, kind=Event.Kind.OWNER).count() == 2
    timeline = text(client.get(f"/cases/{case.reference}/"))
    assert "担当者の変更" in timeline  # "Owner changed" on the timeline


def test_assigning_to_someone_ineligible_answers_400_on_the_page(make_case, login_en, hotline, mailroom):
    case = make_case()
    response = login_en(hotline).post(f"/cases/{case.reference}/owner/", {"owner": mailroom.username})
    assert response.status_code == 400
    assert "is not a hotline or QA manager user" in text(response)
    assert DefectCase.objects.get(pk=case.pk).owner is None


@pytest.mark.parametrize("who, status", [("mailroom", 403), ("qa_kyu", 403), ("qa_sai", 404)])
def test_other_roles_cannot_take_from_the_page(make_case, login, cast, who, status):
    case = make_case(State.INVESTIGATING)
    assert login(cast[who]).post(f"/cases/{case.reference}/owner/", {"take": "1"}).status_code == status
    assert DefectCase.objects.get(pk=case.pk).owner is None


def test_factory_users_get_the_header_without_promise_or_personal_data(make_case, login_en, hotline, qa_kyu):
    case = make_case(State.INVESTIGATING)
    services.assign(case, hotline, hotline)
    services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound",
                                         "summary": f"Promised {DISTINCTIVE_CONSUMER['consumer_name']} a call",
                                         "follow_up_due": timezone.now() + datetime.timedelta(hours=3),
                                         "follow_up_owner": hotline})
    header = _header(login_en(qa_kyu).get(f"/cases/{case.reference}/"))
    assert 'data-waiting-on="factory"' in header and hotline.username in header
    assert "Next promise" not in header and "Take it" not in header and "Assign to" not in header
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in header


def test_closed_case_header_says_nobody_and_how_long_it_took(make_case, login_en, hotline):
    case = make_case(State.CLOSED)
    header = _header(login_en(hotline).get(f"/cases/{case.reference}/"))
    assert 'data-waiting-on="nobody"' in header and "closed after" in header
    assert "Take it" not in header
