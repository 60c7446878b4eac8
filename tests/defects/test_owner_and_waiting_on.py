"""Who has the case (services.assign) and whose move it is (selectors.waiting_on)."""

import copy
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from defects import selectors, services
from defects.models import DefectCase, Event, State
from tests.conftest import COMPLETE_REPORT, deliver_replacement, print_letters

pytestmark = pytest.mark.django_db


def _waiting(case):
    return selectors.waiting_on(DefectCase.objects.get(pk=case.pk))


def test_waiting_on_moves_hotline_consumer_factory_qa_manager_mailroom_hotline_along_the_lifecycle(
        make_case, cast):
    case = make_case(State.RECEIVED)
    qa = cast["qa_kyu"]
    seen = [_waiting(case)]
    case = services.perform(case, "request_return", cast["hotline"], {"carrier": "yamato"})
    seen.append(_waiting(case))
    case = services.perform(case, "receive_sample", qa, {"condition": "ok"})
    seen.append(_waiting(case))
    case = services.perform(case, "start_investigation", qa, {})
    seen.append(_waiting(case))
    services.save_investigation(case, qa, copy.deepcopy(COMPLETE_REPORT))
    case = services.perform(case, "submit_report", qa, {})
    seen.append(_waiting(case))
    case = services.perform(case, "approve_report", cast["qa_manager"], {"comment": "fine"})
    seen.append(_waiting(case))
    print_letters(case, cast["mailroom"])
    case = services.perform(case, "ship_replacement", cast["mailroom"],
                            {"carrier": "yamato", "tracking_number": "123456789013"})
    seen.append(_waiting(case))  # on its way: the mail room tracks it
    deliver_replacement(case, cast["mailroom"])
    seen.append(_waiting(case))  # delivered: the hotline confirms and closes
    case = services.perform(case, "close", cast["hotline"], {"note": "thanked us"})
    seen.append(_waiting(case))
    assert seen == ["hotline", "consumer", "factory", "factory", "qa_manager", "mailroom", "mailroom", "hotline",
                    "nobody"]


def test_a_promise_that_is_due_puts_the_hotline_on_the_spot_whatever_the_stage(make_case, hotline):
    case = make_case(State.INVESTIGATING)
    services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound", "summary": "will call",
                                         "follow_up_due": timezone.now() + datetime.timedelta(hours=2),
                                         "follow_up_owner": hotline})
    assert _waiting(case) == "factory"  # promised for later: not yet
    late = services.log_contact(case, hotline, {"channel": "phone", "direction": "outbound", "summary": "call",
                                                "follow_up_due": timezone.now() - datetime.timedelta(minutes=5),
                                                "follow_up_owner": hotline})
    assert _waiting(case) == "hotline"
    services.complete_follow_up(late, hotline)
    assert _waiting(case) == "factory"


def test_withdrawn_waits_on_nobody(make_case, hotline):
    case = services.perform(make_case(State.AWAITING_RETURN), "withdraw", hotline, {"reason": "consumer asked"})
    assert _waiting(case) == "nobody"


def test_waiting_on_in_a_list_costs_no_query_per_row(make_case, django_assert_num_queries):
    for state in (State.RECEIVED, State.AWAITING_RETURN, State.REPORT_REVIEW, State.REPLACEMENT_SHIPPED):
        make_case(state)
    with django_assert_num_queries(1):
        answers = [selectors.waiting_on(c) for c in selectors.with_waiting_facts(DefectCase.objects.all())]
    assert sorted(answers) == sorted([selectors.waiting_on(c) for c in DefectCase.objects.all()])
    assert set(answers) == {"hotline", "consumer", "qa_manager", "mailroom"}


def test_hotline_takes_a_case_and_the_timeline_says_so(make_case, hotline):
    case = services.assign(make_case(), hotline, hotline)
    assert DefectCase.objects.get(pk=case.pk).owner == hotline
    event = Event.objects.get(case=case, kind=Event.Kind.OWNER)
    assert event.actor == hotline and event.data == {"from": "", "to": hotline.username, "taken": True}


def test_qa_manager_assigns_by_username_and_each_change_is_an_event(make_case, hotline, qa_manager):
    case = make_case()
    services.assign(case, qa_manager, hotline.username)
    services.assign(case, hotline, qa_manager)
    services.assign(case, hotline, qa_manager)  # already theirs: nothing written
    events = list(Event.objects.filter(case=case, kind=Event.Kind.OWNER).order_by("id"))
    assert [(e.data["from"], e.data["to"]) for e in events] == [("", hotline.username),
                                                               (hotline.username, qa_manager.username)]
    assert DefectCase.objects.get(pk=case.pk).owner == qa_manager


@pytest.mark.parametrize("who", ["mailroom", "qa_kyu", "admin"])
def test_other_roles_may_not_take_or_assign(make_case, cast, who):
    case = make_case()
    with pytest.raises(PermissionDenied):
        services.assign(case, cast[who], cast["hotline"])
    assert not Event.objects.filter(case=case, kind=Event.Kind.OWNER).exists()


@pytest.mark.parametrize("owner", ["nobody-by-this-name", "mailroom", "qa_kyu", ""])
def test_an_unknown_or_ineligible_owner_is_refused_naming_the_field(make_case, cast, owner):
    case = make_case()
    name = cast[owner].username if owner in cast else owner
    with pytest.raises(ValidationError) as error:
        services.assign(case, cast["hotline"], name)
    assert "owner" in error.value.message_dict
    assert DefectCase.objects.get(pk=case.pk).owner is None


def test_an_inactive_hotline_user_cannot_hold_a_case(make_case, cast):
    colleague = cast["qa_manager"]
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ValidationError):
        services.assign(make_case(), cast["hotline"], colleague)


def test_a_closed_case_has_no_owner_to_change(make_case, hotline):
    with pytest.raises(services.TransitionConflict):
        services.assign(make_case(State.CLOSED), hotline, hotline)
