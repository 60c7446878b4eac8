"""Writing to a case's timeline. Every module that records something about a case calls this,
inside the same transaction as the change it records."""

from .models import Event


def record(case, by, kind, *, transition="", from_state="", to_state="", note="", data=None, contact=None) -> Event:
    return Event.objects.create(
        case=case, actor=by if by is not None and by.is_authenticated else None, kind=kind, transition=transition,
        from_state=from_state, to_state=to_state, note=note, data=data or {}, contact=contact,
    )
