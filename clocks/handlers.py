"""Which timeline events start, pause and stop which clock (subscribed to the outbox).

| clock          | starts                                            | stops                              |
| first_notice   | case opened (received_at)                         | postcard mailed / outbound contact |
| investigation  | receive_sample / investigate_without_sample;      | submit_report                      |
|                | again in full at reject_report                    |                                    |
| review         | submit_report (again at each resubmission)        | approve_report / reject_report     |
| replacement    | approve_report                                    | ship_replacement                   |
| resolution     | case opened (received_at); paused while the product is on its way back | ship_replacement |

An event whose data carries "urgent" (safety's severity change raising the case to urgent) retargets
the clocks that depend on urgency: first_notice moves from 8 to 2 business hours from the call.
"""

from defects import outbox
from defects.models import Event

from . import escalation, services
from .models import Name

STARTS = {
    "receive_sample": [Name.INVESTIGATION],
    "investigate_without_sample": [Name.INVESTIGATION],
    "submit_report": [Name.REVIEW],
    "approve_report": [Name.REPLACEMENT],
    "adopt_report": [Name.REPLACEMENT],
}
# A report sent back goes back to the factory: its investigation runs again from the rejection with
# the full target, and the resubmitted report gets a new review clock (start() alone would skip them:
# a clock starts once).
RESTARTS = {
    "reject_report": [Name.INVESTIGATION],
    "submit_report": [Name.REVIEW],
}
STOPS = {
    "submit_report": [Name.INVESTIGATION],
    "approve_report": [Name.REVIEW],
    "reject_report": [Name.REVIEW],
    "ship_replacement": [Name.REPLACEMENT, Name.RESOLUTION],
    # Another case's approved report answers this one: no investigation or review of its own.
    "adopt_report": [Name.INVESTIGATION, Name.REVIEW],
}


@outbox.subscribe("clocks.on_event", kinds=[Event.Kind.CREATED, Event.Kind.TRANSITION, Event.Kind.CONTACT,
                                            Event.Kind.LETTER, Event.Kind.NOTE])
def on_event(event: Event) -> None:
    case, at, data = event.case, event.at, event.data or {}
    if event.kind == Event.Kind.CREATED:
        services.start(case, Name.FIRST_NOTICE, case.received_at)
        services.start(case, Name.RESOLUTION, case.received_at)
        return
    if event.kind == Event.Kind.CONTACT and data.get("direction") == "outbound":
        _stopped(services.stop(case, Name.FIRST_NOTICE, at))
        return
    if event.kind == Event.Kind.NOTE:
        if "urgent" in data:
            services.retarget(case, at)
        return
    if event.kind == Event.Kind.LETTER:
        if data.get("kind") == "first_notice_postcard" and data.get("action") == "mailed":
            _stopped(services.stop(case, Name.FIRST_NOTICE, at))
        return
    name = event.transition
    if name == "request_return":
        services.pause(case, Name.RESOLUTION, at)
    if name in ("receive_sample", "investigate_without_sample", "adopt_report"):
        services.resume(case, Name.RESOLUTION, at)
    for clock in STOPS.get(name, []):
        _stopped(services.stop(case, clock, at))
    for clock in STARTS.get(name, []):
        services.start(case, clock, at)
    for clock in RESTARTS.get(name, []):
        services.restart_after(case, clock, at)
    if name == "withdraw":
        for clock in services.stop_all(case, at):
            _stopped(clock)
    if name == "close_without_delivery":
        for clock in services.stop_all(case, at):
            _stopped(clock)
    if name == "reopen":
        services.restart(case, Name.FIRST_NOTICE, at)
        services.restart(case, Name.RESOLUTION, at)


def _stopped(clock) -> None:
    """A clock stopped after its due time is a breach even if no sweep saw it running late."""
    if clock is not None and clock.outcome == "breached":
        escalation.breach(clock.pk)
