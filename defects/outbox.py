"""The timeline is the outbox: capabilities hear about cases through it, after commit, idempotently.

    timeline.record(...)            # in the action's transaction: the event + a PendingDispatch row
    on commit -> tasks.dispatch(event_id)
        for each handler subscribed to the event's kind (registered in an AppConfig.ready()):
            in its own transaction: a Delivery(event, handler) row + whatever the handler writes
        all delivered -> the PendingDispatch row is deleted
    beat -> tasks.redispatch_undelivered()   # a broker outage or a failing handler loses nothing

A handler is `handler(event)`; it may write rows and timeline events of its own (dispatched in
turn), never change the case's state, and must not do slow or outside I/O inline: it writes rows and
queues its own task after commit (an e-mail, a webhook POST). Its Delivery row is written in the same
transaction as its work, so each handler's work happens once per event even when dispatch runs twice,
also at the same time (the unique row makes the second wait, then skip).
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Delivery, Event, PendingDispatch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handler:
    name: str
    func: Callable[[Event], None]
    kinds: frozenset[str] | None  # None: every kind


_handlers: dict[str, Handler] = {}


def subscribe(name: str, kinds: Iterable[str] | None = None):
    """Decorator registering `func(event)` under a stable `name` (it keys the Delivery rows: never
    rename a handler that has run in production). Call from an AppConfig.ready()."""

    def register(func):
        _handlers[name] = Handler(name, func, frozenset(kinds) if kinds is not None else None)
        return func

    return register


def unsubscribe(name: str) -> None:
    _handlers.pop(name, None)


def handlers_for(kind: str) -> list[Handler]:
    return [h for h in _handlers.values() if h.kinds is None or kind in h.kinds]


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "HITOTSUBU_OUTBOX_GRACE_SECONDS", 60))


def enqueue(events: Iterable[Event]) -> None:
    """Mark these just-written events as waiting for their handlers and send them after commit.
    Call inside the transaction that wrote them (timeline.record does)."""
    events = list(events)
    if not events:
        return
    now = timezone.now()
    PendingDispatch.objects.bulk_create(
        [PendingDispatch(event_id=e.pk, created_at=now, next_attempt_at=now + grace()) for e in events],
        batch_size=1000,
    )
    ids = [e.pk for e in events]

    def send():
        from . import tasks

        for event_id in ids:
            tasks.dispatch.delay(event_id)

    # robust: the action has committed; a broker that is down must not turn it into an error.
    # The PendingDispatch rows stay and the sweep sends them.
    transaction.on_commit(send, robust=True)


def dispatch(event_id: int) -> bool:
    """Run every handler subscribed to the event that has not handled it yet. Returns True when all
    have (the event no longer waits). A failing handler is logged and retried later by the sweep;
    it never stops the others."""
    event = Event.objects.select_related("case").filter(pk=event_id).first()
    if event is None:
        return True
    errors = []
    for handler in handlers_for(event.kind):
        try:
            with transaction.atomic():
                try:
                    # First, so a concurrent run of the same handler waits on this unique row and
                    # then skips it (PostgreSQL), instead of doing the work a second time.
                    with transaction.atomic():
                        Delivery.objects.create(event_id=event.pk, handler=handler.name)
                except IntegrityError:
                    continue  # handled before (or by a concurrent run that committed)
                handler.func(event)
        except Exception as error:  # noqa: BLE001 - one handler's failure must not block the others
            logger.exception("Outbox handler %s failed on event %s", handler.name, event.pk)
            errors.append(f"{handler.name}: {error!r}"[:500])
    if errors:
        _postpone(event.pk, "\n".join(errors))
        return False
    PendingDispatch.objects.filter(event_id=event.pk).delete()
    return True


def _postpone(event_id: int, error: str) -> None:
    with transaction.atomic():
        pending = PendingDispatch.objects.select_for_update().filter(event_id=event_id).first()
        now = timezone.now()
        if pending is None:  # written before the outbox existed, or already cleared: keep trying
            pending = PendingDispatch(event_id=event_id, created_at=now, next_attempt_at=now)
        pending.attempts += 1
        # 1, 2, 4, ... minutes, at most an hour: a broken handler is retried without flooding the log.
        pending.next_attempt_at = now + datetime.timedelta(minutes=min(2 ** (pending.attempts - 1), 60))
        pending.last_error = error[:4000]
        pending.save()


def due_pending(now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Events whose dispatch is due again (sent on commit but not finished after the grace, or
    failed and waited out its backoff), oldest first. Served by the next_attempt_at index."""
    now = now or timezone.now()
    return list(PendingDispatch.objects.filter(next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("event_id", flat=True)[:limit])


def redispatch_undelivered(now: datetime.datetime | None = None) -> int:
    """Dispatch every event that is due again; returns how many were tried."""
    ids = due_pending(now)
    for event_id in ids:
        dispatch(event_id)
    return len(ids)
