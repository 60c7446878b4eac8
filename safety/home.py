"""The safety section of the home page (defects.extensions.HOME_PANELS): the open safety reviews,
nearest due first with the time left, and the live lot alerts, first few of each with a count.

Fixed cost whatever the backlog: per list one query for the first rows (select_related, the alert's
report count annotated) and one capped COUNT.
"""

import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from defects import queues, roles

from . import lots
from .models import LotAlert, SafetyReview
from .services import REVIEW_WINDOW, may_decide

HOME_ROWS = 5


def time_left(due_at: datetime.datetime, now: datetime.datetime) -> tuple[str, bool]:
    """('1 h 05 min left' | '20 min overdue', overdue): the reviews' clock is the wall clock."""
    seconds = (due_at - now).total_seconds()
    overdue = seconds < 0
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if overdue:
        text = (_("%(hours)d h %(minutes)02d min overdue") if hours else _("%(minutes)d min overdue"))
    else:
        text = _("%(hours)d h %(minutes)02d min left") if hours else _("%(minutes)d min left")
    return text % {"hours": hours, "minutes": minutes}, overdue


def open_reviews(user, now=None) -> dict | None:
    if not may_decide(user):
        return None
    now = now or timezone.now()
    # Every review has the same window, so the nearest due is the oldest opened (index on opened_at).
    waiting = SafetyReview.objects.filter(status=SafetyReview.Status.OPEN)
    rows = list(waiting.select_related("case__product").order_by("opened_at", "id")[:HOME_ROWS])
    for review in rows:
        review.due_at = review.opened_at + REVIEW_WINDOW
        review.time_left, review.overdue = time_left(review.due_at, now)
    count, capped = queues.capped_count(waiting)
    return {"rows": rows, "count": count, "capped": capped, "more": count > len(rows)}


def live_alerts(user) -> dict | None:
    if not lots.may_see_alerts(user):
        return None
    live = lots.alerts_for(user).filter(status__in=lots.LIVE)
    rows = list(live.annotate(reports=Count("memberships")).order_by("-opened_at", "-id")[:HOME_ROWS])
    count, capped = queues.capped_count(live)
    return {"rows": rows, "count": count, "capped": capped, "more": count > len(rows)}


def panel(user):
    """(template, context) for the home page, or None for people who see neither list."""
    if not roles.has_role(user, roles.QA_MANAGER, roles.FACTORY_QA, roles.ADMIN):
        return None
    reviews, alerts = open_reviews(user), live_alerts(user)
    if reviews is None and alerts is None:
        return None
    return "safety/_home.html", {"reviews": reviews, "alerts": alerts}
