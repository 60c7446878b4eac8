"""Safety actions, one function each owning its transaction: open a review, decide it, complete the
authority's details, change a case's severity. Errors as in defects.services: PermissionDenied (403),
TransitionConflict (409), ValidationError (400 naming the field)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocks import escalation
from clocks import services as clocks
from clocks.models import Name as ClockName
from defects import roles
from defects.models import DefectCase, Event, Severity
from defects.services import TransitionConflict
from defects.timeline import record
from notifications import services as notify
from notifications.models import Kind

from .models import Decision, SafetyReview

# Timeline events written here are NOTE events carrying {"safety": <what>} (no Event kind migration,
# and the outbox routes them like any note).
SAFETY_KEY = "safety"
# The safety_review clock's target (clocks.services.DEFAULT_TARGETS), shown as the review's due time.
REVIEW_WINDOW = datetime.timedelta(hours=2)


def may_decide(user) -> bool:
    return roles.has_role(user, roles.QA_MANAGER)


def open_review(case: DefectCase, at=None) -> SafetyReview | None:
    """Open the case's safety review (once: None when it exists), start its 2-hour wall clock, tell
    every QA manager. Runs inside an outbox handler's transaction."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            review = SafetyReview.objects.create(case=case, opened_at=at)
    except IntegrityError:
        return None  # opened before (a second dispatch, or a severity raised twice)
    clocks.start(case, ClockName.SAFETY_REVIEW, at)
    record(case, None, Event.Kind.NOTE, data={SAFETY_KEY: "review_opened", "review": review.pk},
           note=_("Safety review opened: a QA manager decides within two hours, day or night."))
    notify.notify(notify.with_role(roles.QA_MANAGER), Kind.SAFETY_REVIEW_OPENED, case,
                  _("Critical case %(reference)s (%(product)s, %(category)s): decide the safety review "
                    "within two hours.") % {"reference": case.reference, "product": case.product.name,
                                            "category": case.get_category_display()},
                  dedupe_key=f"safety_review:{review.pk}:opened")
    return review


def clean_decision(data: dict) -> dict:
    """The rules of a decision, for the API and the page alike (400 naming the field)."""
    from factories.lots import LotError, normalize_lot_code

    from .models import RecallClass

    errors = {}
    decision = data.get("decision") or ""
    if decision not in Decision.values:
        errors["decision"] = [_("Choose recall, monitor or no action.")]
    rationale = (data.get("rationale") or "").strip()
    if not rationale:
        errors["rationale"] = [_("Give the rationale of the decision.")]
    cleaned = {"decision": decision, "rationale": rationale}
    if decision == Decision.RECALL:
        if data.get("recall_class") not in RecallClass.values:
            errors["recall_class"] = [_("A recall needs its class (class_1, class_2 or class_3).")]
        lots = []
        for lot in data.get("lots") or []:
            text = str(lot).strip()
            if not text:
                continue
            try:
                lots.append(normalize_lot_code(text)[:64])
            except LotError:
                lots.append(text[:64])
        if not lots:
            errors["lots"] = [_("A recall names the lots to hold.")]
        cleaned.update(recall_class=data.get("recall_class"), lots=list(dict.fromkeys(lots)),
                       authority_notified_at=data.get("authority_notified_at"),
                       authority_reference=(data.get("authority_reference") or "").strip())
    if errors:
        raise ValidationError(errors)
    return cleaned


def decide(review_id: int, by, data: dict) -> SafetyReview:
    """Record the QA manager's decision (recall, monitor, no action) with its rationale; stop the
    clock; a recall tells the plant's QA to hold the lots."""
    if not may_decide(by):
        raise PermissionDenied(_("Only a QA manager decides a safety review."))
    cleaned = clean_decision(data)
    with transaction.atomic():
        review = SafetyReview.objects.select_for_update(of=("self",)).select_related("case__product").get(pk=review_id)
        if review.status == SafetyReview.Status.DECIDED:
            raise TransitionConflict(_("This safety review is decided already."))
        case = DefectCase.objects.select_for_update(of=("self",)).get(pk=review.case_id)
        now = timezone.now()
        review.status, review.decided_by, review.decided_at = SafetyReview.Status.DECIDED, by, now
        review.decision, review.rationale = cleaned["decision"], cleaned["rationale"]
        if review.decision == Decision.RECALL:
            review.recall_class = cleaned["recall_class"]
            review.lots = cleaned["lots"]
            review.authority_notified_at = cleaned.get("authority_notified_at")
            review.authority_reference = cleaned.get("authority_reference") or ""
        review.save()
        clock = clocks.stop(case, ClockName.SAFETY_REVIEW, now)
        data = {SAFETY_KEY: "decided", "review": review.pk, "decision": review.decision}
        if review.decision == Decision.RECALL:
            data.update(recall_class=review.recall_class, lots=review.lots,
                        authority_reference=review.authority_reference)
        record(case, by, Event.Kind.NOTE, data=data,
               note=_("Safety review decided: %(decision)s. %(rationale)s") % {
                   "decision": review.get_decision_display(), "rationale": review.rationale})
        if clock is not None and clock.outcome == "breached":
            escalation.breach(clock.pk)
        if review.decision == Decision.RECALL:
            notify.notify(notify.factory_qa(case), Kind.RECALL_HOLD, case,
                          _("Recall decided on case %(reference)s (%(product)s, %(class)s): hold lots %(lots)s.") % {
                              "reference": case.reference, "product": case.product.name,
                              "class": review.get_recall_class_display(), "lots": ", ".join(review.lots)},
                          dedupe_key=f"safety_review:{review.pk}:recall")
    return review


def update_authority(review_id: int, by, cleaned: dict) -> SafetyReview:
    """The prefecture was notified later: when, and its reference (PATCH)."""
    if not may_decide(by):
        raise PermissionDenied(_("Only a QA manager decides a safety review."))
    with transaction.atomic():
        review = SafetyReview.objects.select_for_update(of=("self",)).select_related("case").get(pk=review_id)
        if review.decision != Decision.RECALL:
            raise TransitionConflict(_("Only a recall is notified to the authority."))
        changed = [name for name in ("authority_notified_at", "authority_reference")
                   if name in cleaned and getattr(review, name) != cleaned[name]]
        for name in changed:
            setattr(review, name, cleaned[name] if cleaned[name] is not None else (None if name.endswith("_at") else ""))
        review.save()
        if changed:
            record(review.case, by, Event.Kind.NOTE,
                   data={SAFETY_KEY: "authority", "review": review.pk, "authority_reference": review.authority_reference,
                         "authority_notified_at": review.authority_notified_at.isoformat()
                         if review.authority_notified_at else None},
                   note=_("Recall notified to the authority: %(reference)s") % {
                       "reference": review.authority_reference or "-"})
    return review


def change_severity(case_or_id, by, severity: str, reason: str) -> DefectCase:
    """A QA manager corrects the triage; the reason is kept on the timeline. Raised to critical, the
    case gets its safety review (the outbox handler opens it)."""
    if not roles.has_role(by, roles.QA_MANAGER):
        raise PermissionDenied(_("Only a QA manager may change the severity."))
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Choose critical, high or normal.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the severity changes.")]})
    pk = case_or_id.pk if isinstance(case_or_id, DefectCase) else case_or_id
    with transaction.atomic():
        case = DefectCase.objects.select_for_update(of=("self",)).get(pk=pk)
        if case.severity == severity:
            raise TransitionConflict(_("The case has this severity already."))
        before = case.severity
        case.severity = severity
        fields = ["severity", "updated_at"]
        if severity == Severity.CRITICAL and not case.urgent:
            case.urgent = True
            fields.append("urgent")
        case.save(update_fields=fields)
        data = {SAFETY_KEY: "severity_changed", "from": before, "to": severity}
        if "urgent" in fields:
            # "urgent" in an event's data says the case's urgency changed: the clocks retarget on it.
            data["urgent"] = case.urgent
        record(case, by, Event.Kind.NOTE, data=data,
               note=_("Severity changed from %(before)s to %(after)s: %(reason)s") % {
                   "before": Severity(before).label, "after": Severity(severity).label, "reason": reason.strip()})
    return case
