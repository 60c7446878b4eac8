"""The timeline events that tell someone something, and whom (subscribed to the outbox).

Each fact is keyed by its event, so a second dispatch of the same event writes nothing new.
Messages carry the case reference, the product and stages, never the consumer's personal data:
factory users read them too.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defects import outbox, roles
from defects.models import Event

from . import services
from .models import Kind

# Written by clocks.escalation as NOTE events: {"clock": name, "clock_alert": "warning"|"breached",
# "due_at": iso, "queue": role}. Kept as plain keys so notifications need not import clocks.
CLOCK_ALERT_KEY = "clock_alert"
OVERDUE_CONTACT_KEY = "overdue_contact"  # defects.followups


# The clocks' names in the reader's words (same msgids as clocks.models.Name; kept here so that
# notifications need not import clocks).
CLOCK_LABELS = {
    "first_notice": gettext_lazy("First notice"),
    "investigation": gettext_lazy("Investigation"),
    "review": gettext_lazy("Review"),
    "replacement": gettext_lazy("Replacement"),
    "resolution": gettext_lazy("Resolution"),
    "safety_review": gettext_lazy("Safety review"),
}


def _due(data) -> str:
    value = parse_datetime(data.get("due_at") or data.get("follow_up_due") or "")
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "?"


def _facts(event: Event):
    """[(kind, recipients, message)] for this event."""
    case = event.case
    ref = {"reference": case.reference}
    data = event.data or {}
    if event.kind == Event.Kind.CREATED and case.factory_id:
        return [(Kind.CASE_ROUTED, services.factory_qa(case),
                 _("New case %(reference)s (%(product)s, %(category)s) was routed to your factory.") % {
                     **ref, "product": case.product.name, "category": case.get_category_display()})]
    if event.kind == Event.Kind.ASSIGNMENT:
        return [(Kind.CASE_ROUTED, services.factory_qa(case),
                 _("Case %(reference)s (%(product)s, %(category)s) was routed to your factory.") % {
                     **ref, "product": case.product.name, "category": case.get_category_display()})]
    if event.kind == Event.Kind.TRANSITION:
        if event.transition == "receive_sample":
            return [(Kind.SAMPLE_RECEIVED, services.factory_qa(case),
                     _("The sample of case %(reference)s has arrived.") % ref)]
        if event.transition == "submit_report":
            return [(Kind.REPORT_SUBMITTED, services.with_role(roles.QA_MANAGER),
                     _("The report on case %(reference)s (%(factory)s) waits for your review.") % {
                         **ref, "factory": case.factory.name if case.factory_id else "-"})]
        if event.transition == "reject_report":
            return [(Kind.REPORT_REJECTED, services.factory_qa(case),
                     _("The report on case %(reference)s was sent back: %(comment)s") % {
                         **ref, "comment": event.note})]
        if event.transition in ("approve_report", "adopt_report"):
            return [(Kind.REPORT_APPROVED, services.with_role(roles.MAILROOM),
                     _("The report on case %(reference)s was approved: print the letter and ship the "
                       "replacement.") % ref)]
        return []
    if (event.kind == Event.Kind.SHIPMENT and data.get("direction") == "replacement"
            and data.get("action") == "delivered"):
        return [(Kind.REPLACEMENT_DELIVERED, services.owner_or_role(case),
                 _("The replacement for case %(reference)s was delivered.") % ref)]
    if event.kind == Event.Kind.NOTE and data.get(CLOCK_ALERT_KEY) in ("warning", "breached"):
        clock = str(CLOCK_LABELS.get(data.get("clock", ""), data.get("clock", "")))
        if data[CLOCK_ALERT_KEY] == "warning":
            queue = data.get("queue") or roles.HOTLINE
            recipients = (services.factory_qa(case) if queue == roles.FACTORY_QA
                          else services.owner_or_role(case, queue))
            return [(Kind.CLOCK_WARNING, recipients,
                     _("Case %(reference)s: the %(clock)s clock is at 75%%, due %(due)s.") % {
                         **ref, "clock": clock, "due": _due(data)})]
        return [(Kind.CLOCK_BREACHED, services.with_role(roles.QA_MANAGER),
                 _("Case %(reference)s: the %(clock)s clock is breached (was due %(due)s).") % {
                     **ref, "clock": clock, "due": _due(data)})]
    if event.kind == Event.Kind.NOTE and OVERDUE_CONTACT_KEY in data:
        owner = event.contact.follow_up_owner if event.contact_id else None
        recipients = (get_user_model().objects.filter(pk=owner.pk, is_active=True) if owner
                      else services.owner_or_role(case))
        return [(Kind.FOLLOW_UP_DUE, recipients,
                 _("Case %(reference)s: the promised follow-up is overdue (due %(due)s).") % {**ref, "due": _due(data)})]
    return []


@outbox.subscribe("notifications.on_event", kinds=[
    Event.Kind.CREATED, Event.Kind.ASSIGNMENT, Event.Kind.TRANSITION, Event.Kind.SHIPMENT, Event.Kind.NOTE,
])
def on_event(event: Event) -> None:
    for kind, recipients, message in _facts(event):
        services.notify(recipients, kind, event.case, message, dedupe_key=f"event:{event.pk}:{kind}")
