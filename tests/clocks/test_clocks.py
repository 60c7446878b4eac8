"""Clocks on every case, started and stopped by timeline events through the outbox, in business hours."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from clocks import escalation
from clocks.models import Clock
from defects import services
from defects.models import Event, State
from notifications.models import Kind, Notification
from tests.api.conftest import token_client
from tests.api.test_concurrency import require_postgres
from tests.notifications.test_notifications import flush

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def clock(case, name):
    return Clock.objects.get(case=case, name=name)


@pytest.mark.parametrize("received,due", [
    (tokyo(2026, 11, 20, 15, 0), tokyo(2026, 11, 24, 15, 0)),
    (tokyo(2026, 11, 2, 16, 30), tokyo(2026, 11, 4, 16, 30)),
    (tokyo(2026, 11, 7, 10, 0), tokyo(2026, 11, 9, 17, 0)),
    (tokyo(2026, 11, 10, 20, 0), tokyo(2026, 11, 11, 17, 0)),
    (tokyo(2025, 12, 26, 16, 0), tokyo(2026, 1, 5, 16, 0)),
])
def test_first_notice_is_due_eight_business_hours_after_the_call(make_case, cast, received, due):
    with time_machine.travel(received, tick=False):
        case = make_case()
        flush()
    assert clock(case, "first_notice").due_at == due
    body = token_client(cast["hotline"]).get(f"/api/cases/{case.reference}/").json()
    first = next(c for c in body["clocks"] if c["name"] == "first_notice")
    assert first["due_at"] == due.isoformat() and first["state"] in ("running", "breached")
    assert first["started_at"] == received.isoformat()


def test_urgent_first_notice_is_two_hours(make_case):
    with time_machine.travel(tokyo(2026, 11, 20, 15, 0), tick=False):
        case = make_case()
    case.urgent = True
    case.save(update_fields=["urgent"])
    Clock.objects.filter(case=case).delete()
    from clocks import services as clocks
    clocks.start(case, "first_notice", tokyo(2026, 11, 20, 15, 0))
    assert clock(case, "first_notice").due_at == tokyo(2026, 11, 20, 17, 0)


def test_an_outbound_contact_stops_first_notice(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 11, 0), tick=False):
        services.log_contact(case, cast["hotline"], {"channel": "phone", "direction": "outbound",
                                                     "summary": "Called to apologise."})
        flush()
    first = clock(case, "first_notice")
    assert first.stopped_at == tokyo(2026, 11, 9, 11, 0) and first.state() == "met"


def test_resolution_waits_while_the_product_is_on_its_way_back(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):  # Monday
        case = make_case()
        flush()
    with time_machine.travel(tokyo(2026, 11, 9, 13, 0), tick=False):  # 4 business hours used
        case = services.perform(case, "request_return", cast["hotline"], {"carrier": "yamato"})
        flush()
    paused = clock(case, "resolution")
    assert paused.state() == "paused" and paused.due_at is None and paused.used_seconds == 4 * 3600
    with time_machine.travel(tokyo(2026, 11, 20, 9, 0), tick=False):  # 8 days later, the parcel arrives
        services.perform(case, "receive_sample", cast["qa_kyu"], {"condition": "ok"})
        flush()
    resumed = clock(case, "resolution")
    # 76 hours left from Friday 11-20 09:00: 9.5 business days (Monday 11-23 is a holiday).
    assert resumed.state(tokyo(2026, 11, 20, 9, 0)) == "running"
    assert resumed.due_at == tokyo(2026, 12, 4, 13, 0)
    assert clock(case, "investigation").started_at == tokyo(2026, 11, 20, 9, 0)
    # The nearest running due time: first_notice, still not sent (and late).
    case.refresh_from_db()
    assert case.next_due_at == clock(case, "first_notice").due_at


def test_the_review_clock_runs_from_submission_to_decision(make_case, cast):
    case = make_case(State.APPROVED)
    flush()
    review = clock(case, "review")
    assert review.stopped_at is not None and review.state() == "met"
    assert clock(case, "replacement").state() == "running"


def test_warning_and_breach_are_written_once_and_tell_the_right_people(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    first = clock(case, "first_notice")
    assert first.warn_at == tokyo(2026, 11, 9, 15, 0)
    assert escalation.sweep(tokyo(2026, 11, 9, 14, 0)) == (0, 0)
    assert escalation.sweep(tokyo(2026, 11, 9, 15, 0)) == (1, 0)
    assert escalation.sweep(tokyo(2026, 11, 9, 15, 30)) == (0, 0)
    assert escalation.sweep(tokyo(2026, 11, 9, 17, 1))[1] == 1
    assert escalation.sweep(tokyo(2026, 11, 9, 17, 2)) == (0, 0)
    flush()
    alerts = Event.objects.filter(case=case, data__clock="first_notice")
    assert sorted(e.data["clock_alert"] for e in alerts) == ["breached", "warning"]
    assert Notification.objects.filter(kind=Kind.CLOCK_WARNING, recipient=cast["hotline"]).count() == 1
    assert Notification.objects.filter(kind=Kind.CLOCK_BREACHED, recipient=cast["qa_manager"]).count() == 1
    assert not Notification.objects.filter(kind=Kind.CLOCK_BREACHED, recipient=cast["qa_kyu"]).exists()


def test_the_case_list_sorts_by_the_nearest_due_time(make_case, cast):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        later = make_case()
    with time_machine.travel(tokyo(2026, 11, 6, 9, 0), tick=False):
        sooner = make_case()
    flush()
    body = token_client(cast["hotline"]).get("/api/cases/?ordering=due").json()
    refs = [row["reference"] for row in body["results"]]
    assert refs.index(sooner.reference) < refs.index(later.reference)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_warn_and_breach_exactly_once(make_case, cast):
    require_postgres()
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()  # committed: the outbox started the clocks after commit
    assert Clock.objects.filter(case=case).count() == 2
    results = []

    def sweep(now):
        barrier.wait()
        try:
            results.append(escalation.sweep(now))
        finally:
            connection.close()

    for now in (tokyo(2026, 11, 9, 15, 0), tokyo(2026, 11, 20, 17, 1)):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=sweep, args=(now,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    warnings = Event.objects.filter(case=case, data__clock_alert="warning")
    breaches = Event.objects.filter(case=case, data__clock_alert="breached")
    assert warnings.filter(data__clock="first_notice").count() == 1
    assert breaches.filter(data__clock="first_notice").count() == 1
    assert Notification.objects.filter(kind=Kind.CLOCK_WARNING, recipient=cast["hotline"],
                                       case=case).count() == 2  # first_notice and resolution, once each
    assert Notification.objects.filter(kind=Kind.CLOCK_BREACHED, recipient=cast["qa_manager"], case=case).count() == 2


def test_the_case_page_shows_the_clocks_as_business_time_left(make_case, cast, client):
    case = make_case()
    flush()
    client.force_login(cast["hotline"])
    with time_machine.travel(clock(case, "first_notice").started_at, tick=False):
        page = client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="clocks-h"' in page and "clock-running" in page
    assert "of business time left" in page or "残り" in page


def test_an_earlier_received_at_starts_the_clocks_from_it(cast, gum):
    from tests.api.conftest import case_body

    client = token_client(cast["hotline"])
    with time_machine.travel(tokyo(2026, 11, 24, 10, 0), tick=False):
        future = client.post("/api/cases/", case_body(gum, received_at="2026-11-24T11:00:00+09:00"), format="json")
        assert future.status_code == 400 and "received_at" in future.json().get("errors", future.json())
        answer = client.post("/api/cases/", case_body(gum, received_at="2026-11-20T15:00:00+09:00"), format="json")
        assert answer.status_code == 201, answer.content
        flush()
    case_ref = answer.json()["reference"]
    from defects.models import DefectCase
    case = DefectCase.objects.get(reference=case_ref)
    assert case.received_at == tokyo(2026, 11, 20, 15, 0)
    assert clock(case, "first_notice").due_at == tokyo(2026, 11, 24, 15, 0)


def test_the_case_list_page_sorts_by_the_nearest_due_time(make_case, cast, client):
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        later = make_case()
    with time_machine.travel(tokyo(2026, 11, 6, 9, 0), tick=False):
        sooner = make_case()
    flush()
    client.force_login(cast["hotline"])
    page = client.get("/cases/?ordering=due").content.decode()
    assert page.index(sooner.reference) < page.index(later.reference)
    page = client.get("/cases/").content.decode()  # newest received first without it
    assert page.index(later.reference) < page.index(sooner.reference)


def test_the_daily_digest_lists_each_persons_due_and_overdue_work(make_case, cast):
    from django.core import mail

    from clocks import digest

    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):
        case = make_case()
        flush()
    cast["hotline"].email = "hotline@example.jp"
    cast["hotline"].save()
    lines = digest.digest_lines(tokyo(2026, 11, 9, 8, 30))  # first_notice due today 17:00, nobody owns the case
    assert any(case.reference in line for line in lines[cast["hotline"].pk])
    assert cast["qa_kyu"].pk not in lines and cast["qa_manager"].pk not in lines
    assert digest.send_digests(tokyo(2026, 11, 10, 8, 30)) == 1  # the next day: overdue
    assert mail.outbox[0].to == ["hotline@example.jp"] and "overdue" in mail.outbox[0].body
