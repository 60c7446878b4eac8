"""Overdue follow-ups are put on the case's timeline once, by the service and by the task run in-process."""

import datetime

import pytest
from django.utils import timezone

from defects import followups, services
from defects.models import Contact, Event
from defects.tasks import sweep_overdue_follow_ups


def log(case, by, due, owner=None, summary="Promised a call back."):
    return services.log_contact(case, by, {
        "channel": "phone", "direction": "outbound", "summary": summary, "follow_up_due": due,
        "follow_up_owner": owner or by,
    })


def flags(contact=None):
    events = Event.objects.filter(kind=Event.Kind.NOTE, data__has_key=followups.OVERDUE_KEY)
    return events.filter(contact=contact) if contact else events


@pytest.fixture
def case(make_case):
    return make_case()


def test_an_overdue_follow_up_gets_one_note_naming_owner_and_due_time(case, hotline):
    due = timezone.now() - datetime.timedelta(hours=3)
    contact = log(case, hotline, due)

    written = followups.flag_overdue_follow_ups()

    assert [e.contact_id for e in written] == [contact.pk]
    event = flags(contact).get()
    assert event.case_id == case.pk and event.actor is None
    assert event.data == {"overdue_contact": contact.pk, "follow_up_due": due.isoformat(), "follow_up_owner": "hotline"}
    assert "hotline" in event.note
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in event.note


def test_sweeping_again_writes_nothing_new(case, hotline):
    log(case, hotline, timezone.now() - datetime.timedelta(minutes=5))

    assert len(followups.flag_overdue_follow_ups()) == 1
    assert followups.flag_overdue_follow_ups() == []
    assert sweep_overdue_follow_ups.apply().get() == 0
    assert flags().count() == 1


def test_follow_ups_not_yet_due_or_done_or_without_promise_are_left_alone(case, hotline, qa_manager):
    log(case, hotline, timezone.now() + datetime.timedelta(hours=1))
    done = log(case, hotline, timezone.now() - datetime.timedelta(days=1))
    Contact.objects.filter(pk=done.pk).update(follow_up_done_at=timezone.now())
    services.log_contact(case, hotline, {"channel": "phone", "direction": "inbound", "summary": "Just a call."})

    assert followups.flag_overdue_follow_ups() == []


def test_each_overdue_contact_is_flagged_once_also_on_the_same_case(case, hotline, qa_manager):
    a = log(case, hotline, timezone.now() - datetime.timedelta(days=2))
    b = log(case, hotline, timezone.now() - datetime.timedelta(hours=1), owner=qa_manager)

    assert sweep_overdue_follow_ups.apply().get() == 2
    assert flags(a).count() == 1 and flags(b).count() == 1
    assert "qa_manager" in flags(b).get().note
    assert sweep_overdue_follow_ups.apply().get() == 0


def test_a_follow_up_without_owner_still_gets_flagged(case, hotline):
    contact = Contact.objects.create(case=case, by=hotline, channel="phone", direction="outbound",
                                     summary="Call back.", follow_up_due=timezone.now() - datetime.timedelta(hours=1))

    followups.flag_overdue_follow_ups()

    assert flags(contact).get().data["follow_up_owner"] == ""


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-overdue-follow-ups"]
    assert entry["task"] == sweep_overdue_follow_ups.name
