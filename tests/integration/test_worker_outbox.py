"""The timeline outbox through Redis and a real Celery worker: an action commits, the worker
dispatches its events, the handlers' work appears once, and nothing stays pending."""

import pytest

from clocks.models import Clock
from defects import services
from defects.models import Delivery, Event, PendingDispatch, State
from notifications.models import Kind, Notification
from tests.integration.test_worker_sweep import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_dispatches_timeline_events_to_their_handlers(celery_worker, make_case, cast):
    case = make_case(State.INVESTIGATING)
    from tests.conftest import fill_report
    fill_report(case, cast["qa_kyu"])
    services.perform(case, "submit_report", cast["qa_kyu"], {})
    submitted = Event.objects.get(case=case, transition="submit_report")

    wait_for(lambda: Notification.objects.filter(kind=Kind.REPORT_SUBMITTED, recipient=cast["qa_manager"]).exists(),
             celery_worker, "the report_submitted notification")
    wait_for(lambda: not PendingDispatch.objects.filter(event__case=case).exists(), celery_worker,
             "every event of the case dispatched")
    assert Delivery.objects.filter(event=submitted, handler="clocks.on_event").count() == 1
    assert Clock.objects.get(case=case, name="review").outcome == "running"
    assert Notification.objects.filter(kind=Kind.REPORT_SUBMITTED, recipient=cast["qa_manager"]).count() == 1
