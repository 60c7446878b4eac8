"""Starting, pausing, resuming and stopping a case's clocks; called by the outbox handler in the
transaction of its Delivery row, so each event moves each clock once."""

import datetime
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from .calendar import Calendar, WallClock
from .models import Clock, ClockTarget, Name, State

DEFAULT_TARGETS = {  # (business hours, when urgent)
    Name.FIRST_NOTICE: (Decimal(8), Decimal(2)),
    Name.INVESTIGATION: (Decimal(40), None),
    Name.REVIEW: (Decimal(8), None),
    Name.REPLACEMENT: (Decimal(16), None),
    Name.RESOLUTION: (Decimal(80), None),
    Name.SAFETY_REVIEW: (Decimal(2), None),
}
# Clocks counted in real hours, day and night, every day (the others count hotline business hours).
WALL_CLOCK_NAMES = frozenset({Name.SAFETY_REVIEW})


def calendar_for(name: str):
    return WallClock() if name in WALL_CLOCK_NAMES else Calendar()
WARN_AT = Decimal("0.75")


def target_hours(name: str, urgent: bool) -> Decimal:
    row = ClockTarget.objects.filter(name=name).first()
    hours, urgent_hours = (row.hours, row.urgent_hours) if row else DEFAULT_TARGETS[name]
    return urgent_hours if urgent and urgent_hours is not None else hours


def _schedule(clock: Clock, start: datetime.datetime, cal: Calendar) -> None:
    left = float(clock.target_hours) - clock.used_seconds / 3600
    clock.due_at = cal.add(start, max(left, 0))
    warn_left = float(clock.target_hours * WARN_AT) - clock.used_seconds / 3600
    clock.warn_at = cal.add(start, max(warn_left, 0))


def start(case, name: str, at: datetime.datetime) -> Clock | None:
    """Start the clock unless it has started already (then nothing: a clock starts once)."""
    if Clock.objects.filter(case=case, name=name).exists():
        return None
    clock = Clock(case=case, name=name, target_hours=target_hours(name, case.urgent), started_at=at)
    _schedule(clock, at, calendar_for(name))
    clock.save()
    refresh_due(case)
    return clock


def _running(case, name):
    return Clock.objects.select_for_update().filter(case=case, name=name, stopped_at__isnull=True).first()


def pause(case, name: str, at: datetime.datetime) -> None:
    clock = _running(case, name)
    if clock is None or clock.outcome != State.RUNNING:
        return
    cal = calendar_for(name)
    # The business time used so far; counted from the start or the last resume.
    resumed = clock.paused_at or clock.started_at
    clock.used_seconds += int(cal.between(resumed, at).total_seconds())
    clock.outcome, clock.paused_at, clock.due_at, clock.warn_at = State.PAUSED, at, None, None
    clock.save()
    refresh_due(case)


def resume(case, name: str, at: datetime.datetime) -> None:
    clock = _running(case, name)
    if clock is None or clock.outcome != State.PAUSED:
        return
    clock.outcome, clock.paused_at = State.RUNNING, at  # paused_at now marks the resume
    _schedule(clock, at, calendar_for(name))
    clock.save()
    refresh_due(case)


def stop(case, name: str, at: datetime.datetime) -> Clock | None:
    clock = _running(case, name)
    if clock is None:
        return None
    if clock.outcome == State.PAUSED:
        late = False
    else:
        late = clock.due_at is not None and at > clock.due_at
    clock.stopped_at = at
    clock.outcome = State.BREACHED if late else State.MET
    clock.save()
    refresh_due(case)
    return clock


def stop_all(case, at: datetime.datetime) -> list[Clock]:
    names = Clock.objects.filter(case=case, stopped_at__isnull=True).values_list("name", flat=True)
    return [c for c in (stop(case, n, at) for n in list(names)) if c]


def restart(case, name: str, at: datetime.datetime) -> Clock:
    """A reopened case runs the clock again from `at` (the earlier row is replaced, its outcome
    stays on the timeline)."""
    Clock.objects.filter(case=case, name=name).delete()
    return start(case, name, at)


def restart_after(case, name: str, at: datetime.datetime) -> Clock | None:
    """Run the clock again from `at` with its full target (a report sent back goes back to the factory
    with a new investigation clock). Once per moment: a clock started at `at` or later is left alone,
    so the same event handled again, or an older event handled late, changes nothing."""
    existing = Clock.objects.select_for_update().filter(case=case, name=name).first()
    if existing is not None and existing.started_at >= at:
        return None
    return restart(case, name, at)


def retarget(case, at: datetime.datetime) -> list[Clock]:
    """The case's urgency changed after its clocks started: each clock not stopped whose target depends
    on urgency (first_notice: 8 h, 2 h when urgent) takes the target for the case as it is now,
    counted from its start (a paused clock keeps the business time it used). Idempotent: a clock
    already on the right target is left alone. Clocks whose target is the same either way keep theirs
    (a target changed in the admin since they started does not move them)."""
    changed = []
    for clock in Clock.objects.select_for_update().filter(case=case, stopped_at__isnull=True).order_by("id"):
        hours = target_hours(clock.name, case.urgent)
        if hours == target_hours(clock.name, not case.urgent) or hours == clock.target_hours:
            continue
        clock.target_hours = hours
        if clock.outcome == State.RUNNING:
            # paused_at marks the last resume when the clock was paused before; used_seconds what came before it.
            _schedule(clock, clock.paused_at or clock.started_at, calendar_for(clock.name))
            # A warning or breach flagged for the old due time no longer holds if the new one is later.
            if clock.warned_at and clock.warn_at > at:
                clock.warned_at = None
            if clock.breached_at and clock.due_at > at:
                clock.breached_at = None
        clock.save()
        changed.append(clock)
    if changed:
        refresh_due(case)
    return changed


def refresh_due(case) -> None:
    nearest = Clock.objects.filter(case=case, outcome=State.RUNNING, stopped_at__isnull=True).aggregate(
        m=Min("due_at"))["m"]
    # An UPDATE of this column alone (DefectCase.save leaves it out): the case's own services never
    # overwrite it, and the clocks never touch the rest of the row.
    type(case).objects.filter(pk=case.pk).update(next_due_at=nearest)
    case.next_due_at = nearest


def clocks_json(case, now=None) -> list[dict]:
    now = now or timezone.now()
    return [
        {"name": c.name, "started_at": _iso(c.started_at), "due_at": _iso(c.due_at),
         "stopped_at": _iso(c.stopped_at), "state": c.state(now)}
        for c in Clock.objects.filter(case=case).order_by("started_at", "id")
    ]


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def remaining(clock: Clock, now=None) -> datetime.timedelta | None:
    """Business time left (negative when late) for a running clock; None otherwise."""
    now = now or timezone.now()
    if clock.outcome != State.RUNNING or clock.stopped_at or not clock.due_at:
        return None
    cal = calendar_for(clock.name)
    return cal.between(now, clock.due_at) if now <= clock.due_at else -cal.between(clock.due_at, now)
