"""A safety review for every critical case: opened once at intake, QA managers told once, a 2-hour wall
clock that breaches at night too, decided by QA managers only, the decision on the timeline."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clocks import escalation
from clocks.models import Clock
from defects.models import Event
from notifications.models import Kind, Notification
from safety.models import SafetyReview
from tests.api.conftest import token_client
from tests.conftest import DISTINCTIVE_CONSUMER
from tests.notifications.test_notifications import flush

TOKYO = ZoneInfo("Asia/Tokyo")
GLASS = {"category": "foreign_matter", "foreign_matter_kind": "glass", "lot_code": "2026.11.20 KY3"}


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def critical(make_case):
    case = make_case(**GLASS)
    flush()
    return case


def test_a_critical_case_opens_one_review_and_tells_qa_managers_once(critical, cast):
    flush()  # a second dispatch of every event writes nothing new
    assert SafetyReview.objects.filter(case=critical).count() == 1
    notes = Notification.objects.filter(kind=Kind.SAFETY_REVIEW_OPENED)
    assert list(notes.values_list("recipient__username", flat=True)) == ["qa_manager"]
    assert critical.reference in notes.get().message
    # Nobody else is told of the review; the plant hears of the case as usual.
    assert not Notification.objects.filter(kind=Kind.SAFETY_REVIEW_OPENED, recipient=cast["hotline"]).exists()
    opened = critical.events.filter(kind=Event.Kind.NOTE, data__safety="review_opened")
    assert opened.count() == 1


def test_a_normal_case_opens_no_review(make_case):
    case = make_case()
    flush()
    assert not SafetyReview.objects.filter(case=case).exists()
    assert not Clock.objects.filter(case=case, name="safety_review").exists()


def test_the_two_hour_clock_breaches_at_night_on_a_weekend(make_case, cast):
    # Saturday 1 a.m.: the hotline is closed, the safety clock is not.
    with time_machine.travel(tokyo(2026, 11, 21, 1, 0), tick=False):
        case = make_case(**GLASS)
        flush()
    clock = Clock.objects.get(case=case, name="safety_review")
    assert clock.due_at == tokyo(2026, 11, 21, 3, 0)
    first_notice = Clock.objects.get(case=case, name="first_notice")
    assert first_notice.due_at > tokyo(2026, 11, 23, 9, 0)  # business hours: not before Monday
    with time_machine.travel(tokyo(2026, 11, 21, 2, 59), tick=False):
        escalation.sweep()
        clock.refresh_from_db()
        assert clock.breached_at is None
    with time_machine.travel(tokyo(2026, 11, 21, 3, 1), tick=False):
        escalation.sweep()
        escalation.sweep()
        flush()
    clock.refresh_from_db()
    assert clock.breached_at is not None
    breached = case.events.filter(kind=Event.Kind.NOTE, data__clock_alert="breached", data__clock="safety_review")
    assert breached.count() == 1
    told = Notification.objects.filter(kind=Kind.CLOCK_BREACHED, case=case)
    assert list(told.values_list("recipient__username", flat=True)) == ["qa_manager"]
    assert "Safety review" in told.get().message


def test_a_decision_within_two_hours_meets_the_clock(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 21, 1, 0), tick=False):
        case = make_case(**GLASS)
        flush()
    review = SafetyReview.objects.get(case=case)
    with time_machine.travel(tokyo(2026, 11, 21, 2, 30), tick=False):
        answer = token_client(cast["qa_manager"]).post(
            f"/api/safety-reviews/{review.pk}/decide/",
            {"decision": "monitor", "rationale": "One report, small fragment; watch the lot."}, format="json")
    assert answer.status_code == 200, answer.json()
    assert Clock.objects.get(case=case, name="safety_review").outcome == "met"


def test_hotline_deciding_gets_403(critical, cast):
    review = SafetyReview.objects.get(case=critical)
    for who in ("hotline", "mailroom", "qa_kyu"):
        answer = token_client(cast[who]).post(f"/api/safety-reviews/{review.pk}/decide/",
                                              {"decision": "no_action", "rationale": "x"}, format="json")
        assert answer.status_code == 403, who
    review.refresh_from_db()
    assert review.status == "open"


def test_a_recall_decision_is_on_the_timeline_and_tells_the_plant_to_hold_the_lots(critical, cast):
    review = SafetyReview.objects.get(case=critical)
    client = token_client(cast["qa_manager"])
    answer = client.post(f"/api/safety-reviews/{review.pk}/decide/", {
        "decision": "recall", "rationale": "Glass in a children's product.", "recall_class": "class_1",
        "lots": ["２０２６．１１．２０ ＫＹ３", "2026.11.20 KY4"]}, format="json")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["decision"], data["recall_class"], data["lots"], data["decided_by"]) == (
        "recall", "class_1", ["20261120KY3", "20261120KY4"], "qa_manager")
    assert data["authority_notified_at"] is None
    event = critical.events.get(kind=Event.Kind.NOTE, data__safety="decided")
    assert event.actor == cast["qa_manager"] and event.data["decision"] == "recall"
    assert "Glass in a children's product." in event.note
    flush()
    hold = Notification.objects.get(kind=Kind.RECALL_HOLD)
    assert hold.recipient == cast["qa_kyu"] and "20261120KY3" in hold.message
    # Deciding twice is a conflict, not a second record.
    again = client.post(f"/api/safety-reviews/{review.pk}/decide/", {"decision": "no_action", "rationale": "x"},
                        format="json")
    assert again.status_code == 409
    # The authority's notification is filled in later.
    patch = client.patch(f"/api/safety-reviews/{review.pk}/", {
        "authority_notified_at": "2026-11-21T10:00:00+09:00", "authority_reference": "福岡県-2026-0042"}, format="json")
    assert patch.status_code == 200 and patch.json()["authority_reference"] == "福岡県-2026-0042"
    assert critical.events.filter(data__safety="authority").count() == 1
    recalls = client.get("/api/safety-reviews/?decision=recall").json()["results"]
    assert [r["case"] for r in recalls] == [critical.reference]


@pytest.mark.parametrize("body,field", [
    ({"decision": "recall", "rationale": "", "recall_class": "class_1", "lots": ["A1"]}, "rationale"),
    ({"decision": "recall", "rationale": "x", "lots": ["A1"]}, "recall_class"),
    ({"decision": "recall", "rationale": "x", "recall_class": "class_2", "lots": []}, "lots"),
    ({"decision": "destroy", "rationale": "x"}, "decision"),
    ({"decision": "monitor", "rationale": "x", "lots": "A1"}, "lots"),
])
def test_bad_decisions_are_400_naming_the_field(critical, cast, body, field):
    review = SafetyReview.objects.get(case=critical)
    answer = token_client(cast["qa_manager"]).post(f"/api/safety-reviews/{review.pk}/decide/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    review.refresh_from_db()
    assert review.status == "open"


def test_who_sees_safety_reviews(critical, cast):
    qa = token_client(cast["qa_manager"]).get("/api/safety-reviews/")
    assert [r["case"] for r in qa.json()["results"]] == [critical.reference]
    plant = token_client(cast["qa_kyu"]).get("/api/safety-reviews/")
    assert plant.status_code == 200 and [r["case"] for r in plant.json()["results"]] == [critical.reference]
    text = plant.content.decode()
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in text
    other = token_client(cast["qa_sai"]).get("/api/safety-reviews/")
    assert other.status_code == 200 and other.json()["results"] == []
    review = SafetyReview.objects.get(case=critical)
    assert token_client(cast["qa_sai"]).get(f"/api/safety-reviews/{review.pk}/").status_code == 404
    for who in ("hotline", "mailroom"):
        assert token_client(cast[who]).get("/api/safety-reviews/").status_code == 403, who


def test_review_pages_render_and_decide(critical, cast, client):
    review = SafetyReview.objects.get(case=critical)
    client.force_login(cast["qa_manager"])
    page = client.get("/safety/")
    assert page.status_code == 200 and critical.reference in page.content.decode()
    detail = client.post(f"/safety/reviews/{review.pk}/", {"decision": "recall", "rationale": "Glass.",
                                                          "recall_class": "class_1", "lots": "KY3, KY4"})
    assert detail.status_code == 302
    review.refresh_from_db()
    assert review.decision == "recall" and review.lots == ["KY3", "KY4"]
    client.post(f"/safety/reviews/{review.pk}/", {"action": "authority", "authority_notified_at": "2026-12-01T11:43",
                                                  "authority_reference": "福岡県-2026-0042"})
    review.refresh_from_db()
    # Typed in the hotline's time zone (Asia/Tokyo).
    assert review.authority_notified_at == tokyo(2026, 12, 1, 11, 43)
    assert review.authority_reference == "福岡県-2026-0042"
    register = client.get("/safety/recalls/")
    assert register.status_code == 200 and critical.reference in register.content.decode()
    client.force_login(cast["hotline"])
    assert client.get("/safety/recalls/").status_code == 403
