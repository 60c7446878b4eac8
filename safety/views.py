"""Safety pages: open safety reviews and their decision, the recall register, lot alerts; the
severity change posted from the case page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defects import roles, selectors
from defects.services import TransitionConflict

from . import lots, services
from .api import reviews_for
from .home import time_left
from .models import Decision, LotAlert, RecallClass, SafetyReview


def _when(text: str | None):
    """A datetime-local field ('2026-12-01T11:43') in the hotline's time zone; None when blank."""
    value = parse_datetime(text or "")
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _errors(error: ValidationError) -> list[str]:
    return [m for messages_ in error.message_dict.values() for m in messages_] if hasattr(error, "error_dict") \
        else error.messages


@login_required
def review_list(request):
    reviews = reviews_for(request.user)
    open_reviews = list(reviews.filter(status=SafetyReview.Status.OPEN).order_by("opened_at", "id")[:100])
    now = timezone.now()
    for review in open_reviews:
        review.due_at = review.opened_at + services.REVIEW_WINDOW
        review.time_left, review.overdue = time_left(review.due_at, now)
    decided = Paginator(reviews.filter(status=SafetyReview.Status.DECIDED).order_by("-decided_at", "-id"), 50) \
        .get_page(request.GET.get("page"))
    return render(request, "safety/review_list.html", {
        "open_reviews": open_reviews, "decided": decided, "window": services.REVIEW_WINDOW})


@login_required
def review_detail(request, pk: int):
    review = reviews_for(request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("No such safety review.")
    errors, values = [], {}
    if request.method == "POST":
        values = request.POST
        try:
            if request.POST.get("action") == "authority":
                services.update_authority(review.pk, request.user, {
                    "authority_notified_at": _when(request.POST.get("authority_notified_at")),
                    "authority_reference": (request.POST.get("authority_reference") or "").strip()})
            else:
                lots_text = request.POST.get("lots") or ""
                services.decide(review.pk, request.user, {
                    "decision": request.POST.get("decision"), "rationale": request.POST.get("rationale"),
                    "recall_class": request.POST.get("recall_class"),
                    "lots": [lot for lot in lots_text.replace("、", ",").replace("\n", ",").split(",")],
                    "authority_notified_at": _when(request.POST.get("authority_notified_at")),
                    "authority_reference": request.POST.get("authority_reference")})
            messages.success(request, _("Saved."))
            return redirect("safety_review", pk=review.pk)
        except ValidationError as error:
            errors = _errors(error)
        except TransitionConflict as error:
            errors = [str(error)]
    due_at = review.opened_at + services.REVIEW_WINDOW
    left, overdue = time_left(due_at, timezone.now()) if review.status == SafetyReview.Status.OPEN else ("", False)
    return render(request, "safety/review_detail.html", {
        "review": review, "case": review.case, "errors": errors, "values": values,
        "may_decide": services.may_decide(request.user), "decisions": Decision.choices,
        "recall_classes": RecallClass.choices, "due_at": due_at, "time_left": left, "overdue": overdue},
        status=400 if errors else 200)


@login_required
def recall_register(request):
    recalls = reviews_for(request.user).filter(decision=Decision.RECALL).order_by("-decided_at", "-id")
    page = Paginator(recalls, 50).get_page(request.GET.get("page"))
    return render(request, "safety/recalls.html", {"page": page})


@login_required
def alert_list(request):
    if not lots.may_see_alerts(request.user):
        raise PermissionDenied(_("Lot alerts are for QA managers and the plant's QA."))
    alerts = lots.alerts_for(request.user).prefetch_related("memberships__case")
    live = alerts.exclude(status=LotAlert.Status.CLOSED).order_by("-opened_at", "-id")[:100]
    closed = Paginator(alerts.filter(status=LotAlert.Status.CLOSED).order_by("-closed_at", "-id"), 50) \
        .get_page(request.GET.get("page"))
    return render(request, "safety/lot_alerts.html", {"live": live, "closed": closed})


@login_required
def alert_detail(request, pk: int):
    """One alert with its reports (state, category, severity): what the plant investigates once."""
    if not lots.may_see_alerts(request.user):
        raise PermissionDenied(_("Lot alerts are for QA managers and the plant's QA."))
    alert = lots.alerts_for(request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404("No such lot alert.")
    # An alert's reports are a handful (the lot's reports within the window): no pagination.
    members = alert.memberships.select_related("case__product").order_by("case__received_at", "case_id")
    return render(request, "safety/lot_alert_detail.html", {"a": alert, "cases": [m.case for m in members]})


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    try:
        if action == "acknowledge":
            lots.acknowledge(pk, request.user)
        elif action == "close":
            lots.close(pk, request.user, request.POST.get("conclusion") or "")
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    except TransitionConflict as error:
        messages.error(request, str(error))
    # Back to the page the form was on (the alert's own page or the list).
    if request.POST.get("from") == "detail":
        return redirect("safety_lot_alert", pk=pk)
    return redirect("safety_lot_alerts")


@login_required
@require_POST
def case_severity(request, reference: str):
    if not roles.has_role(request.user, roles.QA_MANAGER):
        raise PermissionDenied(_("Only a QA manager may change the severity."))
    case = selectors.case_for(request.user, reference)
    try:
        services.change_severity(case, request.user, request.POST.get("severity") or "", request.POST.get("reason") or "")
        messages.success(request, _("Severity changed."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    except TransitionConflict as error:
        messages.error(request, str(error))
    return redirect("case_detail", case.reference)

