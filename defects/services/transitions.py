"""The ten transitions of a case, one service each, and the blockers that hold two of them back."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from factories.models import Investigation, InvestigationVersion

from .. import selectors
from ..models import Carrier, DefectCase, Shipment, ShippingCarrier
from ..references import new_return_reference
from ._base import TransitionConflict, _queue_letters, _run, _user_or_none, validate_payload
from .parcels import PARCEL_LETTER_KINDS, _new_replacement_shipment, _open_replacement, prepare_replacement


def perform(case_or_id, name: str, by, data=None) -> DefectCase:
    """Validate a raw payload (form or JSON data) and run the named action."""
    payload = validate_payload(name, data)
    return ACTIONS[name](case_or_id, by, **payload)


def request_return(case, by, carrier="") -> DefectCase:
    # The kit's facts are drawn first so that the timeline row can tell them; the unique constraint
    # on the reference still guards a (vanishingly unlikely) race between two requests.
    carrier = carrier or default_return_carrier()
    reference = _unique_return_reference()
    expected = return_expected_by(timezone.localdate())

    def create_return_shipment(case):
        Shipment.objects.create(
            case=case, direction=Shipment.Direction.RETURN, carrier=carrier, status=Shipment.Status.EXPECTED,
            payment=Shipment.Payment.CASH_ON_DELIVERY, reference=reference, expected_by=expected,
        )

    def after(case):
        create_return_shipment(case)
        _queue_letters(case, by, "first_notice_postcard", "return_kit")

    return _run(case, "request_return", by, {"carrier": carrier},
                data={"carrier": carrier, "return_reference": reference, "expected_by": expected.isoformat(),
                      "payment": Shipment.Payment.CASH_ON_DELIVERY},
                after=after)


def default_return_carrier() -> str:
    """settings.HITOTSUBU_DEFAULT_RETURN_CARRIER (yamato unless set), or the first active carrier when
    that one is switched off in the admin's carrier list."""
    preferred = getattr(settings, "HITOTSUBU_DEFAULT_RETURN_CARRIER", Carrier.YAMATO)
    if not ShippingCarrier.objects.filter(code=preferred, active=False).exists():
        return preferred
    return ShippingCarrier.objects.filter(active=True).values_list("code", flat=True).first() or preferred


def return_expected_by(today: datetime.date) -> datetime.date:
    """HITOTSUBU_RETURN_EXPECTED_DAYS after today, moved to the next business day when it falls on a
    weekend or a Japanese public holiday (nobody follows up a missing parcel on a holiday)."""
    import jpholiday

    expected = today + datetime.timedelta(days=settings.HITOTSUBU_RETURN_EXPECTED_DAYS)
    while expected.weekday() >= 5 or jpholiday.is_holiday(expected):
        expected += datetime.timedelta(days=1)
    return expected


def _unique_return_reference() -> str:
    # Collisions are astronomically rare, but a duplicate must never reach a printed kit.
    for _attempt in range(5):
        reference = new_return_reference()
        if not Shipment.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not draw a unique return reference.")


def receive_sample(case, by, condition="") -> DefectCase:
    # The scan page finds the case with find_return (any spelling of the reference); this records the
    # arrival. Photos at receipt belong to the factory's investigation (factories.InvestigationPhoto).
    def mark_return_received(case):
        now = timezone.now()
        case.shipments.filter(direction=Shipment.Direction.RETURN, received_at__isnull=True).update(
            status=Shipment.Status.RECEIVED, received_at=now, received_by=_user_or_none(by),
            condition_on_arrival=condition or "",
        )

    def data(case):
        shipment = selectors.return_shipment(case)
        return {"return_reference": shipment.reference} if shipment else {}

    return _run(case, "receive_sample", by, {"condition": condition}, note=condition, data=data,
                after=mark_return_received)


def find_return(user, text: str) -> DefectCase:
    """The scan page's lookup: the case whose return kit carries `text` (full-width or half-width,
    any case, with or without hyphens), among the cases `user` may see. Writes nothing; raises
    Http404 for a malformed, unknown or out-of-scope reference (the message says which of the first)."""
    return selectors.find_return(user, text)


def start_investigation(case, by) -> DefectCase:
    return _run(case, "start_investigation", by, {},
                after=lambda case: Investigation.objects.get_or_create(case=case))


def investigate_without_sample(case, by, reason) -> DefectCase:
    return _run(case, "investigate_without_sample", by, {"reason": reason}, note=reason,
                after=lambda case: Investigation.objects.get_or_create(case=case))


def _require_complete_report(case):
    investigation = Investigation.objects.filter(case=case).first() or Investigation(case=case)
    problems = investigation.submission_problems()
    if problems:
        raise ValidationError(problems)


def _keep_submitted_version(case, by):
    """Each submission is kept as a numbered snapshot, in the submission's transaction."""
    from factories.versions import snapshot

    investigation = Investigation.objects.get(case=case)
    last = investigation.versions.order_by("-number").values_list("number", flat=True).first() or 0
    InvestigationVersion.objects.create(investigation=investigation, number=last + 1,
                                        snapshot=snapshot(investigation), submitted_by=by)


def _decide_latest_version(case, by, decision, comment):
    version = (InvestigationVersion.objects.select_for_update()
               .filter(investigation__case=case).order_by("-number").first())
    if version is not None:
        version.decision, version.decision_comment = decision, comment or ""
        version.decided_by, version.decided_at = by, timezone.now()
        version.save(update_fields=["decision", "decision_comment", "decided_by", "decided_at"])


def submit_report(case, by) -> DefectCase:
    return _run(case, "submit_report", by, {}, check=_require_complete_report,
                after=lambda case: _keep_submitted_version(case, by))


def reject_report(case, by, comment) -> DefectCase:
    return _run(case, "reject_report", by, {"comment": comment}, note=comment,
                after=lambda case: _decide_latest_version(case, by, InvestigationVersion.Decision.REJECTED, comment))


def approve_report(case, by, comment="") -> DefectCase:
    def after(case):
        _decide_latest_version(case, by, InvestigationVersion.Decision.APPROVED, comment)
        _queue_letters(case, by, "apology_letter", "packing_slip")
        prepare_replacement(case, by)

    return _run(case, "approve_report", by, {"comment": comment}, note=comment, after=after)


ADOPTABLE_SOURCE_STATES = ("approved", "replacement_shipped", "closed")


def adopt_report(case, by, from_case, reason="") -> DefectCase:
    """One investigation for a whole lot: the QA manager lets this case take the approved report of
    another case of the same product. The case is approved without an investigation of its own, gets
    its own apology letter (the adopted consumer-facing summary, to its own consumer) and replacement,
    and the timeline keeps why no separate investigation was made and who decided (the complaint file)."""
    # A case that adopted a report passes on the report it adopted: the letter reads the original.
    source = from_case.adopted_from if from_case.adopted_from_id else from_case

    def check(case):
        if from_case.pk == case.pk:
            raise ValidationError({"from_case": [_("A case cannot adopt its own report.")]})
        if from_case.product_id != case.product_id:
            raise ValidationError({"from_case": [_("The case %(reference)s is about another product.") % {
                "reference": from_case.reference}]})
        # The letter pairs this consumer's complaint with the adopted cause: a packaging cause cannot
        # answer a report of foreign matter.
        if source.category != case.category:
            raise ValidationError({"from_case": [_(
                "The case %(reference)s is about another kind of defect (%(category)s); its report "
                "cannot answer this one.") % {"reference": from_case.reference,
                                              "category": source.get_category_display()}]})
        if from_case.state not in ADOPTABLE_SOURCE_STATES:
            raise ValidationError({"from_case": [_("The report of case %(reference)s is not approved.") % {
                "reference": from_case.reference}]})

    why = _("No separate investigation: the approved report of case %(reference)s (same product, lot "
            "%(lot)s) answers this report.") % {"reference": source.reference, "lot": source.lot_code or "-"}
    note = f"{why} {reason}".strip() if reason else why

    def after(case):
        _queue_letters(case, by, "apology_letter", "packing_slip")
        prepare_replacement(case, by)

    return _run(case, "adopt_report", by, {"from_case": source, "reason": reason}, note=note, check=check,
                data={"from_case": source.reference, "via": from_case.reference if source != from_case else "",
                      "reason": "lot_investigation"},
                after=after)


def ship_replacement(case, by, carrier, tracking_number) -> DefectCase:
    # Refused (TransitionConflict, 409) until the apology letter and packing slip that go in the parcel
    # are printed: a service check rather than an fsm condition, so the refusal says what is missing.
    def mark_replacement_shipped(case):
        shipment = _open_replacement(case) or _new_replacement_shipment(case)
        shipment.carrier = carrier
        shipment.tracking_number = tracking_number
        shipment.status = Shipment.Status.SHIPPED
        shipment.shipped_at = timezone.now()
        shipment.shipped_by = _user_or_none(by)
        shipment.save()

    return _run(case, "ship_replacement", by, {"carrier": carrier, "tracking_number": tracking_number},
                data={"carrier": carrier, "tracking_number": tracking_number},
                check=_raise_blockers("ship_replacement"), after=mark_replacement_shipped)


def close(case, by, note="") -> DefectCase:
    # Refused (409) until the replacement parcel is confirmed delivered (record_shipment_event).
    return _run(case, "close", by, {"note": note}, note=note, check=_raise_blockers("close"))




def blockers(case, name: str) -> list[str]:
    """Why `name` cannot run yet on this case although its state allows it (empty: nothing blocks).
    Pages and the API may show these next to the button; the services refuse with the same text."""
    if name == "ship_replacement":
        return _parcel_letter_blockers(case)
    if name == "close":
        shipment = selectors.replacement_shipment(case)
        if shipment is None or shipment.status != Shipment.Status.DELIVERED:
            status = shipment.get_status_display().lower() if shipment else _("not prepared")
            return [_("The case can be closed once the replacement parcel is confirmed delivered "
                      "(it is %(status)s).") % {"status": status}]
    return []


def _parcel_letter_blockers(case) -> list[str]:
    from letters.models import Kind, Letter

    problems = []
    live = {letter.kind: letter for letter in Letter.objects.filter(case=case, kind__in=PARCEL_LETTER_KINDS)
            .exclude(status=Letter.Status.CANCELLED)}
    for kind in PARCEL_LETTER_KINDS:
        letter = live.get(kind)
        label = Kind(kind).label
        if letter is None:
            problems.append(_("The %(kind)s has not been made.") % {"kind": str(label).lower()})
        elif letter.status not in (Letter.Status.PRINTED, Letter.Status.MAILED):
            problems.append(_("The %(kind)s is not printed yet (%(status)s).") % {
                "kind": str(label).lower(), "status": letter.get_status_display().lower()})
        elif letter.needs_reprint:
            problems.append(_("The %(kind)s must be printed again (%(reason)s).") % {
                "kind": str(label).lower(), "reason": letter.reprint_reason})
    if problems:
        problems.insert(0, _("The replacement ships with the apology letter and the packing slip, printed:"))
    return problems


def _raise_blockers(name: str) -> Callable[[DefectCase], None]:
    def check(case):
        problems = blockers(case, name)
        if problems:
            raise TransitionConflict(" ".join(str(p) for p in problems))
    return check


def withdraw(case, by, reason) -> DefectCase:
    # Who decided is recorded twice on purpose: on the case (for the complaint file) and in the log.
    return _run(case, "withdraw", by, {"reason": reason, "by": by}, note=reason)


def close_without_delivery(case, by, reason) -> DefectCase:
    """The replacement will not be delivered (it came back, the consumer declined): close anyway."""
    return _run(case, "close_without_delivery", by, {"reason": reason}, note=reason)


def reopen(case, by, reason) -> DefectCase:
    """The consumer called again about a closed case: back to received, the clocks run again."""
    return _run(case, "reopen", by, {"reason": reason}, note=reason)


ACTIONS: dict[str, Callable[..., DefectCase]] = {
    "request_return": request_return,
    "receive_sample": receive_sample,
    "start_investigation": start_investigation,
    "investigate_without_sample": investigate_without_sample,
    "submit_report": submit_report,
    "reject_report": reject_report,
    "approve_report": approve_report,
    "ship_replacement": ship_replacement,
    "close": close,
    "withdraw": withdraw,
    "close_without_delivery": close_without_delivery,
    "reopen": reopen,
    "adopt_report": adopt_report,
}
