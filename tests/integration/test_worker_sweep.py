"""The overdue follow-up sweep, sent through Redis and run by a real Celery worker process."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from defects import services
from defects.models import Event
from defects.tasks import sweep_overdue_follow_ups

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAIT = 30  # seconds


def overdue_contact(case, owner, hours_late=2):
    return services.log_contact(case, owner, {
        "channel": "phone", "direction": "outbound", "summary": "Promised to call back with the factory's answer.",
        "follow_up_due": timezone.now() - datetime.timedelta(hours=hours_late), "follow_up_owner": owner,
    })


def flags(contact):
    return Event.objects.filter(kind=Event.Kind.NOTE, contact=contact, data__overdue_contact=contact.pk)


def wait_for(predicate, worker, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        worker.assert_alive()
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WAIT} s; worker log:\n{worker.log()}")


def test_worker_flags_an_overdue_follow_up_on_the_timeline(celery_worker, make_case, hotline):
    assert not celery_app.conf.task_always_eager, "the task must go through the broker, not run inline"
    case = make_case()
    contact = overdue_contact(case, hotline)

    sweep_overdue_follow_ups.delay()

    wait_for(lambda: flags(contact).exists(), celery_worker, "the overdue flag")
    event = flags(contact).get()
    assert event.case_id == case.pk
    assert event.actor is None
    assert "hotline" in event.note
    assert event.data["follow_up_owner"] == "hotline"
    # ...and it was the worker process that ran it, flagging one contact.
    ran = re.compile(r"Task defects\.tasks\.sweep_overdue_follow_ups\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: 1\b")
    wait_for(lambda: ran.search(celery_worker.log()), celery_worker, "the worker's log line")


def test_worker_sweeping_twice_flags_each_overdue_follow_up_once(celery_worker, make_case, hotline):
    case = make_case()
    first = overdue_contact(case, hotline)
    kept = services.log_contact(case, hotline, {
        "channel": "phone", "direction": "outbound", "summary": "Call back tomorrow.",
        "follow_up_due": timezone.now() + datetime.timedelta(days=1), "follow_up_owner": hotline,
    })

    sweep_overdue_follow_ups.delay()
    sweep_overdue_follow_ups.delay()
    # The solo worker runs its queue in order: once a contact made after the two sweeps is flagged
    # by a third sweep, the first two have finished.
    later = overdue_contact(case, hotline, hours_late=1)
    sweep_overdue_follow_ups.delay()

    wait_for(lambda: flags(later).exists(), celery_worker, "the third sweep")
    assert flags(first).count() == 1
    assert flags(later).count() == 1
    assert not flags(kept).exists()
