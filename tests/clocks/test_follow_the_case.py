"""Clocks follow the case when it changes after intake: a case raised to urgent gets the urgent
first-notice target counted from the call; a report sent back restarts the investigation clock in full
(and the resubmission gets a new review clock). All through the outbox, idempotently."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from clocks import escalation
from clocks.models import Clock
from defects import outbox, services
from defects.models import Event, State
from safety.services import change_severity
from tests.conftest import fill_report
from tests.notifications.test_notifications import flush

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def clock(case, name):
    return Clock.objects.get(case=case, name=name)


def test_raised_to_critical_the_running_first_notice_is_due_two_hours_after_the_call(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):  # Monday
        case = make_case()
        flush()
    assert clock(case, "first_notice").due_at == tokyo(2026, 11, 9, 17, 0)
    with time_machine.travel(tokyo(2026, 11, 9, 10, 0), tick=False):
        change_severity(case, cast["qa_manager"], "critical", "Glass in the pack")
        flush()
    first = clock(case, "first_notice")
    assert first.target_hours == Decimal(2)
    assert first.started_at == tokyo(2026, 11, 9, 9, 0)  # still counted from the call
    assert first.due_at == tokyo(2026, 11, 9, 11, 0)
    assert first.warn_at == tokyo(2026, 11, 9, 10, 30)
    case.refresh_from_db()
    assert case.next_due_at == tokyo(2026, 11, 9, 11, 0)
    # The investigation-free resolution clock has no urgent target: unchanged.
    assert clock(case, "resolution").target_hours == Decimal(80)
    # The sweep breaches it at the new due time, not the old one.
    assert escalation.sweep(tokyo(2026, 11, 9, 11, 1))[1] == 1


def test_raised_late_the_first_notice_is_already_breached_at_the_next_sweep(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 14, 0), tick=False):
        change_severity(case, cast["qa_manager"], "critical", "A child was hurt")
        flush()
    assert clock(case, "first_notice").due_at == tokyo(2026, 11, 9, 11, 0)
    assert escalation.sweep(tokyo(2026, 11, 9, 14, 1)) == (1, 1)


def test_a_severity_change_that_keeps_the_urgency_moves_no_clock(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
        before = list(Clock.objects.filter(case=case).values_list("name", "due_at", "target_hours"))
        change_severity(case, cast["qa_manager"], "high", "Sharp edge")
        flush()
    assert list(Clock.objects.filter(case=case).values_list("name", "due_at", "target_hours")) == before


def test_a_first_notice_already_sent_keeps_its_outcome(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 12, 0), tick=False):
        services.log_contact(case, cast["hotline"], {"channel": "phone", "direction": "outbound",
                                                     "summary": "Called to apologise."})
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 13, 0), tick=False):
        change_severity(case, cast["qa_manager"], "critical", "Glass in the pack")
        flush()
    first = clock(case, "first_notice")
    assert first.state() == "met" and first.target_hours == Decimal(8)


def test_retargeting_twice_is_the_same_as_once(make_case, cast):
    from clocks import services as clocks

    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 10, 0), tick=False):
        change_severity(case, cast["qa_manager"], "critical", "Glass in the pack")
        flush()
        case.refresh_from_db()
        assert clocks.retarget(case, tokyo(2026, 11, 9, 10, 0)) == []
    event = Event.objects.filter(case=case, data__safety="severity_changed").get()
    assert event.data["urgent"] is True
    outbox.dispatch(event.pk)
    assert clock(case, "first_notice").due_at == tokyo(2026, 11, 9, 11, 0)


def test_a_report_sent_back_restarts_the_investigation_clock_in_full(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):  # Monday
        case = make_case(State.INVESTIGATING)
        fill_report(case, cast["qa_kyu"])
        flush()
    first_start = clock(case, "investigation").started_at
    with time_machine.travel(tokyo(2026, 11, 10, 9, 0), tick=False):
        case = services.perform(case, "submit_report", cast["qa_kyu"], {})
        flush()
    assert clock(case, "investigation").stopped_at == tokyo(2026, 11, 10, 9, 0)
    assert first_start == tokyo(2026, 11, 9, 9, 0)
    with time_machine.travel(tokyo(2026, 11, 11, 10, 0), tick=False):  # Wednesday
        case = services.perform(case, "reject_report", cast["qa_manager"], {"comment": "Explain the escape."})
        flush()
    again = clock(case, "investigation")
    assert again.started_at == tokyo(2026, 11, 11, 10, 0)
    assert again.stopped_at is None and again.state(tokyo(2026, 11, 11, 10, 0)) == "running"
    assert again.target_hours == Decimal(40) and again.used_seconds == 0
    # 40 business hours (8 a day, 09:00-17:00) from Wednesday 10:00: the next Wednesday 10:00 (weekend between).
    assert again.due_at == tokyo(2026, 11, 18, 10, 0)
    assert clock(case, "review").stopped_at == tokyo(2026, 11, 11, 10, 0)
    # Handled again, the rejection changes nothing.
    event = Event.objects.get(case=case, transition="reject_report")
    from clocks import services as clocks
    assert clocks.restart_after(case, "investigation", event.at) is None
    assert clock(case, "investigation").pk == again.pk
    # Resubmitted: the investigation stops and a new review clock runs from the resubmission.
    with time_machine.travel(tokyo(2026, 11, 12, 9, 0), tick=False):
        case = services.perform(case, "submit_report", cast["qa_kyu"], {})
        flush()
    assert clock(case, "investigation").stopped_at == tokyo(2026, 11, 12, 9, 0)
    review = clock(case, "review")
    assert review.started_at == tokyo(2026, 11, 12, 9, 0) and review.stopped_at is None
    assert review.due_at == tokyo(2026, 11, 12, 17, 0)
