"""Small filters so templates show the state machine's ids in words."""

from django import template
from django.utils.html import format_html

from ..views.labels import LETTER_ACTIONS, STATE_CLASSES, TRANSITION_DONE, TRANSITION_LABELS, state_label

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
def event_detail(event, data=None):
    """A short line of the event's facts. `data` is what the reader may see of Event.data
    (selectors.event_data_for); an address change shows which fields changed, the page shows the
    old and new values to the roles that see personal data."""
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _

    from ..models import Carrier, Channel, Contact

    data = data or {}
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
    elif event.kind == event.Kind.ADDRESS_CHANGE and data.get("changed"):
        parts.append(_("changed: %(fields)s") % {"fields": ", ".join(consumer_field_label(f) for f in data["changed"])})
    elif event.kind == event.Kind.LETTER and data.get("kind"):
        from letters.models import Kind

        parts.append(str(_label(Kind, data["kind"])))
        action = LETTER_ACTIONS.get(data.get("action", ""))
        if action:
            parts.append(str(action))
    elif event.kind == event.Kind.ASSIGNMENT and data.get("to"):
        parts.append(_("%(from)s → %(to)s") % {"from": data.get("from") or "—", "to": data["to"]})
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


@register.filter
def consumer_field_label(name):
    from ..models import Consumer

    try:
        return str(Consumer._meta.get_field(name).verbose_name)
    except Exception:
        return name


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def postal(code):
    """'8100001' -> '810-0001'."""
    code = code or ""
    return f"{code[:3]}-{code[3:]}" if len(code) == 7 and code.isdigit() else code


@register.simple_tag
def diff_runs(changes):
    """Character-level text changes (factories.versions) as <del>/<ins> runs."""
    from django.utils.html import format_html_join

    tags = {"equal": "span", "delete": "del", "insert": "ins"}
    return format_html_join("", "<{0}>{1}</{0}>", ((tags.get(run["op"], "span"), run["text"]) for run in changes or []))


@register.filter
def report_label(name):
    """A report field or submission-problem name in words."""
    from ..views.case import report_field_label

    return report_field_label(name)


@register.filter
def cm_target(value):
    from factories.models import Countermeasure

    return _label(Countermeasure.Target, value)


@register.filter
def consumer_value(value, name):
    """A consumer field's value as the page shows it (postal codes with their hyphen, languages named)."""
    if name == "postal_code":
        return postal(value)
    if name == "language" and value:
        from ..models import Language

        return _label(Language, value)
    return value


@register.filter
def waiting_label(value):
    """selectors.waiting_on's answer in words."""
    from ..views.labels import WAITING_ON_LABELS

    return WAITING_ON_LABELS.get(value, value)
