"""Which cases a user may see: the one place that decides it. Every page and API view starts here.

A case outside the user's scope does not exist for them (404), so a factory user cannot even
learn that another factory's reference is in use.
"""

import operator
import re
from functools import reduce

from django.db.models import Case as SqlCase
from django.db.models import BooleanField, Expression, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from factories.lots import LotError, normalize_lot_code
from factories.models import Product

from . import personal_data, roles
from . import search as keys
from .models import ConsumerAddressHistory, Contact, DefectCase, Event, RedirectRequest, Shipment, State
from .references import InvalidCaseReference, InvalidReturnReference, normalize_return_reference, parse_case_reference


def cases_for(user) -> QuerySet[DefectCase]:
    cases = DefectCase.objects.select_related("product", "factory", "owner")
    user_roles = roles.roles_of(user)
    if user_roles & roles.PERSONAL_DATA_ROLES:
        return cases
    if roles.FACTORY_QA in user_roles:
        factory_id = roles.factory_id_of(user)
        return cases.filter(factory_id=factory_id) if factory_id else cases.none()
    return cases.none()


def scoped(rows: QuerySet, user, case_path: str = "case") -> QuerySet:
    """Rows hanging off a case (contacts, parcels, countermeasures), limited to the cases the user may
    see, by the same rule as cases_for, written as a plain filter (no `case IN (all cases)` subquery,
    which PostgreSQL would answer by reading every case)."""
    user_roles = roles.roles_of(user)
    if user_roles & roles.PERSONAL_DATA_ROLES:
        return rows
    if roles.FACTORY_QA in user_roles:
        factory_id = roles.factory_id_of(user)
        return rows.filter(**{f"{case_path}__factory_id": factory_id}) if factory_id else rows.none()
    return rows.none()


def case_for(user, reference: str) -> DefectCase:
    try:
        return cases_for(user).get(reference=(reference or "").strip().upper())
    except DefectCase.DoesNotExist:
        raise Http404("No such case.") from None


def search(cases: QuerySet[DefectCase], user, q: str) -> QuerySet[DefectCase]:
    """Cases matching `q` however it was typed (defects.search normalises keys and query alike).

    Everyone: the case reference (any width or case, with or without hyphens), the return reference
    (with or without hyphens), the product's code or name, the lot code. Roles that see personal data
    also: the consumer's name, kana, e-mail, address, and phone by any 4 or more consecutive digits.
    Factory users' queries never touch the consumer's columns.

    Every match is an index lookup on PostgreSQL (EXPLAIN in tests/api/test_search_indexes.py): a
    whole reference by its unique index; the keys by their trigram indexes (migration 0016), one
    table at a time (see matching_ids). One or two characters are too short for a trigram, and as a
    substring of addresses they would match nearly everything: they match a name or kana at its
    start or end (a family name '山田' or a given name '紫苑'), a lot code whole, a product's name.
    """
    key = keys.normalise(q)
    if not key:
        return cases
    exact = exact_reference_filter(q)
    if exact is not None:
        # A whole case or return reference, as read off a letter or a parcel: one index lookup.
        return cases.filter(exact)
    # (A return reference is only ever matched whole, above: a part of one is not a search.)
    return cases.filter(IdIn(matching_ids(
        case_condition=_case_condition(q, key),
        consumer_condition=_consumer_condition(q, key) if roles.sees_personal_data(user) else None,
    )))


# pg_trgm serves `LIKE '%q%'` from 3 characters; `LIKE 'q%'` from 1 and `LIKE '%q'` from 2.
TRIGRAM = 3
_REFERENCE_PART_RE = re.compile(r"d?[0-9]+", re.ASCII)


def _name_match(field: str, key: str) -> Q:
    """The key anywhere in the name from 3 characters; a shorter one at its start or end."""
    if len(key) >= TRIGRAM:
        return Q(**{f"{field}__contains": key})
    if len(key) == 2:
        return Q(**{f"{field}__startswith": key}) | Q(**{f"{field}__endswith": key})
    return Q(**{f"{field}__startswith": key})


def _case_condition(q: str, key: str) -> Q | None:
    """Conditions on the case's own columns (reference, lot, product), OR-ed on one table; None when
    q cannot match any (then the UNION has one select less, see IdIn)."""
    conditions = []
    reference_key = keys.compact(q)
    # Only a piece of 'd2026000123' (format_case_reference, compacted) can be in a reference.
    if len(reference_key) >= TRIGRAM and _REFERENCE_PART_RE.fullmatch(reference_key):
        conditions.append(Q(reference_key__contains=reference_key))
    try:
        lot_key = normalize_lot_code(q)
    except LotError:
        pass
    else:
        # A lot code always carries a letter or a digit; a query of kana alone is a name. Searching
        # the lot column for it would turn a common kana name into a UNION that fetches every match.
        if any(c.isascii() and c.isalnum() for c in lot_key):
            conditions.append(Q(lot_key__contains=lot_key) if len(lot_key) >= TRIGRAM else Q(lot_key=lot_key))
    # Products are master data (a few hundred rows): matched here, then by id.
    products = [pk for pk, code, name in Product.objects.values_list("pk", "code", "name")
                if key in keys.normalise(code) or key in keys.normalise(name)]
    if products:
        conditions.append(Q(product_id__in=products))
    return reduce(operator.or_, conditions) if conditions else None


def _consumer_condition(q: str, key: str) -> Q:
    """Conditions on the consumer's keys, OR-ed on one table."""
    condition = _name_match("name_key", key) | _name_match("kana_key", key)
    if len(key) >= TRIGRAM:
        condition |= Q(address_key__contains=key) | Q(email_key__contains=key)
    if keys.is_phone_like(q):
        condition |= Q(phone_digits__contains=keys.digits(q))
    return condition


class IdIn(Expression):
    """`id IN (matching_ids)`; on PostgreSQL, a UNION is written `id = ANY(ARRAY(union))`.

    One select (a name, a kana, an e-mail: only the consumer's table) stays a semi-join, which
    PostgreSQL runs either way: by the trigram index when few cases match, or, for a common family
    name matching thousands, by walking the newest cases and probing each one's consumer until the
    page is full (100,000 cases: '岡田' in 4 ms, where fetching all 1,700 matches took 80 ms or more).
    A UNION cannot be probed that way, and as a join PostgreSQL hash-joined it against the whole case
    table (a kana matching 3,300 cases: 175 ms); as an array it runs once, by its indexes, and the
    cases are fetched by primary key (40 ms)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, ids):
        super().__init__(output_field=BooleanField())
        self.id, self.ids = F("pk"), Subquery(ids)

    def get_source_expressions(self):
        return [self.id, self.ids]

    def set_source_expressions(self, exprs):
        self.id, self.ids = exprs

    def as_sql(self, compiler, connection):
        id_sql, id_params = compiler.compile(self.id)
        ids_sql, ids_params = compiler.compile(self.ids)
        if connection.vendor == "postgresql" and self.ids.query.combinator:
            return f"{id_sql} = ANY(ARRAY{ids_sql})", (*id_params, *ids_params)
        return f"{id_sql} IN {ids_sql}", (*id_params, *ids_params)


def matching_ids(*, case_condition: Q | None = None, consumer_condition: Q | None = None,
                 return_reference: str | None = None):
    """The ids of the cases matching any of the conditions, as one subquery: a UNION of one select per
    table. An OR across a join (`case.reference_key LIKE .. OR consumer.name_key LIKE ..`) cannot use
    an index on either side, so PostgreSQL would read both tables whole; each select here ORs
    conditions on its own table only, which a BitmapOr of index scans answers."""
    from .models import Consumer

    selects = []
    if case_condition is not None:
        selects.append(DefectCase.objects.filter(case_condition).order_by().values("pk"))
    if consumer_condition is not None:
        selects.append(Consumer.objects.filter(consumer_condition).order_by().values("case_id"))
    if return_reference is not None:
        selects.append(Shipment.objects.filter(direction=Shipment.Direction.RETURN, reference=return_reference)
                       .order_by().values("case_id"))
    if not selects:
        return DefectCase.objects.none().values("pk")
    first, *rest = selects
    return first.union(*rest) if rest else first


def exact_reference_filter(q: str) -> Q | None:
    """Q for the case a complete case reference ('D-2026-000123', 'ｄ２０２６０００１２３') or return
    reference ('R7K3-M9QX-25') names; None when q is neither (then the text search runs)."""
    try:
        return Q(reference=str(parse_case_reference(q)))
    except InvalidCaseReference:
        pass
    try:
        return Q(pk__in=Shipment.objects.filter(reference=normalize_return_reference(q)).values("case_id"))
    except InvalidReturnReference:
        return None


def open_states() -> list[str]:
    return [s for s in State.values if s not in (State.CLOSED, State.WITHDRAWN)]


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
    """The note of a timeline line as this user may read it ('' when it is not theirs to read).

    A contact's line shows the contact's summary (kept apart from the timeline, see ContactSummary;
    load the events with select_related("contact__summary_row")). Notes a factory user may read are
    masked for them (text_for): staff may have typed the consumer's name or phone into a comment."""
    if roles.sees_personal_data(user):
        if event.kind == Event.Kind.CONTACT and event.contact_id and not event.note:
            return event.contact.summary
        return event.note
    if event.kind in PERSONAL_DATA_EVENT_KINDS:
        return ""
    if (event.kind, event.transition) in FACTORY_READABLE_NOTES:
        return text_for(user, event.case, event.note)
    return ""


# Free text on the case that factory users read and that staff (the hotline, the mail room, the QA
# manager) may have written: masked for factory readers.
FACTORY_FREE_TEXT_FIELDS = ("description", "store", "sample_condition", "no_sample_reason")


def text_for(user, case, text: str) -> str:
    """Free text about `case` as this user may read it: whole for the roles that see personal data;
    for everyone else the consumer's name, kana, phone, e-mail and address (and any phone number or
    e-mail address) found in it are masked (●●●). The one place masking happens (the privacy app
    registers the masker, defects.personal_data). Select the case with its consumer
    (select_related("consumer")) when masking a list."""
    if not text or roles.sees_personal_data(user):
        return text
    return personal_data.mask(case, text)


def case_texts_for(user, case) -> dict[str, str]:
    """The case's factory-visible free text fields as this user may read them (for pages)."""
    return {name: text_for(user, case, getattr(case, name)) for name in FACTORY_FREE_TEXT_FIELDS}


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
                       "undeclared_allergen", "adopted_from",
                       # Staff facts, not the consumer's: who has the case, and whose move it is.
                       "owner", "waiting_on")
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
    return_reference = case_condition = consumer_condition = None
    try:
        return_reference = normalize_return_reference(q)
    except InvalidReturnReference:
        pass
    try:
        case_condition = Q(reference=str(parse_case_reference(q)))
    except InvalidCaseReference:
        pass
    if roles.sees_personal_data(user):
        # One select per table (matching_ids), so that each is an index lookup on PostgreSQL.
        key = keys.normalise(q)
        if key:
            consumer_condition = _name_match("name_key", key) | _name_match("kana_key", key)
            if keys.is_phone_like(q):
                consumer_condition |= Q(phone_digits__contains=keys.digits(q))
    ids = matching_ids(case_condition=case_condition, consumer_condition=consumer_condition,
                       return_reference=return_reference)
    awaiting_first = SqlCase(When(state=State.AWAITING_RETURN, then=Value(0)), default=Value(1),
                             output_field=IntegerField())
    return (cases.filter(IdIn(ids)).annotate(_awaiting_first=awaiting_first)
            .order_by("_awaiting_first", "received_at", "id"))


def open_redirects(user) -> QuerySet[RedirectRequest]:
    """Redirect requests nobody has marked done yet, on cases the user may see, the most urgent first.
    They hold the new address, so only roles that see personal data get any."""
    if not roles.sees_personal_data(user):
        return RedirectRequest.objects.none()
    return (scoped(RedirectRequest.objects.filter(done_at__isnull=True), user)
            .select_related("case", "shipment", "owner").order_by("due_at", "id"))


# Event kinds whose note and data hold personal data (old and new address): hidden from factory users.
PERSONAL_DATA_EVENT_KINDS = frozenset({Event.Kind.ADDRESS_CHANGE})


def event_data_for(user, event: Event) -> dict:
    """The event's data as this user may see it. Every timeline view (page, API) must read event data
    and notes through this (or event_note_for): an address change shows factory users only that the
    address changed, never the old or new one. For the roles that see personal data, the old and new
    values come from the ConsumerAddressHistory row the event points at (data["history"]); load them
    for a whole timeline at once with attach_address_history(events)."""
    if event.kind in PERSONAL_DATA_EVENT_KINDS and not roles.sees_personal_data(user):
        return {"changed": list(event.data.get("changed", []))} if isinstance(event.data, dict) else {}
    if event.kind == Event.Kind.ADDRESS_CHANGE and isinstance(event.data, dict) and event.data.get("history"):
        if not hasattr(event, "_address_history"):
            attach_address_history([event])
        history = event._address_history
        return {**event.data, "old": history.old if history else {}, "new": history.new if history else {},
                "erased": bool(history and history.erased_at)}
    return event.data


def attach_address_history(events) -> None:
    """Load the history rows the timeline's address changes point at, in one query."""
    wanted = {e.data.get("history") for e in events
              if e.kind == Event.Kind.ADDRESS_CHANGE and isinstance(e.data, dict) and e.data.get("history")}
    rows = ConsumerAddressHistory.objects.in_bulk(list(wanted)) if wanted else {}
    for event in events:
        if event.kind == Event.Kind.ADDRESS_CHANGE and isinstance(event.data, dict):
            event._address_history = rows.get(event.data.get("history"))


def late_returns(user) -> QuerySet[Shipment]:
    """Return parcels past their expected date on cases still waiting for them: the hotline calls."""
    if not roles.sees_personal_data(user):
        return Shipment.objects.none()
    return (scoped(Shipment.objects.filter(direction=Shipment.Direction.RETURN, status=Shipment.Status.EXPECTED,
                                            received_at__isnull=True, expected_by__lt=timezone.localdate(),
                                            case__state=State.AWAITING_RETURN), user)
            .select_related("case").order_by("expected_by", "id"))


# --- who owes what: waiting_on and the case header ------------------------------------------------

WAITING_ON = ("hotline", "consumer", "factory", "qa_manager", "mailroom", "nobody")


def _promise_due_q(now=None):
    """Open promises (follow-ups not done) due by now."""
    return Q(follow_up_due__isnull=False, follow_up_done_at__isnull=True, follow_up_due__lte=now or timezone.now())


def with_waiting_facts(cases: QuerySet[DefectCase]) -> QuerySet[DefectCase]:
    """Annotate what waiting_on reads besides the state, so a list computes it without a query per row."""
    from django.db.models import Exists, OuterRef

    return cases.annotate(
        _promise_due=Exists(Contact.objects.filter(_promise_due_q(), case=OuterRef("pk"))),
        _replacement_delivered=Exists(Shipment.objects.filter(
            case=OuterRef("pk"), direction=Shipment.Direction.REPLACEMENT, status=Shipment.Status.DELIVERED)),
    )


def waiting_on(case: DefectCase) -> str:
    """Whose move it is: hotline, consumer, factory, qa_manager, mailroom or nobody.

    From the stage, refined by what is pending:
    - closed or withdrawn: nobody;
    - a promise to the consumer that is due (follow-up not done, due time passed): the hotline, whatever
      the stage, because the consumer is waiting for our call now;
    - received: hotline (first notice, ask for the product back);
    - awaiting_return: the consumer (the product is on its way back to us);
    - sample_received, investigating: the factory (the QA manager while no factory has the case);
    - report_review: the QA manager;
    - approved: the mail room (letters to print, the replacement parcel to send);
    - replacement_shipped: the mail room until the parcel is delivered (they track it and record the
      delivery), then the hotline (confirm with the consumer and close).
    With selectors.with_waiting_facts the two lookups are read from annotations (no query).
    """
    if case.state in (State.CLOSED, State.WITHDRAWN):
        return "nobody"
    if case.state == State.RECEIVED:
        return "hotline"  # with or without a promise due: no need to ask (a new case's answer)
    promise_due = getattr(case, "_promise_due", None)
    if promise_due is None:
        promise_due = case.contacts.filter(_promise_due_q()).exists()
    if promise_due:
        return "hotline"
    if case.state == State.AWAITING_RETURN:
        return "consumer"
    if case.state in (State.SAMPLE_RECEIVED, State.INVESTIGATING):
        return "factory" if case.factory_id else "qa_manager"
    if case.state == State.REPORT_REVIEW:
        return "qa_manager"
    if case.state == State.APPROVED:
        return "mailroom"
    delivered = getattr(case, "_replacement_delivered", None)
    if delivered is None:
        delivered = case.shipments.filter(direction=Shipment.Direction.REPLACEMENT,
                                          status=Shipment.Status.DELIVERED).exists()
    return "hotline" if delivered else "mailroom"


def next_promise(case: DefectCase) -> Contact | None:
    """The open promise to the consumer that falls due first (overdue ones included)."""
    return (case.contacts.filter(follow_up_due__isnull=False, follow_up_done_at__isnull=True)
            .select_related("follow_up_owner").order_by("follow_up_due", "id").first())
