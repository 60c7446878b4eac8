from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Clock
from ..services import WALL_CLOCK_NAMES, remaining

register = template.Library()


def _hours(delta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


@register.simple_tag
def case_clocks(case):
    """Rows for the case page: name, state, due time and the business time left (or late by)."""
    now = timezone.now()
    rows = []
    for clock in Clock.objects.filter(case=case).order_by("started_at", "id"):
        left = remaining(clock, now)
        state = clock.state(now)
        if left is None:
            text = ""
        elif clock.name in WALL_CLOCK_NAMES:  # counted day and night: plain hours, not business time
            text = (_("%(time)s left") if left.total_seconds() >= 0 else _("late by %(time)s")) % {
                "time": _hours(left)}
        elif left.total_seconds() >= 0:
            text = _("%(time)s of business time left") % {"time": _hours(left)}
        else:
            text = _("late by %(time)s of business time") % {"time": _hours(left)}
        rows.append({"name": clock.get_name_display(), "state": state, "state_label": _(state),
                     "due_at": clock.due_at, "stopped_at": clock.stopped_at, "remaining": text})
    return rows
