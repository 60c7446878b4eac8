"""Transitions over HTTP: wrong state is 409 and changes nothing, wrong role 403, other factory 404."""

import pytest

from defects.models import DefectCase, State
from tests.api.conftest import case_url
from tests.defects.test_services import ALLOWED, PAYLOADS, REACHABLE, SOURCES, TRANSITIONS


def snapshot(case):
    case = DefectCase.objects.get(pk=case.pk)
    return case.state, list(case.events.values_list("id", flat=True))


@pytest.mark.parametrize("name,state", [(n, s) for n in TRANSITIONS for s in REACHABLE if s not in SOURCES[n]])
def test_wrong_state_answers_409_and_changes_nothing(make_case, api, name, state):
    case = make_case(state)
    before = snapshot(case)
    who = sorted(ALLOWED[name])[0]
    response = api(who).post(case_url(case, "transitions", name), PAYLOADS[name], format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["state"] == state
    assert response.json()["detail"]
    assert snapshot(case) == before


def test_wrong_state_wins_over_a_bad_payload(make_case, api):
    # "Not now" is the answer that matters; the payload would be judged only if the state allowed it.
    case = make_case(State.CLOSED)
    response = api("hotline").post(case_url(case, "transitions", "withdraw"), {}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("name", TRANSITIONS)
def test_wrong_role_answers_403_and_changes_nothing(make_case, cast, api, name):
    state = sorted(SOURCES[name])[0]
    case = make_case(state)
    before = snapshot(case)
    for who in cast:
        if who in ALLOWED[name]:
            continue
        response = api(who).post(case_url(case, "transitions", name), PAYLOADS[name], format="json")
        # qa_sai works for another factory: for them the case does not exist at all.
        expected = 404 if who == "qa_sai" else 403
        assert response.status_code == expected, (who, response.content)
        if expected == 403:
            assert response.json()["code"] == "permission_denied"
        assert snapshot(case) == before, who


def test_wrong_role_with_a_bad_payload_is_still_403(make_case, api):
    case = make_case(State.RECEIVED)
    response = api("qa_kyu").post(case_url(case, "transitions", "withdraw"), {"reason": ["not", "text"]},
                                  format="json")
    assert response.status_code == 403


def test_unknown_transition_is_404(make_case, api):
    case = make_case(State.RECEIVED)
    for name in ("fly_to_the_moon", "save", "delete"):
        response = api("hotline").post(case_url(case, "transitions", name), {}, format="json")
        assert response.status_code == 404, name
    assert snapshot(case)[0] == State.RECEIVED


def test_available_transitions_follow_state_and_role(make_case, api):
    case = make_case(State.REPORT_REVIEW)
    assert sorted(api("qa_manager").get(case_url(case)).json()["available_transitions"]) == [
        "approve_report", "reject_report"]
    assert api("qa_kyu").get(case_url(case)).json()["available_transitions"] == []


def other_factory_requests(case):
    yield "get", case_url(case), None
    yield "get", case_url(case, "events"), None
    yield "get", case_url(case, "contacts"), None
    yield "post", case_url(case, "contacts"), {"channel": "phone", "direction": "outbound", "summary": "hello"}
    yield "get", case_url(case, "investigation"), None
    yield "put", case_url(case, "investigation"), {"prevention": "x"}
    for name in TRANSITIONS:
        yield "post", case_url(case, "transitions", name), PAYLOADS[name]


@pytest.mark.parametrize("state", [State.RECEIVED, State.INVESTIGATING])
def test_another_factorys_case_is_404_on_every_endpoint(make_case, api, state):
    case = make_case(state)
    before = snapshot(case)
    missing = api("qa_sai").get(case_url("D-2026-999999")).json()
    for method, url, body in other_factory_requests(case):
        response = getattr(api("qa_sai"), method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)
        if url == case_url(case):
            # Same answer as for a reference nobody uses: no oracle for "this case exists".
            assert response.json() == missing
    assert snapshot(case) == before


def test_reference_in_any_case_finds_the_case(make_case, api):
    case = make_case()
    assert api("hotline").get(case_url(case.reference.lower())).status_code == 200
