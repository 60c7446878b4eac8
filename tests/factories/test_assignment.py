"""The unrouted queue and the QA manager's assignment of a factory."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defects import selectors, services
from defects.forms import CaseIntakeForm
from defects.models import Event, State
from tests.conftest import intake_data


@pytest.fixture
def unrouted_case(cast, biscuit):
    form = CaseIntakeForm(data=intake_data(biscuit, lot_code="2027.05.20 QQ 3"))
    assert form.is_valid(), form.errors
    return services.open_case(cast["hotline"], form.cleaned_data)


def test_unrouted_queue_is_seen_by_qa_manager_hotline_and_admin_never_by_factories(cast, unrouted_case, make_case):
    routed = make_case()
    for who in ("qa_manager", "hotline", "admin"):
        assert list(selectors.unrouted(cast[who])) == [unrouted_case], who
    for who in ("qa_kyu", "qa_sai", "mailroom"):
        assert not selectors.unrouted(cast[who]).exists(), who
    assert routed not in selectors.unrouted(cast["qa_manager"])


def test_closed_or_withdrawn_cases_leave_the_unrouted_queue(cast, unrouted_case):
    services.withdraw(unrouted_case, cast["hotline"], reason="consumer asked us to stop")
    assert not selectors.unrouted(cast["qa_manager"]).exists()


def test_qa_manager_assigns_a_factory_and_the_timeline_says_so(cast, unrouted_case, kyu):
    case = services.assign_factory(unrouted_case, cast["qa_manager"], kyu, note="plant code read as KY by phone")
    assert case.factory == kyu
    event = case.events.get(kind=Event.Kind.ASSIGNMENT)
    assert event.data == {"from": None, "to": "KYU"}
    assert event.actor == cast["qa_manager"] and event.note == "plant code read as KY by phone"
    assert not selectors.unrouted(cast["qa_manager"]).exists()
    assert case in selectors.cases_for(cast["qa_kyu"])  # now the factory's


@pytest.mark.parametrize("who", ["hotline", "qa_kyu", "qa_sai", "mailroom", "admin"])
def test_only_the_qa_manager_may_assign(cast, unrouted_case, kyu, who):
    with pytest.raises(PermissionDenied):
        services.assign_factory(unrouted_case, cast[who], kyu)
    unrouted_case.refresh_from_db()
    assert unrouted_case.factory is None
    assert not unrouted_case.events.filter(kind=Event.Kind.ASSIGNMENT).exists()


def test_factory_may_be_given_by_code_and_must_exist(cast, unrouted_case, sai):
    assert services.assign_factory(unrouted_case, cast["qa_manager"], "sai").factory == sai
    with pytest.raises(ValidationError) as error:
        services.assign_factory(unrouted_case, cast["qa_manager"], "NOPE")
    assert "factory" in error.value.message_dict


def test_reassigning_a_routed_case_records_both_factories_and_drops_the_other_line(cast, biscuit, lines, sai):
    form = CaseIntakeForm(data=intake_data(biscuit, lot_code="2027.05.20 KY 3"))
    assert form.is_valid()
    case = services.open_case(cast["hotline"], form.cleaned_data)
    assert case.line == lines["KYU-3"]
    case = services.assign_factory(case, cast["qa_manager"], sai, note="consumer misread the plant code")
    assert (case.factory, case.line) == (sai, None)
    assert case.events.get(kind=Event.Kind.ASSIGNMENT).data == {"from": "KYU", "to": "SAI"}


def test_assigning_the_same_factory_again_is_refused(cast, make_case, kyu):
    with pytest.raises(ValidationError):
        services.assign_factory(make_case(), cast["qa_manager"], kyu)


@pytest.mark.parametrize("state", [State.INVESTIGATING, State.REPORT_REVIEW, State.APPROVED, State.CLOSED])
def test_a_factory_that_has_started_investigating_keeps_the_case(cast, make_case, sai, state):
    case = make_case(state)
    with pytest.raises(services.TransitionConflict):
        services.assign_factory(case, cast["qa_manager"], sai)


@pytest.mark.parametrize("state", [State.AWAITING_RETURN, State.SAMPLE_RECEIVED])
def test_a_routed_case_may_be_moved_until_the_investigation_starts(cast, make_case, sai, state):
    assert services.assign_factory(make_case(state), cast["qa_manager"], sai).factory == sai


def test_an_unrouted_case_investigated_without_sample_can_still_be_assigned(cast, unrouted_case, kyu):
    case = services.investigate_without_sample(unrouted_case, cast["hotline"], reason="consumer discarded it")
    assert case.state == State.INVESTIGATING and case.factory is None
    case = services.assign_factory(case, cast["qa_manager"], kyu)
    services.save_investigation(case, cast["qa_kyu"], {"manufacturing_process": "mixing, baking, packing"})
