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

from factories.models import Factory, Investigation, InvestigationPhoto, InvestigationVersion

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

    return _run(case, "approve_report", by, {"comment": comment}, note=comment, after=after)


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
    routing = _route(cleaned)
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
            factory=routing.factory,
            line=routing.line,
            lot_date=routing.date,
            lot_date_kind=routing.date_kind,
            routing_note=routing.note,
            lot_key=_lot_key(cleaned.get("lot_code")),
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
             data={"channel": case.channel, "urgent": case.urgent,
                   "factory": case.factory.code if case.factory else None})
    return case


def _route(cleaned: dict):
    """An explicit factory from the intake form wins; otherwise the lot code routes the case."""
    from factories.routing import Routing, route

    routing = route(cleaned["product"], cleaned.get("lot_code") or "")
    chosen = cleaned.get("factory")
    if chosen and chosen != routing.factory:
        # The date read from the code still holds; the line belongs to the routed factory only.
        note = _("Factory %(code)s chosen at intake.") % {"code": chosen.code}
        return Routing(factory=chosen, line=None, date=routing.date, date_kind=routing.date_kind,
                       note=f"{note} {routing.note}".strip())
    return routing


def _lot_key(lot_code) -> str:
    from factories.lots import LotError, normalize_lot_code

    try:
        return normalize_lot_code(lot_code or "")[:64] if lot_code else ""
    except LotError:
        return ""


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
MAX_PHOTOS_PER_REPORT = 20


def _editable_investigation(case, by):
    """Lock the case, check that `by` is its factory's QA and the report is not frozen; get the report.

    A report is frozen from submission on: while in review (report_review) and once approved.
    """
    from . import roles

    case = _locked(case)
    if not roles.factory_qa_of_case(case, by):
        raise PermissionDenied(_("Only the factory's QA may edit this report."))
    if case.state not in EDITABLE_REPORT_STATES:
        raise TransitionConflict(_("The report cannot be edited while the case is '%(state)s'.") % {"state": case.state})
    investigation, _created = Investigation.objects.get_or_create(case=case)
    return case, investigation


def save_investigation(case, by, fields: dict, countermeasures=None) -> Investigation:
    """Save the factory's report as a draft (it may be incomplete); only while the case is with the factory.

    `fields`: any of Investigation.REPORT_FIELDS (others are refused), validated with
    factories.forms.InvestigationForm; fields not given keep their value. `countermeasures`: None
    keeps them, a list of dicts (CountermeasureForm fields) replaces them all, in order; it may also
    come as fields["countermeasures"]. Errors name the field ('countermeasures[0].target').
    """
    from factories.forms import InvestigationForm, clean_countermeasures

    fields = dict(fields or {})
    in_fields = fields.pop("countermeasures", None)
    if countermeasures is None:
        countermeasures = in_fields
    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        errors: dict[str, list[str]] = {
            name: [_("Unknown field.")] for name in fields if name not in Investigation.REPORT_FIELDS
        }
        data = {name: getattr(investigation, name) for name in Investigation.REPORT_FIELDS}
        data.update({name: value for name, value in fields.items() if name in data})
        data = {name: "" if value is None else value for name, value in data.items()}
        form = InvestigationForm(data=data, instance=investigation)
        if not form.is_valid():
            errors.update({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        rows = None
        if countermeasures is not None:
            try:
                rows = clean_countermeasures(countermeasures)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        investigation = form.save(commit=False)
        investigation.updated_by = by
        investigation.save()
        if rows is not None:
            investigation.countermeasures.all().delete()
            investigation.countermeasures.bulk_create([
                investigation.countermeasures.model(investigation=investigation, position=position, **row)
                for position, row in enumerate(rows)
            ])
    return investigation


def add_photo(case, by, uploaded_file, caption="") -> InvestigationPhoto:
    """Attach a photo of the sample to the report; JPEG/PNG checked by content, size-limited."""
    from factories.forms import PhotoForm

    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        form = PhotoForm(data={"caption": caption or ""}, files={"file": uploaded_file} if uploaded_file else {})
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        if investigation.photos.count() >= MAX_PHOTOS_PER_REPORT:
            raise ValidationError({"file": [_("A report holds at most %(max)s photos.") % {"max": MAX_PHOTOS_PER_REPORT}]})
        photo = InvestigationPhoto(investigation=investigation, content_type=form.content_type,
                                   size=uploaded_file.size, caption=form.cleaned_data["caption"], uploaded_by=by)
        photo.file.save("photo", uploaded_file, save=False)
        name = photo.file.name
        try:  # a row that cannot be written leaves no file behind
            photo.save()
        except Exception:
            photo.file.storage.delete(name)
            raise
    return photo


def remove_photo(case, by, photo_id) -> None:
    """Remove a photo from a draft report; the file is deleted once the removal is committed."""
    from django.http import Http404

    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        photo = investigation.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404("No such photo on this report.")
        storage, name = photo.file.storage, photo.file.name
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- routing -------------------------------------------------------------------------------------

# A routed case may be moved to another factory until that factory starts its investigation; from
# then on the report is theirs. An unrouted case may be assigned in any open state (it can reach
# awaiting_return, sample_received via the mail room, or investigating without a sample).
REASSIGNABLE_STATES = {State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED}


def assign_factory(case, by, factory, note="") -> DefectCase:
    """The QA manager assigns (or corrects) the factory of a case; a timeline 'assignment' event says so."""
    from . import roles
    from .selectors import open_states

    with transaction.atomic():
        case = _locked(case)
        if not roles.qa_manager(case, by):
            raise PermissionDenied(_("Only a QA manager may assign a case to a factory."))
        if isinstance(factory, str):
            factory = Factory.objects.filter(code=factory.strip().upper()).first()
        if not isinstance(factory, Factory):
            raise ValidationError({"factory": [_("Choose a factory.")]})
        if case.state not in open_states() or (case.factory_id is not None and case.state not in REASSIGNABLE_STATES):
            raise TransitionConflict(
                _("The factory cannot be changed while the case is '%(state)s'.") % {"state": case.state}
            )
        if case.factory_id == factory.pk:
            raise ValidationError({"factory": [_("The case is already with %(code)s.") % {"code": factory.code}]})
        previous = case.factory
        case.factory = factory
        if case.line_id and case.line.factory_id != factory.pk:
            case.line = None
        case.save(update_fields=["factory", "line", "updated_at"])
        _log(case, by, Event.Kind.ASSIGNMENT, note=note or "",
             data={"from": previous.code if previous else None, "to": factory.code})
    return case
