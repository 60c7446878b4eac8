"""The timeline is the outbox: each event reaches each subscribed handler once, after commit,
also when the dispatch runs twice (or twice at once), when a handler fails, or the broker is down."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from defects import outbox, tasks
from defects.models import Delivery, Event, PendingDispatch
from defects.timeline import record
from tests.api.test_concurrency import require_postgres


def settle():
    """Dispatch what the fixtures wrote (their commit never comes inside a test's transaction)."""
    outbox.redispatch_undelivered(timezone.now() + datetime.timedelta(days=1))
    assert not PendingDispatch.objects.exists()


@pytest.fixture
def calls():
    """A handler subscribed to every note event that remembers what it saw."""
    seen = []

    def handler(event):
        seen.append(event.pk)

    outbox.subscribe("test.remember", kinds=[Event.Kind.NOTE])(handler)
    yield seen
    outbox.unsubscribe("test.remember")


def test_an_event_waits_for_its_handlers_and_is_dispatched_after_commit(make_case, cast, calls,
                                                                        django_capture_on_commit_callbacks):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = record(case, cast["hotline"], Event.Kind.NOTE, note="hello")
        assert PendingDispatch.objects.filter(event=event).exists()
        assert calls == []  # nothing runs before commit
    for callback in callbacks:
        callback()
    assert calls == [event.pk]
    assert Delivery.objects.filter(event=event, handler="test.remember").count() == 1
    assert not PendingDispatch.objects.filter(event=event).exists()


def test_dispatch_twice_runs_each_handler_once(make_case, cast, calls):
    case = make_case()
    event = record(case, cast["hotline"], Event.Kind.NOTE, note="twice")
    assert tasks.dispatch(event.pk) is True
    assert tasks.dispatch(event.pk) is True
    assert calls == [event.pk]


def test_handlers_for_other_kinds_are_not_called(make_case, cast, calls):
    case = make_case()
    event = record(case, cast["hotline"], Event.Kind.LETTER, note="not a note")
    outbox.dispatch(event.pk)
    assert calls == []
    assert not PendingDispatch.objects.filter(event=event).exists()


def test_a_failing_handler_is_retried_later_and_does_not_block_the_others(make_case, cast, calls):
    broken = {"on": True}

    def flaky(event):
        if broken["on"]:
            raise RuntimeError("mail server down")
        calls.append(("flaky", event.pk))

    outbox.subscribe("test.flaky", kinds=[Event.Kind.NOTE])(flaky)
    try:
        case = make_case()
        settle()
        event = record(case, cast["hotline"], Event.Kind.NOTE, note="retry me")
        assert outbox.dispatch(event.pk) is False
        assert calls == [event.pk]  # the healthy handler ran
        pending = PendingDispatch.objects.get(event=event)
        assert pending.attempts == 1 and "mail server down" in pending.last_error
        assert not Delivery.objects.filter(event=event, handler="test.flaky").exists()
        # Not yet due: the sweep leaves it alone during the backoff.
        assert outbox.redispatch_undelivered(timezone.now()) == 0
        broken["on"] = False
        later = timezone.now() + datetime.timedelta(minutes=2)
        assert outbox.redispatch_undelivered(later) == 1
        assert calls == [event.pk, ("flaky", event.pk)]  # the healthy handler did not run again
        assert not PendingDispatch.objects.filter(event=event).exists()
    finally:
        outbox.unsubscribe("test.flaky")


def test_broker_down_loses_nothing(make_case, cast, calls, monkeypatch, django_capture_on_commit_callbacks):
    case = make_case()

    def no_broker(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.dispatch, "delay", no_broker)
    with django_capture_on_commit_callbacks(execute=True):
        # The action still succeeds: on_commit is robust.
        event = record(case, cast["hotline"], Event.Kind.NOTE, note="while the broker is down")
    assert calls == []
    assert PendingDispatch.objects.filter(event=event).exists()
    # Within the grace the sweep leaves it to the task; after it, the sweep delivers it.
    assert event.pk not in outbox.due_pending(timezone.now())
    assert outbox.redispatch_undelivered(timezone.now() + datetime.timedelta(minutes=2)) >= 1
    assert event.pk in calls
    assert not PendingDispatch.objects.filter(event=event).exists()


def test_a_handler_may_write_events_that_are_dispatched_in_turn(make_case, cast, calls,
                                                               django_capture_on_commit_callbacks):
    def echo(event):
        if event.kind == Event.Kind.LETTER:
            record(event.case, None, Event.Kind.NOTE, note="echo of a letter event")

    outbox.subscribe("test.echo", kinds=[Event.Kind.LETTER])(echo)
    try:
        case = make_case()
        settle()
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                record(case, cast["hotline"], Event.Kind.LETTER, note="letter")
        echoed = Event.objects.get(case=case, note="echo of a letter event")
        assert calls == [echoed.pk]
        assert not PendingDispatch.objects.exists()
    finally:
        outbox.unsubscribe("test.echo")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatches_at_once_run_each_handler_once(make_case, cast):
    require_postgres()
    ran = []

    def slow(event):
        ran.append(event.pk)
        time.sleep(0.3)  # hold the Delivery row while the other run arrives

    outbox.subscribe("test.slow", kinds=[Event.Kind.NOTE])(slow)
    try:
        case = make_case()
        with transaction.atomic():
            event = record(case, cast["hotline"], Event.Kind.NOTE, note="race")
        ran.clear()  # the on-commit dispatch ran it once already; race two more on a fresh copy
        Delivery.objects.filter(event=event).delete()
        PendingDispatch.objects.create(event=event, next_attempt_at=timezone.now())
        barrier = threading.Barrier(2)

        def run():
            try:
                barrier.wait()
                outbox.dispatch(event.pk)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ran == [event.pk]
        assert Delivery.objects.filter(event=event, handler="test.slow").count() == 1
        assert not PendingDispatch.objects.filter(event=event).exists()
    finally:
        outbox.unsubscribe("test.slow")
