"""The case page: one button per available transition, each POST runs through the services."""

import re

import pytest
from django.test import Client

from defects import services
from defects.models import Contact, DefectCase, Event, State
from factories.models import Investigation
from tests.conftest import fill_report

pytestmark = pytest.mark.django_db

CASES = [
    (State.RECEIVED, "hotline"), (State.RECEIVED, "qa_manager"), (State.RECEIVED, "qa_kyu"),
    (State.AWAITING_RETURN, "mailroom"), (State.AWAITING_RETURN, "qa_kyu"), (State.SAMPLE_RECEIVED, "qa_kyu"),
    (State.INVESTIGATING, "qa_kyu"), (State.REPORT_REVIEW, "qa_manager"), (State.APPROVED, "mailroom"),
    (State.REPLACEMENT_SHIPPED, "hotline"), (State.CLOSED, "hotline"),
]


def _buttons(response, case):
    return set(re.findall(rf'action="/cases/{case.reference}/transitions/(\w+)/"', response.content.decode()))


@pytest.mark.parametrize("state, who", CASES)
def test_case_page_shows_exactly_the_available_transitions(make_case, login, cast, state, who):
    case = make_case(state)
    response = login(cast[who]).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    assert _buttons(response, case) == set(services.available_transitions(case, cast[who]))


def test_reference_is_found_however_it_is_typed(make_case, login, hotline):
    case = make_case()
    assert login(hotline).get(f"/cases/{case.reference.lower()}/").status_code == 200


def test_posting_a_button_runs_the_transition_and_logs_it(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    client = login(hotline)
    response = client.post(f"/cases/{case.reference}/transitions/request_return/", {"carrier": "yamato"})
    assert response.status_code == 302 and response.url == f"/cases/{case.reference}/"
    case.refresh_from_db()
    assert case.state == State.AWAITING_RETURN
    event = case.events.get(kind=Event.Kind.TRANSITION)
    assert (event.transition, event.actor) == ("request_return", hotline)
    assert "返送依頼済み" in client.get(response.url).content.decode()  # the timeline says so


def test_transition_in_the_wrong_state_is_409_and_changes_nothing(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    events = case.events.count()
    response = login(hotline).post(f"/cases/{case.reference}/transitions/close/", {})
    assert response.status_code == 409
    assert response.context["error"] and 'role="alert"' in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.events.count() == events


def test_htmx_post_in_the_wrong_state_is_409_too(make_case, login, hotline):
    case = make_case(State.CLOSED)
    response = login(hotline).post(f"/cases/{case.reference}/transitions/withdraw/", {"reason": "x"},
                                   headers={"HX-Request": "true"})
    assert response.status_code == 409


def test_transition_by_the_wrong_role_is_403(make_case, login, qa_kyu, mailroom):
    case = make_case(State.RECEIVED)
    assert login(qa_kyu).post(f"/cases/{case.reference}/transitions/request_return/", {}).status_code == 403
    assert login(mailroom).post(f"/cases/{case.reference}/transitions/withdraw/", {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_bad_payload_is_400_with_the_field_error(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    response = login(hotline).post(f"/cases/{case.reference}/transitions/withdraw/", {"reason": ""})
    assert response.status_code == 400
    [action] = [a for a in response.context["actions"] if a["name"] == "withdraw"]
    assert "reason" in action["form"].errors
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_incomplete_report_cannot_be_submitted(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    response = login(qa_kyu).post(f"/cases/{case.reference}/transitions/submit_report/", {})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


def test_unknown_transition_is_404(make_case, login, hotline):
    case = make_case()
    assert login(hotline).post(f"/cases/{case.reference}/transitions/explode/", {}).status_code == 404


def test_another_factorys_case_does_not_exist(make_case, login, qa_sai):
    case = make_case(State.SAMPLE_RECEIVED)  # a KYU case
    client = login(qa_sai)
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    assert client.post(f"/cases/{case.reference}/transitions/start_investigation/", {}).status_code == 404
    assert client.post(f"/cases/{case.reference}/contacts/", {}).status_code == 404
    assert client.get(f"/cases/{case.reference}/investigation/").status_code == 404
    case.refresh_from_db()
    assert case.state == State.SAMPLE_RECEIVED


def test_transitions_need_a_csrf_token(make_case, hotline):
    case = make_case(State.RECEIVED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(hotline)
    response = client.post(f"/cases/{case.reference}/transitions/request_return/", {})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    token = client.get(f"/cases/{case.reference}/").cookies["csrftoken"].value
    response = client.post(f"/cases/{case.reference}/transitions/request_return/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_transitions_are_post_only(make_case, login, hotline):
    case = make_case()
    assert login(hotline).get(f"/cases/{case.reference}/transitions/request_return/").status_code == 405


# --- contacts ---------------------------------------------------------------------------------

def test_hotline_logs_a_contact_with_a_promise(make_case, login, hotline):
    case = make_case(State.AWAITING_RETURN)
    response = login(hotline).post(f"/cases/{case.reference}/contacts/", {
        "channel": "phone", "direction": "outbound", "summary": "Kit arrived? Will call again.",
        "follow_up_due": "2030-01-10T10:00", "follow_up_owner": "hotline",
    })
    assert response.status_code == 302
    contact = Contact.objects.get(case=case, direction="outbound")
    assert contact.follow_up_owner == hotline and contact.follow_up_due.year == 2030
    assert case.events.filter(kind=Event.Kind.CONTACT, contact=contact).exists()


def test_a_promise_without_an_owner_is_refused(make_case, login, hotline):
    case = make_case(State.AWAITING_RETURN)
    response = login(hotline).post(f"/cases/{case.reference}/contacts/", {
        "channel": "phone", "direction": "outbound", "summary": "will call", "follow_up_due": "2030-01-10T10:00",
        "follow_up_owner": "",
    })
    assert response.status_code == 400 and "follow_up_owner" in response.context["contact_form"].errors
    assert Contact.objects.count() == 1  # the intake call only


def test_factory_qa_does_not_log_contacts(make_case, login, qa_kyu):
    case = make_case(State.AWAITING_RETURN)
    response = login(qa_kyu).post(f"/cases/{case.reference}/contacts/", {
        "channel": "phone", "direction": "outbound", "summary": "x"})
    assert response.status_code == 403 and Contact.objects.count() == 1  # the intake call only


# --- the factory's report ---------------------------------------------------------------------

def test_factory_qa_saves_the_report_draft(make_case, login, qa_kyu, complete_report):
    case = make_case(State.INVESTIGATING)
    client = login(qa_kyu)
    assert f'href="/cases/{case.reference}/investigation/"' in client.get(f"/cases/{case.reference}/").content.decode()
    assert client.get(f"/cases/{case.reference}/investigation/").status_code == 200
    draft = {name: complete_report[name] for name in
             ("manufacturing_process", "cause_of_occurrence", "cause_of_escape", "prevention")}
    response = client.post(f"/cases/{case.reference}/investigation/", draft)
    assert response.status_code == 302
    assert Investigation.objects.get(case=case).prevention == draft["prevention"]


def test_factory_qa_submits_a_complete_report(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    fill_report(case, qa_kyu)  # whatever a complete report is, conftest knows
    response = login(qa_kyu).post(f"/cases/{case.reference}/transitions/submit_report/", {})
    assert response.status_code == 302
    assert DefectCase.objects.get(pk=case.pk).state == State.REPORT_REVIEW


def test_report_draft_rejects_control_characters(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    response = login(qa_kyu).post(f"/cases/{case.reference}/investigation/", {"prevention": "a\x1bb"})
    assert response.status_code == 400 and "prevention" in response.context["form"].errors


def test_report_cannot_be_edited_after_submission(make_case, login, qa_kyu):
    case = make_case(State.REPORT_REVIEW)
    assert login(qa_kyu).post(f"/cases/{case.reference}/investigation/", {"prevention": "x"}).status_code == 409


def test_only_the_factorys_qa_edits_the_report(make_case, login, hotline, qa_manager):
    case = make_case(State.INVESTIGATING)
    assert login(hotline).get(f"/cases/{case.reference}/investigation/").status_code == 403
    assert login(qa_manager).post(f"/cases/{case.reference}/investigation/", {"prevention": "x"}).status_code == 403


def test_htmx_answers_keep_the_case_address_in_the_bar(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    response = login(hotline).post(f"/cases/{case.reference}/transitions/close/", {}, headers={"HX-Request": "true"})
    assert response.status_code == 409 and response["HX-Replace-Url"] == f"/cases/{case.reference}/"
