"""One function per action on a case. Each owns its transaction.

Views, the API, the admin, commands and tasks call these; nothing else changes a case's state.
A service locks the case row, checks the caller's role, runs the transition, saves, writes the
timeline row in the same transaction, and hands slow work (letters) to tasks after commit.

Errors: `PermissionDenied` (role may not run it: 403), `TransitionConflict` (not possible in the
current state: 409), `ValidationError` (bad payload or incomplete report: 400).
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from factories.models import Investigation

from .forms import PAYLOAD_FORMS
from .models import Consumer, Contact, DefectCase, Event, ReferenceCounter, Shipment, State
from .timeline import record as _log
from .references import format_case_reference, new_return_reference


class TransitionConflict(Exception):
    """The case's current state does not allow the transition (answered as 409)."""


def _meta(name: str):
    if name not in PAYLOAD_FORMS:
        raise TransitionConflict(_("Unknown transition '%(name)s'.") % {"name": name})
    return getattr(DefectCase, name)._django_fsm


def role_may_run(case: DefectCase, user, name: str) -> bool:
    """Whether the user's role may ever run this transition on this case, whatever its state."""
    return any(t.has_perm(case, user) for t in _meta(name).transitions.values())


def available_transitions(case: DefectCase, user) -> list[str]:
    """Names the user may run on the case right now, in the state machine's declared order."""
    return [t.name for t in case.get_available_user_state_transitions(user)]


def validate_payload(name: str, data) -> dict:
    form = PAYLOAD_FORMS[name](data=data or {})
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form.cleaned_data


def _locked(case_or_id) -> DefectCase:
    pk = case_or_id.pk if isinstance(case_or_id, DefectCase) else case_or_id
    # of=("self",): lock the case row only; PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to factory, and locking master data would serialise unrelated cases anyway.
    return DefectCase.objects.select_for_update(of=("self",)).select_related("factory", "product").get(pk=pk)


def _run(case_or_id, name: str, by, payload: dict, *, note: str = "", data=None,
         check: Callable[[DefectCase], None] | None = None,
         after: Callable[[DefectCase], None] | None = None) -> DefectCase:
    """Lock, check role then state, transition, save and log: all or nothing."""
    meta = _meta(name)
    with transaction.atomic():
        case = _locked(case_or_id)
        if not role_may_run(case, by, name):
            raise PermissionDenied(_("Your role may not run '%(name)s' on this case.") % {"name": name})
        if not meta.has_transition(case.state) or not meta.conditions_met(case, case.state):
            raise TransitionConflict(
                _("'%(name)s' is not possible while the case is '%(state)s'.") % {"name": name, "state": case.state}
            )
        if check:
            check(case)
        from_state = case.state
        try:
            getattr(case, name)(**payload)
            case.save()
        except (TransitionNotAllowed, ConcurrentTransition) as error:
            raise TransitionConflict(str(error)) from error
        _log(case, by, Event.Kind.TRANSITION, transition=name, from_state=from_state, to_state=case.state,
             note=note, data=data)
        if after:
            after(case)
    return case


def perform(case_or_id, name: str, by, data=None) -> DefectCase:
    """Validate a raw payload (form or JSON data) and run the named action."""
    payload = validate_payload(name, data)
    return ACTIONS[name](case_or_id, by, **payload)


# --- the actions ----------------------------------------------------------------------------

def request_return(case, by, carrier="") -> DefectCase:
    def create_return_shipment(case):
        expected = timezone.localdate() + datetime.timedelta(days=settings.HITOTSUBU_RETURN_EXPECTED_DAYS)
        Shipment.objects.create(
            case=case, direction=Shipment.Direction.RETURN, carrier=carrier or "", status=Shipment.Status.EXPECTED,
            reference=_unique_return_reference(), expected_by=expected,
        )

    def after(case):
        create_return_shipment(case)
        _queue_letters(case, by, "first_notice_postcard", "return_kit")

    return _run(case, "request_return", by, {"carrier": carrier or None}, data={"carrier": carrier or ""},
                after=after)


def _queue_letters(case, by, *kinds):
    # Rows only, in this transaction; rendering is queued by letters after commit.
    from letters import services as letters

    letters.queue_letters(case, kinds, by)


def _unique_return_reference() -> str:
    # Collisions are astronomically rare, but a duplicate must never reach a printed kit.
    for _attempt in range(5):
        reference = new_return_reference()
        if not Shipment.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not draw a unique return reference.")


def receive_sample(case, by, condition="") -> DefectCase:
    def mark_return_received(case):
        now = timezone.now()
        case.shipments.filter(direction=Shipment.Direction.RETURN, received_at__isnull=True).update(
            status=Shipment.Status.RECEIVED, received_at=now
        )

    return _run(case, "receive_sample", by, {"condition": condition}, note=condition, after=mark_return_received)


def start_investigation(case, by) -> DefectCase:
    return _run(case, "start_investigation", by, {},
                after=lambda case: Investigation.objects.get_or_create(case=case))


def investigate_without_sample(case, by, reason) -> DefectCase:
    return _run(case, "investigate_without_sample", by, {"reason": reason}, note=reason,
                after=lambda case: Investigation.objects.get_or_create(case=case))


def _require_complete_report(case):
    investigation = Investigation.objects.filter(case=case).first()
    missing = investigation.missing_for_submission() if investigation else list(Investigation.REQUIRED_FOR_SUBMISSION)
    if missing:
        raise ValidationError({name: [_("Required before the report can be submitted.")] for name in missing})


def submit_report(case, by) -> DefectCase:
    return _run(case, "submit_report", by, {}, check=_require_complete_report)


def reject_report(case, by, comment) -> DefectCase:
    return _run(case, "reject_report", by, {"comment": comment}, note=comment)


def approve_report(case, by, comment="") -> DefectCase:
    return _run(case, "approve_report", by, {"comment": comment}, note=comment,
                after=lambda case: _queue_letters(case, by, "apology_letter", "packing_slip"))


def ship_replacement(case, by, carrier, tracking_number) -> DefectCase:
    def create_replacement_shipment(case):
        Shipment.objects.create(
            case=case, direction=Shipment.Direction.REPLACEMENT, carrier=carrier, tracking_number=tracking_number,
            status=Shipment.Status.SHIPPED, shipped_at=timezone.now(),
        )

    return _run(case, "ship_replacement", by, {"carrier": carrier, "tracking_number": tracking_number},
                data={"carrier": carrier, "tracking_number": tracking_number}, after=create_replacement_shipment)


def close(case, by, note="") -> DefectCase:
    return _run(case, "close", by, {"note": note}, note=note)


def withdraw(case, by, reason) -> DefectCase:
    # Who decided is recorded twice on purpose: on the case (for the complaint file) and in the log.
    return _run(case, "withdraw", by, {"reason": reason, "by": by}, note=reason)


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
}


# --- intake, contacts, investigation drafts ---------------------------------------------------

def _next_reference(year: int) -> str:
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another intake created this year's counter first; the row exists now
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_case_reference(year, counter.last)


def open_case(by, cleaned: dict) -> DefectCase:
    """Create a case from CaseIntakeForm.cleaned_data; the first line of its timeline says who."""
    received_at = cleaned.get("received_at") or timezone.now()
    with transaction.atomic():
        case = DefectCase(
            reference=_next_reference(timezone.localtime(received_at).year),
            received_at=received_at,
            channel=cleaned["channel"],
            product=cleaned["product"],
            lot_code=cleaned.get("lot_code") or "",
            best_before=cleaned.get("best_before"),
            store=cleaned.get("store") or "",
            purchased_on=cleaned.get("purchased_on"),
            category=cleaned["category"],
            description=cleaned["description"],
            health_effect=bool(cleaned.get("health_effect")),
            urgent=bool(cleaned.get("health_effect")),
            factory=cleaned.get("factory") or cleaned["product"].default_factory,
            created_by=by,
        )
        case.save()
        Consumer.objects.create(
            case=case,
            name=cleaned["consumer_name"],
            name_kana=cleaned.get("consumer_name_kana") or "",
            postal_code=cleaned.get("consumer_postal_code") or "",
            address=cleaned.get("consumer_address") or "",
            phone=cleaned.get("consumer_phone") or "",
            email=cleaned.get("consumer_email") or "",
            language=cleaned.get("consumer_language") or "ja",
        )
        _log(case, by, Event.Kind.CREATED, to_state=case.state,
             data={"channel": case.channel, "urgent": case.urgent})
    return case


def log_contact(case, by, cleaned: dict) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.create(
            case=case, by=by, channel=cleaned["channel"], direction=cleaned["direction"], summary=cleaned["summary"],
            follow_up_due=cleaned.get("follow_up_due"), follow_up_owner=cleaned.get("follow_up_owner"),
        )
        data = {"channel": contact.channel, "direction": contact.direction}
        if contact.follow_up_due:
            data.update(follow_up_due=contact.follow_up_due.isoformat(), follow_up_owner=contact.follow_up_owner.username)
        _log(case, by, Event.Kind.CONTACT, note=contact.summary, data=data, contact=contact)
    return contact


EDITABLE_REPORT_STATES = {State.SAMPLE_RECEIVED, State.INVESTIGATING}


def save_investigation(case, by, fields: dict) -> Investigation:
    """Save the factory's report as a draft; only while the case is with the factory."""
    with transaction.atomic():
        case = _locked(case)
        from . import roles

        if not roles.factory_qa_of_case(case, by):
            raise PermissionDenied(_("Only the factory's QA may edit this report."))
        if case.state not in EDITABLE_REPORT_STATES:
            raise TransitionConflict(_("The report cannot be edited while the case is '%(state)s'.") % {"state": case.state})
        investigation, _created = Investigation.objects.get_or_create(case=case)
        for name, value in fields.items():
            setattr(investigation, name, value)
        investigation.updated_by = by
        investigation.save()
    return investigation
