"""The state machine through the services: right role and state succeed and log; others refuse."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defects import services
from defects.models import DefectCase, Event, State, Shipment
from tests.conftest import COMPLETE_REPORT, PATH, STATE_AFTER

ALL_STATES = list(State.values)
TRANSITIONS = [name for name in services.ACTIONS]

# Who may run each transition (by cast name); qa_kyu is the case's factory.
ALLOWED = {
    "request_return": {"hotline"},
    "receive_sample": {"qa_kyu", "mailroom"},
    "start_investigation": {"qa_kyu"},
    "investigate_without_sample": {"hotline", "qa_manager"},
    "submit_report": {"qa_kyu"},
    "reject_report": {"qa_manager"},
    "approve_report": {"qa_manager"},
    "ship_replacement": {"mailroom"},
    "close": {"hotline", "mailroom"},
    "withdraw": {"hotline"},
    "close_without_delivery": {"hotline"},
    "reopen": {"hotline"},
    "adopt_report": {"qa_manager"},
}
SOURCES = {
    "request_return": {State.RECEIVED},
    "receive_sample": {State.AWAITING_RETURN},
    "start_investigation": {State.SAMPLE_RECEIVED},
    "investigate_without_sample": {State.RECEIVED, State.AWAITING_RETURN},
    "submit_report": {State.INVESTIGATING},
    "reject_report": {State.REPORT_REVIEW},
    "approve_report": {State.REPORT_REVIEW},
    "ship_replacement": {State.APPROVED},
    "close": {State.REPLACEMENT_SHIPPED},
    "withdraw": {State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING},
    "close_without_delivery": {State.REPLACEMENT_SHIPPED},
    "reopen": {State.CLOSED},
    "adopt_report": {State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING},
}
PAYLOADS = {
    "request_return": {},
    "receive_sample": {},
    "start_investigation": {},
    "investigate_without_sample": {"reason": "consumer already discarded it"},
    "submit_report": {},
    "reject_report": {"comment": "explain the escape"},
    "approve_report": {},
    "ship_replacement": {"carrier": "sagawa", "tracking_number": "400012345670"},
    "close": {},
    "withdraw": {"reason": "consumer asked us to stop"},
    "close_without_delivery": {"reason": "the parcel came back: addressee unknown"},
    "reopen": {"reason": "the consumer called again"},
    "adopt_report": None,  # the reference of an approved case: made by payload_for
}


def payload_for(name, make_case):
    if name == "adopt_report":
        return {"from_case": make_case(State.APPROVED).reference}
    return PAYLOADS[name]
REACHABLE = [State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING,
             State.REPORT_REVIEW, State.APPROVED, State.REPLACEMENT_SHIPPED, State.CLOSED]


def test_whole_life_logs_one_event_per_transition_in_order(make_case, cast):
    case = make_case(State.CLOSED)
    events = list(case.events.filter(kind=Event.Kind.TRANSITION))
    assert [e.transition for e in events] == [name for name, _, _ in PATH]
    assert [(e.from_state, e.to_state) for e in events] == [
        (State.RECEIVED, State.AWAITING_RETURN), (State.AWAITING_RETURN, State.SAMPLE_RECEIVED),
        (State.SAMPLE_RECEIVED, State.INVESTIGATING), (State.INVESTIGATING, State.REPORT_REVIEW),
        (State.REPORT_REVIEW, State.APPROVED), (State.APPROVED, State.REPLACEMENT_SHIPPED),
        (State.REPLACEMENT_SHIPPED, State.CLOSED),
    ]
    assert [e.actor.username for e in events] == ["hotline", "qa_kyu", "qa_kyu", "qa_kyu", "qa_manager",
                                                   "mailroom", "hotline"]
    assert case.events.first().kind == Event.Kind.CREATED


@pytest.mark.parametrize("name,state", [(n, s) for n in TRANSITIONS for s in REACHABLE if s not in SOURCES[n]])
def test_wrong_state_is_a_conflict_and_changes_nothing(make_case, cast, name, state):
    case = make_case(state)
    before = case.events.count()
    actor = cast[sorted(ALLOWED[name])[0]]
    payload = payload_for(name, make_case)
    before = case.events.count()
    with pytest.raises(services.TransitionConflict):
        services.perform(case, name, actor, payload)
    case.refresh_from_db()
    assert case.state == state
    assert case.events.count() == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_wrong_role_is_refused_and_changes_nothing(make_case, cast, name):
    state = sorted(SOURCES[name])[0]
    payload = payload_for(name, make_case)
    for who, user in cast.items():
        if who in ALLOWED[name]:
            continue
        case = make_case(state)
        before = case.events.count()
        with pytest.raises(PermissionDenied):
            services.perform(case, name, user, payload)
        case.refresh_from_db()
        assert (case.state, case.events.count()) == (state, before), who


def test_submit_refuses_an_incomplete_report_naming_the_missing_fields(make_case, cast):
    case = make_case(State.INVESTIGATING)
    report = {**COMPLETE_REPORT, "manufacturing_process": "", "consumer_cause": "  "}
    services.save_investigation(case, cast["qa_kyu"], report)
    with pytest.raises(ValidationError) as error:
        services.perform(case, "submit_report", cast["qa_kyu"], {})
    assert set(error.value.message_dict) == {"manufacturing_process", "consumer_cause"}
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


@pytest.mark.parametrize("name,payload,field", [
    ("withdraw", {}, "reason"),
    ("withdraw", {"reason": "   "}, "reason"),
    ("investigate_without_sample", {"reason": "bad\x00byte"}, "reason"),
    ("ship_replacement", {"carrier": "dhl", "tracking_number": "123456789012"}, "carrier"),
    ("ship_replacement", {"carrier": "yamato", "tracking_number": "abc"}, "tracking_number"),
    ("reject_report", {"comment": ""}, "comment"),
])
def test_bad_payload_names_the_field(make_case, cast, name, payload, field):
    case = make_case(sorted(SOURCES[name])[0])
    with pytest.raises(ValidationError) as error:
        services.perform(case, name, cast[sorted(ALLOWED[name])[0]], payload)
    assert field in error.value.message_dict


def test_withdraw_records_reason_and_who_decided(make_case, cast):
    case = services.perform(make_case(State.AWAITING_RETURN), "withdraw", cast["hotline"], {"reason": "no reply"})
    assert (case.state, case.withdrawn_reason, case.withdrawn_by) == (State.WITHDRAWN, "no reply", cast["hotline"])


def test_request_return_creates_an_expected_return_parcel_with_unguessable_reference(make_case):
    first, second = make_case(State.AWAITING_RETURN), make_case(State.AWAITING_RETURN)
    a = first.shipments.get(direction=Shipment.Direction.RETURN)
    b = second.shipments.get(direction=Shipment.Direction.RETURN)
    assert a.status == Shipment.Status.EXPECTED and a.expected_by and a.carrier == "yamato"
    assert a.reference and b.reference and a.reference != b.reference


def test_references_are_sequential_and_never_reused(make_case):
    refs = [make_case().reference for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_factory_user_cannot_edit_another_factorys_report(make_case, cast):
    case = make_case(State.INVESTIGATING)
    with pytest.raises(PermissionDenied):
        services.save_investigation(case, cast["qa_sai"], {"cause_of_occurrence": "x"})


def test_timeline_is_append_only(make_case):
    case = make_case(State.AWAITING_RETURN)
    event = case.events.last()
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        case.events.all().update(note="x")
    with pytest.raises(PermissionError):
        case.events.all().delete()


def test_state_cannot_be_written_directly(make_case):
    case = make_case()
    with pytest.raises(AttributeError):
        case.state = State.CLOSED
