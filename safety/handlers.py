"""What safety hears on the timeline (subscribed to the outbox; idempotent: a review is one row per
case, an alert membership one row per alert and case).

| event                                  | safety does                                  |
| case opened, critical                  | opens its safety review (2-hour wall clock)  |
| severity changed to critical           | opens its safety review                      |
| case opened with a lot code            | joins or opens the lot's alert               |
"""

from defects import outbox
from defects.models import Event, Severity

from . import lots, services


@outbox.subscribe("safety.on_event", kinds=[Event.Kind.CREATED, Event.Kind.NOTE])
def on_event(event: Event) -> None:
    case, data = event.case, event.data or {}
    if event.kind == Event.Kind.CREATED:
        if case.severity == Severity.CRITICAL:
            services.open_review(case, at=case.received_at)
        lots.evaluate(case)
        return
    if data.get(services.SAFETY_KEY) == "severity_changed" and data.get("to") == Severity.CRITICAL:
        services.open_review(case, at=event.at)
