"""Which cases a user may see: the one place that decides it. Every page and API view starts here.

A case outside the user's scope does not exist for them (404), so a factory user cannot even
learn that another factory's reference is in use.
"""

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Replace
from django.http import Http404
from django.utils import timezone

from . import addressing, roles
from .models import Contact, DefectCase, Event, RedirectRequest, Shipment, State
from .references import InvalidCaseReference, InvalidReturnReference, normalize_return_reference, parse_case_reference


def cases_for(user) -> QuerySet[DefectCase]:
    cases = DefectCase.objects.select_related("product", "factory")
    user_roles = roles.roles_of(user)
    if user_roles & roles.PERSONAL_DATA_ROLES:
        return cases
    if roles.FACTORY_QA in user_roles:
        factory_id = roles.factory_id_of(user)
        return cases.filter(factory_id=factory_id) if factory_id else cases.none()
    return cases.none()


def case_for(user, reference: str) -> DefectCase:
    try:
        return cases_for(user).get(reference=(reference or "").strip().upper())
    except DefectCase.DoesNotExist:
        raise Http404("No such case.") from None


def search(cases: QuerySet[DefectCase], user, q: str) -> QuerySet[DefectCase]:
    """Reference for everyone; consumer name, kana and phone only for roles that see personal data."""
    q = (q or "").strip()
    if not q:
        return cases
    condition = Q(reference__icontains=q)
    if roles.sees_personal_data(user):
        condition |= Q(consumer__name__icontains=q) | Q(consumer__name_kana__icontains=q)
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 4:
            # Phones are stored formatted ('092-555-0123'); compare on digits with the hyphens removed too.
            cases = cases.annotate(_phone_key=Replace("consumer__phone", Value("-"), Value("")))
            condition |= Q(consumer__phone__icontains=q) | Q(_phone_key__contains=digits)
    return cases.filter(condition)


def queue_for(user) -> QuerySet[DefectCase]:
    """The cases waiting for this user's role to act, urgent first, oldest first."""
    user_roles = roles.roles_of(user)
    visible = cases_for(user)
    condition = Q(pk__in=[])
    if roles.HOTLINE in user_roles:
        condition |= Q(state=State.RECEIVED)
    if roles.FACTORY_QA in user_roles:
        condition |= Q(state__in=[State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING])
    if roles.QA_MANAGER in user_roles:
        condition |= Q(state=State.REPORT_REVIEW) | Q(factory__isnull=True, state__in=open_states())
    if roles.MAILROOM in user_roles:
        condition |= Q(state__in=[State.AWAITING_RETURN, State.APPROVED, State.REPLACEMENT_SHIPPED])
    return visible.filter(condition).order_by("-urgent", "received_at", "id")


def open_states() -> list[str]:
    return [s for s in State.values if s not in (State.CLOSED, State.WITHDRAWN)]


def overdue_follow_ups(user) -> QuerySet[Contact]:
    """Promises to call back that are late, on cases the user may see."""
    return (
        Contact.objects.filter(case__in=cases_for(user), follow_up_done_at__isnull=True,
                               follow_up_due__lt=timezone.now())
        .select_related("case", "follow_up_owner")
        .order_by("follow_up_due")
    )


# Timeline notes a factory user may read: what the factory and QA write about the sample and the
# report. Every other note (a call's summary, a closing remark, a withdrawal reason, an address
# change ...) is written at the consumer's side and may quote personal data told on the phone,
# so a factory user sees that the line exists (kind, time, who) but not its text.
FACTORY_READABLE_NOTES = frozenset({
    ("transition", "receive_sample"),
    ("transition", "investigate_without_sample"),
    ("transition", "reject_report"),
    ("transition", "approve_report"),
})


def event_note_for(user, event) -> str:
    """The note of a timeline line as this user may read it ('' when it is not theirs to read)."""
    if roles.sees_personal_data(user):
        return event.note
    if event.kind in PERSONAL_DATA_EVENT_KINDS:
        return ""
    return event.note if (event.kind, event.transition) in FACTORY_READABLE_NOTES else ""


# --- routing and the factory's view of a case ------------------------------------------------------

UNROUTED_ROLES = frozenset({roles.QA_MANAGER, roles.HOTLINE, roles.ADMIN})


def unrouted(user) -> QuerySet[DefectCase]:
    """Open cases no factory has yet (lot code not decoded, unknown plant): the QA manager assigns them.

    The QA manager, the hotline and admins see the queue; factory users never do.
    """
    if not roles.roles_of(user) & UNROUTED_ROLES:
        return DefectCase.objects.none()
    return (cases_for(user).filter(factory__isnull=True, state__in=open_states())
            .order_by("-urgent", "received_at", "id"))


# What a factory user may know about a case: never the consumer's name, kana, postal code, address,
# phone or e-mail (those stay at the hotline).
FACTORY_CASE_FIELDS = ("reference", "received_at", "state", "product", "lot_code", "best_before", "store",
                       "purchased_on", "category", "description", "health_effect", "urgent", "factory", "line",
                       "lot_date", "lot_date_kind", "severity", "hazard", "foreign_matter_kind",
                       "undeclared_allergen", "adopted_from")
RELATED_REPORT_FIELDS = ("reference", "state", "category", "received_at")


def related_reports(case: DefectCase, user=None) -> list[dict]:
    """Other reports on the same product and lot (normalized), for the factory's containment check.

    Each is {reference, state, category, received_at}: nothing personal. With `user`, only cases in
    that user's scope are listed (a factory user does not learn another factory's references).
    """
    if not case.lot_key:
        return []
    others = DefectCase.objects.filter(product_id=case.product_id, lot_key=case.lot_key).exclude(pk=case.pk)
    if user is not None:
        others = others.filter(pk__in=cases_for(user).values("pk"))
    return list(others.order_by("received_at", "id").values(*RELATED_REPORT_FIELDS))


# --- parcels ----------------------------------------------------------------------------------

def return_shipment(case) -> Shipment | None:
    return case.shipments.filter(direction=Shipment.Direction.RETURN).order_by("-created_at", "-id").first()


def replacement_shipment(case) -> Shipment | None:
    return case.shipments.filter(direction=Shipment.Direction.REPLACEMENT).order_by("-created_at", "-id").first()


def replacement_lines(case) -> list[dict]:
    """What the replacement parcel holds, for the packing slip and the apology letter:
    [{"kind", "product", "name", "quantity", "coupon_code", "value_yen"}]."""
    shipment = replacement_shipment(case)
    if shipment is None:
        return []
    return [item.as_data() for item in shipment.items.select_related("product")]


def shipments_for(user, case) -> QuerySet[Shipment]:
    """The case's parcels (GET /api/cases/{ref}/shipments/): the case itself must be visible to the user."""
    if not cases_for(user).filter(pk=case.pk).exists():
        raise Http404("No such case.")
    return case.shipments.select_related("case").prefetch_related("items__product", "events").order_by(
        "created_at", "id")


def find_return(user, text: str) -> DefectCase:
    """The case whose return kit carries this reference, as scanned or typed ('ｒ７ｋ３ー…', with or
    without hyphens), among the cases the user may see. Reads only; Http404 for anything else."""
    try:
        reference = normalize_return_reference(text)
    except InvalidReturnReference as error:
        raise Http404(str(error)) from None
    case = (cases_for(user)
            .filter(shipments__direction=Shipment.Direction.RETURN, shipments__reference=reference)
            .first())
    if case is None:
        # Same answer for a reference that does not exist and one of another factory's cases.
        raise Http404("No return parcel has this reference.")
    return case


def _without_spaces(field: str):
    return Replace(Replace(field, Value(" "), Value("")), Value("\u3000"), Value(""))


def match_parcel(user, q: str) -> QuerySet[DefectCase]:
    """Cases a parcel that arrived without its kit may belong to, open cases awaiting return first.

    Everyone may match by return reference or case reference. Roles that see personal data (mail
    room, hotline, QA manager) may also match by the consumer's name or kana (spaces ignored,
    half-width kana read as full-width) or by phone digits (at least four). Factory users never match
    on personal data, so a name search finds nothing for them.
    """
    q = (q or "").strip()
    cases = cases_for(user).filter(state__in=open_states())
    if not q:
        return cases.none()
    condition = Q(pk__in=[])
    try:
        condition |= Q(shipments__direction=Shipment.Direction.RETURN,
                       shipments__reference=normalize_return_reference(q))
    except InvalidReturnReference:
        pass
    try:
        condition |= Q(reference=str(parse_case_reference(q)))
    except InvalidCaseReference:
        pass
    if roles.sees_personal_data(user):
        for normalize, field in ((addressing.normalize_name, "consumer__name"),
                                 (addressing.normalize_kana, "consumer__name_kana")):
            try:
                key = normalize(q).replace(" ", "").replace("\u3000", "")
            except addressing.AddressingError:
                continue
            if key:
                cases = cases.annotate(**{f"_{field}_key": _without_spaces(field)})
                condition |= Q(**{f"_{field}_key__icontains": key})
        try:
            digits = addressing.phone_digits(q)
        except addressing.AddressingError:
            digits = ""
        if len(digits) >= 4:
            cases = cases.annotate(_phone_key=Replace("consumer__phone", Value("-"), Value("")))
            condition |= Q(_phone_key__contains=digits)
    awaiting_first = SqlCase(When(state=State.AWAITING_RETURN, then=Value(0)), default=Value(1),
                             output_field=IntegerField())
    return (cases.filter(condition).distinct().annotate(_awaiting_first=awaiting_first)
            .order_by("_awaiting_first", "received_at", "id"))


def open_redirects(user) -> QuerySet[RedirectRequest]:
    """Redirect requests nobody has marked done yet, on cases the user may see, the most urgent first.
    They hold the new address, so only roles that see personal data get any."""
    if not roles.sees_personal_data(user):
        return RedirectRequest.objects.none()
    return (RedirectRequest.objects.filter(case__in=cases_for(user), done_at__isnull=True)
            .select_related("case", "shipment", "owner").order_by("due_at", "id"))


# Event kinds whose note and data hold personal data (old and new address): hidden from factory users.
PERSONAL_DATA_EVENT_KINDS = frozenset({Event.Kind.ADDRESS_CHANGE})


def event_data_for(user, event: Event) -> dict:
    """The event's data as this user may see it. Every timeline view (page, API) must read event data
    and notes through this (or event_note_for): an address change shows factory users only that the
    address changed, never the old or new one."""
    if event.kind in PERSONAL_DATA_EVENT_KINDS and not roles.sees_personal_data(user):
        return {"changed": list(event.data.get("changed", []))} if isinstance(event.data, dict) else {}
    return event.data


def late_returns(user) -> QuerySet[Shipment]:
    """Return parcels past their expected date on cases still waiting for them: the hotline calls."""
    if not roles.sees_personal_data(user):
        return Shipment.objects.none()
    return (Shipment.objects.filter(case__in=cases_for(user), direction=Shipment.Direction.RETURN,
                                    status=Shipment.Status.EXPECTED, received_at__isnull=True,
                                    expected_by__lt=timezone.localdate(), case__state=State.AWAITING_RETURN)
            .select_related("case").order_by("expected_by", "id"))
