"""Small filters so templates show the state machine's ids in words."""

from django import template
from django.utils.html import format_html

from ..views.labels import STATE_CLASSES, TRANSITION_DONE, TRANSITION_LABELS, state_label

register = template.Library()


@register.filter
def state_name(value):
    return state_label(value)


@register.filter
def transition_label(name):
    return TRANSITION_LABELS.get(name, name)


@register.filter
def transition_done(name):
    return TRANSITION_DONE.get(name, name)


@register.simple_tag
def state_badge(value):
    return format_html('<span class="badge {}">{}</span>', STATE_CLASSES.get(value, ""), state_label(value))


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


@register.simple_tag
def event_detail(event):
    """A short line of the event's staff-safe facts (Event.data never holds personal data)."""
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _

    from ..models import Carrier, Channel, Contact

    data = event.data or {}
    parts = []
    if event.kind == event.Kind.CONTACT:
        if data.get("channel"):
            parts.append(str(_label(Contact.Channel, data["channel"])))
        if data.get("direction"):
            parts.append(str(_label(Contact.Direction, data["direction"])))
        due = parse_datetime(data.get("follow_up_due") or "")
        if due:
            parts.append(_("follow-up due %(due)s (%(owner)s)") % {
                "due": date_format(localtime(due), "Y-m-d H:i"), "owner": data.get("follow_up_owner", "")})
    elif event.kind == event.Kind.CREATED and data.get("channel"):
        parts.append(str(_label(Channel, data["channel"])))
        if data.get("urgent"):
            parts.append(_("urgent"))
    if data.get("carrier"):
        parts.append(str(_label(Carrier, data["carrier"])))
    if data.get("tracking_number"):
        parts.append(_("tracking number %(number)s") % {"number": data["tracking_number"]})
    return " · ".join(parts)


@register.filter
def parcel_status(shipment):
    # The model's "Received" is shared with the case state (受付); a parcel is 受領 (arrived).
    from django.utils.translation import pgettext

    if shipment.status == shipment.Status.RECEIVED:
        return pgettext("parcel status", "Received")
    return shipment.get_status_display()
