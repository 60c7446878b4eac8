"""Routing over the API: the unrouted queue, the QA manager's assignment, the lot facts on a case."""

import pytest

from defects import extensions, selectors
from defects.models import Event, State
from tests.api.conftest import case_body, case_url


@pytest.fixture
def unrouted(api, biscuit):
    """A case whose lot code names a plant nobody knows: no factory until the QA manager assigns one."""
    response = api("hotline").post("/api/cases/", case_body(biscuit, lot_code="2027.05.20 QQ 3"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["factory"] is None
    return response.json()


def test_case_json_tells_what_the_lot_code_said(api, biscuit, kyu):
    from factories.models import Line

    Line.objects.create(factory=kyu, code="3", name="ビスケット第3ライン")
    body = api("hotline").post("/api/cases/", case_body(biscuit, lot_code="2027.05.20 KY 3"), format="json").json()
    assert (body["factory"], body["line"], body["lot_date"], body["lot_date_kind"]) == (
        "KYU", "3", "2027-05-20", "best_before")
    assert "KY" in body["routing_note"]
    factory_view = api("qa_kyu").get(case_url(body["reference"])).json()
    # Plus what other apps add to one case (defects.extensions: the clocks), never personal data.
    assert set(factory_view) == set(selectors.FACTORY_CASE_FIELDS) | {"available_transitions"} | set(extensions.CASE_JSON)
    assert factory_view["line"] == "3" and factory_view["lot_date"] == "2027-05-20"


def test_unrouted_queue_for_qa_manager_hotline_and_admin(api, unrouted, make_case):
    make_case()  # routed: not in the queue
    for who in ("qa_manager", "hotline", "admin"):
        response = api(who).get("/api/cases/unrouted/")
        assert response.status_code == 200, who
        assert [c["reference"] for c in response.json()["results"]] == [unrouted["reference"]], who
        assert "QQ" in response.json()["results"][0]["routing_note"]


@pytest.mark.parametrize("who", ["qa_kyu", "qa_sai", "mailroom"])
def test_unrouted_queue_is_not_for_factories_or_the_mail_room(api, unrouted, who):
    response = api(who).get("/api/cases/unrouted/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_qa_manager_assigns_a_factory_and_the_case_reaches_it(api, unrouted):
    reference = unrouted["reference"]
    assert api("qa_kyu").get(case_url(reference)).status_code == 404  # nobody's yet
    response = api("qa_manager").post(case_url(reference, "assign-factory"),
                                      {"factory": "kyu", "note": "Plant code read as KY on the phone."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["factory"] == "KYU" and response.json()["reference"] == reference
    assert api("qa_manager").get("/api/cases/unrouted/").json()["results"] == []
    assert api("qa_kyu").get(case_url(reference)).status_code == 200
    events = api("qa_kyu").get(case_url(reference, "events")).json()
    assignment = [e for e in events if e["kind"] == Event.Kind.ASSIGNMENT]
    assert assignment[0]["data"] == {"from": None, "to": "KYU"} and assignment[0]["actor"] == "qa_manager"


@pytest.mark.parametrize("who", ["hotline", "mailroom", "admin"])
def test_only_the_qa_manager_assigns(api, unrouted, who):
    response = api(who).post(case_url(unrouted["reference"], "assign-factory"), {"factory": "KYU"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("body,field", [
    ({"factory": "NOPE"}, "factory"),
    ({}, "factory"),
    ({"factory": ["KYU"]}, "factory"),
    ({"factory": "KYU", "note": "bell\x07"}, "note"),
])
def test_a_bad_factory_answers_400_naming_the_field(api, unrouted, body, field):
    response = api("qa_manager").post(case_url(unrouted["reference"], "assign-factory"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_assigning_the_same_factory_again_is_400(api, make_case):
    case = make_case()
    response = api("qa_manager").post(case_url(case, "assign-factory"), {"factory": "KYU"}, format="json")
    assert response.status_code == 400 and "factory" in response.json()


@pytest.mark.parametrize("state", [State.INVESTIGATING, State.CLOSED])
def test_the_factory_cannot_change_once_it_investigates_or_the_case_is_closed(api, make_case, state):
    case = make_case(state)
    response = api("qa_manager").post(case_url(case, "assign-factory"), {"factory": "SAI"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "factory_not_assignable" and response.json()["state"] == state


def test_a_factory_user_of_another_factory_gets_404(api, make_case):
    case = make_case()
    assert api("qa_sai").post(case_url(case, "assign-factory"), {"factory": "SAI"}, format="json").status_code == 404
    assert api("qa_kyu").post(case_url(case, "assign-factory"), {"factory": "SAI"}, format="json").status_code == 403
