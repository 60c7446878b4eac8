"""Which cases a user may see: the one place that decides it. Every page and API view starts here.

A case outside the user's scope does not exist for them (404), so a factory user cannot even
learn that another factory's reference is in use.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from . import roles
from .models import Contact, DefectCase, State


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
            # Phones are stored as typed (with hyphens); compare on digits by trying both forms.
            condition |= Q(consumer__phone__icontains=q) | Q(consumer__phone__icontains=digits)
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
    if roles.sees_personal_data(user) or (event.kind, event.transition) in FACTORY_READABLE_NOTES:
        return event.note
    return ""


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
                       "lot_date", "lot_date_kind")
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
