"""Queues of work that can be done now, per role, each with a count and a keyset-paginated full list.

A queue is a filter the user's role can act on today (not "every case in a stage"): the hotline's new
cases, urgent cases, promises due today or overdue, replacements delivered but not closed; the mail
room's letters ready to print, parcels to ship, returns the carrier reported but nobody scanned; the
factory's samples that arrived, investigations (reports sent back marked so, with the manager's
comment), countermeasures due; the QA manager's reports to review, unrouted cases, urgent cases.

Every list is O(page size): rows come ordered by (key, id) and the next page starts after the last
row's (key, id) (keyset, never OFFSET), each filter has an index (migration 0009_queue_indexes),
counts are capped (COUNT over at most COUNT_CAP + 1 rows) and rows are fetched with what they show
(select_related / annotations), never a query per row.
"""

import datetime
from dataclasses import dataclass
from typing import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from factories.models import Countermeasure, InvestigationVersion

from . import personal_data, roles, selectors
from .models import Contact, DefectCase, Shipment, State

COUNT_CAP = 999
HOME_ROWS = 10
PAGE_SIZE = 50
# Countermeasures "due" are those whose due date is within this many days, or past.
COUNTERMEASURE_HORIZON_DAYS = 7


@dataclass(frozen=True)
class Queue:
    name: str
    title: str
    help: str
    roles: tuple
    row: str  # what a row is: case, promise, return, countermeasure
    rows: Callable  # (user) -> QuerySet ordered by (key, id)
    key: str  # the ordering field used for the keyset


def _end_of_today():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


def _cases(user, condition) -> QuerySet[DefectCase]:
    return selectors.with_waiting_facts(selectors.cases_for(user).filter(condition)).order_by("received_at", "id")


def new_cases(user):
    return _cases(user, Q(state=State.RECEIVED))


def urgent_cases(user):
    return _cases(user, Q(urgent=True, state__in=selectors.open_states()))


def promises_due(user):
    """Open promises to the consumer due before the end of today (Asia/Tokyo), overdue ones first."""
    if not roles.sees_personal_data(user):
        return Contact.objects.none()
    return (selectors.scoped(Contact.objects.filter(follow_up_done_at__isnull=True, follow_up_due__isnull=False,
                                                    follow_up_due__lt=_end_of_today()), user)
            .select_related("case", "follow_up_owner", "summary_row").order_by("follow_up_due", "id"))


def delivered_not_closed(user):
    delivered = Shipment.objects.filter(case=OuterRef("pk"), direction=Shipment.Direction.REPLACEMENT,
                                        status=Shipment.Status.DELIVERED)
    return _cases(user, Q(state=State.REPLACEMENT_SHIPPED) & Q(Exists(delivered)))


def parcels_to_ship(user):
    return _cases(user, Q(state=State.APPROVED))


def returns_not_scanned(user):
    """Return parcels the carrier has reported on their way in (or arrived) that nobody has scanned yet:
    work the mail room can do now. Not every case awaiting a return: most of those are still at the
    consumer's home."""
    if not roles.has_role(user, roles.MAILROOM, roles.ADMIN, roles.HOTLINE, roles.QA_MANAGER):
        return Shipment.objects.none()
    return (selectors.scoped(Shipment.objects.filter(direction=Shipment.Direction.RETURN,
                                                     status=Shipment.Status.IN_TRANSIT, received_at__isnull=True,
                                                     case__state=State.AWAITING_RETURN), user)
            .select_related("case", "case__product").order_by("created_at", "id"))


def samples_arrived(user):
    return _cases(user, Q(state=State.SAMPLE_RECEIVED))


def investigations(user):
    """Investigations under way; a report the QA manager sent back carries the manager's comment."""
    latest = InvestigationVersion.objects.filter(investigation__case=OuterRef("pk")).order_by("-number")
    return _cases(user, Q(state=State.INVESTIGATING)).annotate(
        last_decision=Subquery(latest.values("decision")[:1]),
        last_comment=Subquery(latest.values("decision_comment")[:1]),
    )


def countermeasures_due(user):
    horizon = timezone.localdate() + datetime.timedelta(days=COUNTERMEASURE_HORIZON_DAYS)
    return (selectors.scoped(Countermeasure.objects.filter(done_date__isnull=True, due_date__isnull=False,
                                                           due_date__lte=horizon), user, "investigation__case")
            .select_related("investigation__case").order_by("due_date", "id"))


def reports_to_review(user):
    return _cases(user, Q(state=State.REPORT_REVIEW))


def unrouted(user):
    return _cases(user, Q(factory__isnull=True, state__in=selectors.open_states()))


def late_returns(user):
    return selectors.late_returns(user)


QUEUES = {q.name: q for q in [
    Queue("new", _("New cases"), _("Cases waiting for the first step: the first notice and the return."),
          (roles.HOTLINE,), "case", new_cases, "received_at"),
    Queue("urgent", _("Urgent cases"), _("Illness, injury or raised by staff, in any open stage."),
          (roles.HOTLINE, roles.QA_MANAGER), "case", urgent_cases, "received_at"),
    Queue("promises", _("Promises due today or overdue"),
          _("Call-backs promised to the consumer. Call, then log the contact."),
          (roles.HOTLINE,), "promise", promises_due, "follow_up_due"),
    Queue("late_returns", _("Return parcels that did not arrive"),
          _("The product was expected back by now. Call the consumer, or investigate without the sample."),
          (roles.HOTLINE,), "return", late_returns, "expected_by"),
    Queue("delivered", _("Replacements delivered, case not closed"),
          _("The consumer has the replacement: confirm with them and close."),
          (roles.HOTLINE,), "case", delivered_not_closed, "received_at"),
    Queue("to_ship", _("Parcels to ship"), _("Approved cases: the replacement, the apology letter and the "
                                             "packing slip go out."),
          (roles.MAILROOM,), "case", parcels_to_ship, "received_at"),
    Queue("returns_in", _("Returns reported by the carrier, not scanned"),
          _("The carrier has the parcel on its way to us: scan it when it lands."),
          (roles.MAILROOM,), "return", returns_not_scanned, "created_at"),
    Queue("samples", _("Samples arrived"), _("Returned products at your plant: start the investigation."),
          (roles.FACTORY_QA,), "case", samples_arrived, "received_at"),
    Queue("investigations", _("Investigations"),
          _("Reports being written; one sent back by the QA manager is marked so, with the comment."),
          (roles.FACTORY_QA,), "case", investigations, "received_at"),
    Queue("countermeasures", _("Countermeasures due"),
          _("Actions not done whose due date is within a week or past."),
          (roles.FACTORY_QA,), "countermeasure", countermeasures_due, "due_date"),
    Queue("review", _("Reports to review"), _("Reports the factories submitted: approve or send back."),
          (roles.QA_MANAGER,), "case", reports_to_review, "received_at"),
    Queue("unrouted", _("Unrouted cases"), _("No factory yet: assign one."),
          (roles.QA_MANAGER,), "case", unrouted, "received_at"),
]}

# The order queues appear in on the home page, per role.
ROLE_QUEUES = {
    roles.HOTLINE: ("urgent", "promises", "new", "late_returns", "delivered"),
    roles.MAILROOM: ("to_ship", "returns_in"),
    roles.FACTORY_QA: ("samples", "investigations", "countermeasures"),
    roles.QA_MANAGER: ("urgent", "review", "unrouted"),
}


def queues_for(user) -> list[Queue]:
    user_roles = roles.roles_of(user)
    names = []
    for role, queue_names in ROLE_QUEUES.items():
        if role in user_roles:
            names += [n for n in queue_names if n not in names]
    return [QUEUES[n] for n in names]


# ?ordering=due: a queue of cases sorted by the nearest due time of their clocks (as the case list).
DUE = "due"


def sorts_by_due(queue: Queue) -> bool:
    """Whether the queue offers the due ordering: its rows are cases and the clocks are installed. The
    other queues are in due order already (promise due, return expected by, countermeasure due date)
    or have no due time (returns reported by the carrier)."""
    from . import keyset

    return queue.row == "case" and keyset.due_ordering_available()


def ordering_of(queue: Queue, requested: str | None) -> str:
    """The ordering to honour: 'due' when asked for and offered, else '' (the queue's own)."""
    return DUE if requested == DUE and sorts_by_due(queue) else ""


def ordered_rows(queue: Queue, user, ordering: str = "") -> tuple[QuerySet, str]:
    """(rows, key): rows ordered by (key, id) for the queue's own order; for the due order the rows
    unordered and the key DUE, paged by due_order (running clocks first, then the rest)."""
    rows = queue.rows(user)
    if ordering == DUE and sorts_by_due(queue):
        return rows, DUE
    return rows, queue.key


def first_rows(rows: QuerySet, key: str, n: int) -> list:
    """The first n rows in the queue's order (the home page's few)."""
    if key == DUE:
        from . import due_order

        return due_order.rows_after(rows, None, n)
    return list(rows[:n])


def may_see(user, queue: Queue) -> bool:
    return bool(roles.roles_of(user) & set(queue.roles))


def capped_count(rows: QuerySet) -> tuple[int, bool]:
    """(count, capped): COUNT over at most COUNT_CAP + 1 rows, so a huge queue costs no more than a full one."""
    n = rows.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


# --- keyset pagination --------------------------------------------------------------------------

def cursor_of(obj, key: str) -> str:
    value = getattr(obj, key)
    return f"{value.isoformat()}~{obj.pk}"


def _parse_cursor(cursor: str):
    value, sep, pk = (cursor or "").rpartition("~")
    if not sep or not pk.isdigit():
        return None
    parsed = parse_datetime(value) if "T" in value else parse_date(value)
    return (parsed, int(pk)) if parsed else None


def page(rows: QuerySet, key: str, after: str = "", size: int | None = None) -> tuple[list, str]:
    """One page of `rows` (ordered by (key, id)) after the cursor; (rows, next cursor or '')."""
    # PAGE_SIZE read now, not bound as a default when the module loaded (tests set it smaller).
    size = size or PAGE_SIZE
    if key == DUE:
        from . import due_order

        found = due_order.rows_after(rows, after, size + 1)
        more = len(found) > size
        found = found[:size]
        return found, (due_order.encode(found[-1].due_segment, found[-1]) if more and found else "")
    parsed = _parse_cursor(after) if after else None
    if parsed:
        value, pk = parsed
        rows = rows.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    return found, (cursor_of(found[-1], key) if more and found else "")


def prepare(queue: Queue, rows: list, user) -> list:
    """What rows show beyond their fields: waiting_on for cases (from the annotations, no query).
    A promise row quotes what the consumer said (the contact's summary): who was shown it is logged."""
    if queue.row == "case":
        for case in rows:
            case.waiting = selectors.waiting_on(case)
            # Sorted by due time: the time itself, from the annotation (None: no clock running).
            case.next_due = case.next_due_at
    elif queue.row == "promise":
        personal_data.accessed(user, [contact.case for contact in rows], "contacts")
    return rows
