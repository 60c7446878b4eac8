"""Writing to a case's timeline. Every module that records something about a case calls this,
inside the same transaction as the change it records. The timeline is also the outbox
(defects.outbox): each event is dispatched to the subscribed handlers after commit."""

from . import outbox
from .models import Event


def record(case, by, kind, *, transition="", from_state="", to_state="", note="", data=None, contact=None) -> Event:
    event = Event.objects.create(
        case=case, actor=by if by is not None and by.is_authenticated else None, kind=kind, transition=transition,
        from_state=from_state, to_state=to_state, note=note, data=data or {}, contact=contact,
    )
    outbox.enqueue([event])
    return event


def record_many(events: list[Event]) -> list[Event]:
    """Many events in one INSERT (a print batch marks thousands of letters), each dispatched."""
    created = Event.objects.bulk_create(events, batch_size=1000)
    outbox.enqueue(created)
    return created
