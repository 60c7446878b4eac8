"""Lot alerts: several reports on one product and lot (normalised code, DefectCase.lot_key) within a
window open one alert for the plant's QA and the QA managers; later reports join it.

Concurrency: the partial unique constraint one_live_lot_alert allows one open or acknowledged alert
per product and lot; two handlers racing to open it both try, the second gets IntegrityError inside
its savepoint and joins the alert the first opened. Joining is a unique (alert, case) row: idempotent.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defects import roles
from defects.models import DefectCase, Event, Severity
from defects.services import TransitionConflict
from defects.timeline import record
from notifications import services as notify
from notifications.models import Kind

from .models import LotAlert, LotAlertCase, LotAlertRule

DEFAULT_THRESHOLD, DEFAULT_CRITICAL_THRESHOLD, DEFAULT_WINDOW_DAYS = 3, 2, 30
LIVE = (LotAlert.Status.OPEN, LotAlert.Status.ACKNOWLEDGED)


def rule_for(product_id) -> tuple[int, int, int]:
    rule = LotAlertRule.objects.filter(product_id=product_id).first()
    if rule is None:
        return DEFAULT_THRESHOLD, DEFAULT_CRITICAL_THRESHOLD, DEFAULT_WINDOW_DAYS
    return rule.threshold, rule.critical_threshold, rule.window_days


def _candidates(case: DefectCase, window_days: int):
    """The reports on the case's product and lot in the window that ends with it (each report's own
    evaluation looks back, so reports dispatched out of order still meet in the last one's window),
    not already concluded by a closed alert (a closed alert's reports do not open a second one)."""
    since = case.received_at - datetime.timedelta(days=window_days)
    last_closed = (LotAlert.objects.filter(product_id=case.product_id, lot_key=case.lot_key,
                                           status=LotAlert.Status.CLOSED)
                   .order_by("-closed_at").values_list("closed_at", flat=True).first())
    cases = DefectCase.objects.filter(product_id=case.product_id, lot_key=case.lot_key,
                                      received_at__gte=since, received_at__lte=case.received_at)
    if last_closed:
        cases = cases.filter(received_at__gt=last_closed)
    return list(cases.order_by("received_at", "id"))


def _join(alert: LotAlert, case: DefectCase, opened: bool, count: int = 0) -> bool:
    try:
        with transaction.atomic():
            LotAlertCase.objects.create(alert=alert, case=case)
    except IntegrityError:
        return False
    note = (_("Lot alert opened: %(count)s reports on lot %(lot)s (%(rule)s).") if opened
            else _("This report joins the lot alert on lot %(lot)s."))
    record(case, None, Event.Kind.NOTE, data={"safety": "lot_alert", "alert": alert.pk, "lot": alert.lot_key},
           note=note % {"count": count, "lot": alert.lot_key, "rule": alert.rule})
    return True


def evaluate(case: DefectCase) -> LotAlert | None:
    """Called by the outbox handler when a case is opened. Joins the live alert of its lot, or opens
    one when the reports reach the product's threshold. Safe to run twice and at the same time."""
    if not case.lot_key:
        return None
    live = LotAlert.objects.filter(product_id=case.product_id, lot_key=case.lot_key, status__in=LIVE).first()
    if live is not None:
        _join(live, case, opened=False)
        return live
    threshold, critical_threshold, window_days = rule_for(case.product_id)
    reports = _candidates(case, window_days)
    critical = any(c.severity == Severity.CRITICAL for c in reports)
    needed = critical_threshold if critical else threshold
    if len(reports) < needed:
        return None
    rule = (_("%(n)s reports in %(days)s days, one critical") if critical
            else _("%(n)s reports in %(days)s days")) % {"n": needed, "days": window_days}
    try:
        with transaction.atomic():
            alert = LotAlert.objects.create(product_id=case.product_id, lot_key=case.lot_key, factory_id=case.factory_id,
                                            opened_at=timezone.now(), rule=rule)
    except IntegrityError:  # another report's handler opened it a moment ago: join that one
        alert = LotAlert.objects.get(product_id=case.product_id, lot_key=case.lot_key, status__in=LIVE)
        _join(alert, case, opened=False)
        return alert
    for report in reports:
        _join(alert, report, opened=True, count=len(reports))
    recipients = notify.with_role(roles.QA_MANAGER) | notify.factory_qa(case)
    notify.notify(recipients.distinct(), Kind.LOT_ALERT_OPENED, case,
                  _("Lot alert: %(count)s reports on %(product)s lot %(lot)s (%(references)s).") % {
                      "count": len(reports), "product": case.product.name, "lot": alert.lot_key,
                      "references": ", ".join(r.reference for r in reports)},
                  dedupe_key=f"lot_alert:{alert.pk}:opened")
    return alert


# --- who sees and acts on alerts --------------------------------------------------------------------

def alerts_for(user):
    """QA managers and admins: all; factory QA: their plant's; everyone else: none."""
    alerts = LotAlert.objects.select_related("product", "factory")
    if roles.has_role(user, roles.QA_MANAGER, roles.ADMIN):
        return alerts
    if roles.has_role(user, roles.FACTORY_QA) and roles.factory_id_of(user):
        return alerts.filter(factory_id=roles.factory_id_of(user))
    return alerts.none()


def may_see_alerts(user) -> bool:
    return roles.has_role(user, roles.QA_MANAGER, roles.ADMIN, roles.FACTORY_QA)


def _may_act(user, alert) -> bool:
    return alerts_for(user).filter(pk=alert.pk).exists() and roles.has_role(user, roles.QA_MANAGER, roles.FACTORY_QA)


def _act(alert_id, by, status_from, status_to, note, data, **fields) -> LotAlert:
    with transaction.atomic():
        alert = LotAlert.objects.select_for_update(of=("self",)).filter(pk=alert_id).first()
        if alert is None or not alerts_for(by).filter(pk=alert_id).exists():
            from django.http import Http404

            raise Http404("No such lot alert.")
        if not _may_act(by, alert):
            raise PermissionDenied(_("Only QA managers and the plant's QA act on lot alerts."))
        if alert.status not in status_from:
            raise TransitionConflict(_("The lot alert is %(status)s.") % {"status": alert.get_status_display()})
        alert.status = status_to
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.save()
        for case in DefectCase.objects.filter(pk__in=alert.memberships.values("case_id")):
            record(case, by, Event.Kind.NOTE, note=note,
                   data={"safety": "lot_alert", "alert": alert.pk, "lot": alert.lot_key, **data})
    return alert


def acknowledge(alert_id, by) -> LotAlert:
    return _act(alert_id, by, (LotAlert.Status.OPEN,), LotAlert.Status.ACKNOWLEDGED,
                _("Lot alert acknowledged."), {"action": "acknowledged"},
                acknowledged_by=by, acknowledged_at=timezone.now())


def close(alert_id, by, conclusion: str) -> LotAlert:
    if not (conclusion or "").strip():
        raise ValidationError({"conclusion": [_("Write the conclusion of the lot alert.")]})
    return _act(alert_id, by, LIVE, LotAlert.Status.CLOSED,
                _("Lot alert closed: %(conclusion)s") % {"conclusion": conclusion.strip()}, {"action": "closed"},
                conclusion=conclusion.strip(), closed_by=by, closed_at=timezone.now())

