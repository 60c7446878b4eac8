"""The sweep: at 75 % of a running clock its owner (or the role's queue) is warned; at its due time
the breach goes on the timeline and the QA managers are told. Once per clock, also when two sweeps
run at once: the clock row is claimed with select_for_update(skip_locked) and marked in the same
transaction as the timeline event (notifications hear of it through the outbox)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defects import roles
from defects.models import Event
from defects.timeline import record

from .models import Clock, State

QUEUES = {
    "first_notice": roles.HOTLINE,
    "investigation": roles.FACTORY_QA,
    "review": roles.QA_MANAGER,
    "replacement": roles.MAILROOM,
    "resolution": roles.HOTLINE,
    "safety_review": roles.QA_MANAGER,
}


def _claim(clock_id: int, **unflagged):
    return (Clock.objects.select_for_update(skip_locked=True, of=("self",)).select_related("case")
            .filter(pk=clock_id, **unflagged).first())


def _data(clock, alert: str) -> dict:
    return {"clock_alert": alert, "clock": clock.name, "clock_id": clock.pk,
            "due_at": clock.due_at.isoformat() if clock.due_at else None, "queue": QUEUES.get(clock.name, "")}


def warn(clock_id: int, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        clock = _claim(clock_id, warned_at__isnull=True, outcome=State.RUNNING, warn_at__lte=now)
        if clock is None:
            return False  # warned already, stopped, or another sweep holds it
        clock.warned_at = now
        clock.save(update_fields=["warned_at"])
        record(clock.case, None, Event.Kind.NOTE, data=_data(clock, "warning"),
               note=_("The %(clock)s clock is at 75%%, due %(due)s.") % {
                   "clock": clock.get_name_display(), "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")})
    return True


def breach(clock_id: int, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        clock = _claim(clock_id, breached_at__isnull=True)
        if clock is None or clock.due_at is None:
            return False
        if clock.outcome == State.RUNNING and clock.due_at > now:
            return False
        if clock.outcome not in (State.RUNNING, State.BREACHED):
            return False
        clock.breached_at = now
        clock.save(update_fields=["breached_at"])
        record(clock.case, None, Event.Kind.NOTE, data=_data(clock, "breached"),
               note=_("The %(clock)s clock is breached: it was due %(due)s.") % {
                   "clock": clock.get_name_display(), "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")})
    return True


def sweep(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Warn and flag what is due; returns (warnings, breaches) written. Served by the indexes on
    warn_at and due_at: only clocks whose moment has come are read."""
    now = now or timezone.now()
    warnings = [pk for pk in Clock.objects.filter(outcome=State.RUNNING, warned_at__isnull=True, warn_at__lte=now)
                .values_list("pk", flat=True) if warn(pk, now)]
    breaches = [pk for pk in Clock.objects.filter(outcome=State.RUNNING, breached_at__isnull=True, due_at__lte=now)
                .values_list("pk", flat=True) if breach(pk, now)]
    return len(warnings), len(breaches)
