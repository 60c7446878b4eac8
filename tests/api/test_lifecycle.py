"""One case from the hotline's call to closing, every step through the API with the right role."""

from rest_framework.test import APIClient

from defects.models import DefectCase, State
from tests.api.conftest import case_body, case_url
from tests.conftest import COMPLETE_REPORT, PASSWORD, print_letters


def login(username) -> APIClient:
    """A client holding a token obtained the way a real client does: POST /api/auth/token/."""
    response = APIClient().post("/api/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


STEPS = [
    # (who, transition, payload, state after)
    ("hotline", "request_return", {"carrier": "yamato"}, State.AWAITING_RETURN),
    ("qa_kyu", "receive_sample", {"condition": "wrapper folded short at one end"}, State.SAMPLE_RECEIVED),
    ("qa_kyu", "start_investigation", {}, State.INVESTIGATING),
    ("qa_kyu", "PUT investigation", COMPLETE_REPORT, None),
    ("qa_kyu", "submit_report", {}, State.REPORT_REVIEW),
    ("qa_manager", "reject_report", {"comment": "Say why the length check missed it."}, State.INVESTIGATING),
    ("qa_kyu", "PUT investigation", {"cause_of_escape": "The length check sampled one box in fifty; now every box."},
     None),
    ("qa_kyu", "submit_report", {}, State.REPORT_REVIEW),
    ("qa_manager", "approve_report", {"comment": "Clear and honest."}, State.APPROVED),
    ("mailroom", "print parcel letters", None, None),
    ("mailroom", "ship_replacement", {"carrier": "yamato", "tracking_number": "1234-5678-9013"},
     State.REPLACEMENT_SHIPPED),
    ("mailroom", "POST delivered", {"kind": "delivered", "note": "Handed to the consumer."}, None),
    ("hotline", "close", {"note": "Consumer received the letter and the replacement."}, State.CLOSED),
]


def test_a_case_runs_its_whole_life_through_the_api_and_the_timeline_tells_it(cast, gum):  # noqa: C901
    clients = {who: login(who) for who in ("hotline", "qa_kyu", "qa_manager", "mailroom")}

    opened = clients["hotline"].post("/api/cases/", case_body(gum), format="json")
    assert opened.status_code == 201, opened.content
    reference = opened.json()["reference"]
    assert opened.json()["state"] == State.RECEIVED
    assert "request_return" in opened.json()["available_transitions"]

    expected_events = []
    state = State.RECEIVED
    for who, step, payload, after in STEPS:
        client = clients[who]
        if step == "PUT investigation":
            response = client.put(case_url(reference, "investigation"), payload, format="json")
            assert response.status_code == 200, response.content
            assert response.json()["missing_for_submission"] == []
            assert response.json()["updated_by"] == who
            continue
        if step == "print parcel letters":
            # Rendering runs after commit, which a test transaction never reaches: conftest prints for real
            # from there on (mark_printed), as the print room would through /api/print-batches/.
            print_letters(DefectCase.objects.get(reference=reference), cast[who])
            continue
        if step == "POST delivered":
            shipments = client.get(case_url(reference, "shipments")).json()
            replacement = next(p for p in shipments if p["direction"] == "replacement")
            assert replacement["status"] == "shipped" and replacement["tracking_number"] == "123456789013"
            response = client.post(f"/api/shipments/{replacement['id']}/events/", payload, format="json")
            assert response.status_code == 201, response.content
            continue
        response = client.post(case_url(reference, "transitions", step), payload, format="json")
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == after
        expected_events.append((step, who, state, after))
        state = after

    report = clients["qa_manager"].get(case_url(reference, "investigation")).json()
    assert report["cause_of_escape"].endswith("now every box.")

    timeline = clients["hotline"].get(case_url(reference, "events"))
    assert timeline.status_code == 200
    events = timeline.json()
    assert events[0]["kind"] == "created" and events[0]["actor"] == "hotline"
    transitions = [(e["transition"], e["actor"], e["from_state"], e["to_state"])
                   for e in events if e["kind"] == "transition"]
    assert transitions == expected_events
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    final = clients["hotline"].get(case_url(reference)).json()
    # Closed: the hotline may only reopen it (the consumer called again).
    assert final["state"] == State.CLOSED and final["available_transitions"] == ["reopen"]
