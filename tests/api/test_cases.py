"""Opening, listing and reading cases; contacts; the investigation draft; master data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from defects.keyset import CaseCursorPagination
from defects.models import Contact, DefectCase, State
from tests.api.conftest import case_body, case_url
from tests.conftest import COMPLETE_REPORT, DISTINCTIVE_CONSUMER


def test_hotline_opens_a_case_with_nested_consumer(api, gum):
    response = api("hotline").post("/api/cases/", case_body(gum, health_effect=True), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(case_url(body["reference"]))
    assert (body["state"], body["factory"], body["product"], body["urgent"]) == ("received", "KYU", gum.code, True)
    # Stored as intake normalises it: one ideographic space between family and given name.
    assert body["consumer"]["name"] == DISTINCTIVE_CONSUMER["consumer_name"] == "蒼井\u3000紫苑"
    assert body["consumer"]["language"] == "ja"
    case = DefectCase.objects.get(reference=body["reference"])
    assert [e.kind for e in case.events.all()] == ["created", "contact"] and case.created_by.username == "hotline"
    # The intake call is the first contact: inbound, by phone, what the consumer told us.
    contact = case.contacts.get()
    assert (contact.direction, contact.channel, contact.by.username) == ("inbound", "phone", "hotline")
    assert contact.summary == case.description and contact.at == case.received_at


def test_intake_takes_an_explicit_factory_and_language(api, gum, sai):
    body = case_body(gum, factory="SAI", consumer={"language": "en"})
    response = api("admin").post("/api/cases/", body, format="json")
    assert response.status_code == 201
    assert response.json()["factory"] == "SAI" and response.json()["consumer"]["language"] == "en"


@pytest.mark.parametrize("who", ["qa_kyu", "qa_manager", "mailroom"])
def test_only_hotline_and_admin_open_cases(api, gum, who):
    response = api(who).post("/api/cases/", case_body(gum), format="json")
    assert response.status_code == 403
    assert not DefectCase.objects.exists()


def test_list_is_paginated_and_filtered(api, make_case, chocolate, monkeypatch):
    # PAGE_SIZE is read once into the paginator class, so overriding the setting would not reach it.
    monkeypatch.setattr(CaseCursorPagination, "page_size", 2)
    received = make_case(State.RECEIVED)
    urgent = make_case(State.AWAITING_RETURN, health_effect=True, category="foreign_matter")
    sai_case = make_case(State.RECEIVED, product=chocolate)
    client = api("hotline")

    page = client.get("/api/cases/").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] and page["previous"] is None
    assert client.get(page["next"]).json()["previous"]

    def refs(**query):
        return {c["reference"] for c in client.get("/api/cases/", query).json()["results"]}

    assert refs(state="received") == {received.reference, sai_case.reference}
    assert refs(factory="SAI") == {sai_case.reference}
    assert refs(category="foreign_matter") == {urgent.reference}
    assert refs(urgent="true") == {urgent.reference}
    assert refs(q=sai_case.reference) == {sai_case.reference}
    assert refs(factory="NOPE") == set()


def test_factory_users_list_only_their_factorys_cases(api, make_case, chocolate):
    kyu_case, sai_case = make_case(), make_case(product=chocolate)
    assert [c["reference"] for c in api("qa_kyu").get("/api/cases/").json()["results"]] == [kyu_case.reference]
    assert [c["reference"] for c in api("qa_sai").get("/api/cases/").json()["results"]] == [sai_case.reference]


@pytest.mark.parametrize("who", ["hotline", "qa_kyu"])
def test_list_queries_do_not_grow_with_the_number_of_cases(api, make_case, who):
    client = api(who)
    make_case(State.INVESTIGATING)
    client.get("/api/cases/")  # warm up: token lookup paths, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/cases/").status_code == 200
    for _ in range(4):
        make_case(State.AWAITING_RETURN)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/cases/").json()["results"]) == 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_contacts_are_logged_and_listed_by_consumer_facing_roles(api, make_case):
    case = make_case()
    for who in ("hotline", "qa_manager", "mailroom"):
        note = {"channel": "letter", "direction": "outbound", "summary": f"{who} wrote"}
        response = api(who).post(case_url(case, "contacts"), note, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["by"] == who and response.json()["follow_up_overdue"] is False
    listed = api("mailroom").get(case_url(case, "contacts")).json()
    # The intake call is the first contact.
    assert [c["by"] for c in listed] == ["hotline", "hotline", "qa_manager", "mailroom"]
    assert [c["direction"] for c in listed] == ["inbound", "outbound", "outbound", "outbound"]
    assert case.events.filter(kind="contact").count() == 4


def test_a_promised_follow_up_is_logged_with_owner_and_overdue_flag(api, make_case):
    case = make_case()
    due = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    promise = {"channel": "phone", "direction": "outbound", "summary": "Promised to call back with the result.",
               "follow_up_due": due, "follow_up_owner": "hotline"}
    response = api("hotline").post(case_url(case, "contacts"), promise, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["follow_up_owner"] == "hotline" and response.json()["follow_up_overdue"] is True


def test_factory_users_may_neither_read_nor_log_contacts(api, make_case):
    case = make_case(State.INVESTIGATING)
    assert api("qa_kyu").get(case_url(case, "contacts")).status_code == 403
    note = {"channel": "phone", "direction": "outbound", "summary": "called"}
    assert api("qa_kyu").post(case_url(case, "contacts"), note, format="json").status_code == 403
    assert Contact.objects.count() == 1  # the intake call only


def test_investigation_is_an_empty_draft_until_the_factory_writes(api, make_case):
    case = make_case(State.SAMPLE_RECEIVED)
    draft = api("hotline").get(case_url(case, "investigation")).json()
    assert draft["manufacturing_process"] == "" and draft["updated_by"] is None
    # No cause found yet: no escape to explain, and any action at all is asked for.
    assert draft["missing_for_submission"] == [
        "sample_checks", "sample_findings", "retained_samples_checked", "retained_samples_result",
        "manufacturing_process", "conclusion", "countermeasures", "consumer_examined", "consumer_process",
        "consumer_cause", "consumer_prevention"]

    saved = api("qa_kyu").put(case_url(case, "investigation"), {"prevention": "Check every box."}, format="json")
    assert saved.status_code == 200 and saved.json()["updated_by"] == "qa_kyu"
    again = api("qa_kyu").put(case_url(case, "investigation"), {"manufacturing_process": "Cut, wrapped, packed."},
                              format="json").json()
    assert again["prevention"] == "Check every box."  # a field left out keeps its saved value
    assert "manufacturing_process" not in again["missing_for_submission"]
    assert len(again["missing_for_submission"]) == len(draft["missing_for_submission"]) - 1


@pytest.mark.parametrize("who", ["hotline", "qa_manager", "mailroom", "admin"])
def test_only_the_cases_factory_qa_edits_the_report(api, make_case, who):
    case = make_case(State.INVESTIGATING)
    response = api(who).put(case_url(case, "investigation"), COMPLETE_REPORT, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_report_cannot_be_edited_once_submitted(api, make_case):
    case = make_case(State.REPORT_REVIEW)
    response = api("qa_kyu").put(case_url(case, "investigation"), {"prevention": "changed"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "report_not_editable" and response.json()["state"] == "report_review"
    assert api("qa_kyu").get(case_url(case, "investigation")).json()["prevention"] == COMPLETE_REPORT["prevention"]


def test_factories_and_products_list_code_and_name(api, gum, chocolate):
    factories = api("qa_kyu").get("/api/factories/").json()
    assert factories["results"] == [{"code": "KYU", "name": "九州工場"}, {"code": "SAI", "name": "埼玉工場"}]
    products = api("hotline").get("/api/products/").json()
    assert [p["code"] for p in products["results"]] == ["CHOCO-BAR", "GUM-MINT-9"]
    assert set(products["results"][0]) == {"code", "name"}
