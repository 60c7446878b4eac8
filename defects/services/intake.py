"""Opening a case (reference, routing) and logging contacts with the consumer and their promises."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from factories.lots import LotError, normalize_lot_code
from factories.routing import Routing, route

from .. import roles
from ..models import Consumer, Contact, DefectCase, Event, ReferenceCounter
from ..timeline import record as _log
from ..timeline import record_many as _log_many
from ..references import format_case_reference
from ._base import TransitionConflict


def _next_reference(year: int) -> str:
    """The year's next case number: unique, never reused (an intake rolled back leaves a gap).

    PostgreSQL: a sequence per year (`defects_case_number_2026`), created by the year's first
    intake. nextval() takes no lock, so concurrent intakes no longer queue behind the counter row
    from their first insert to their commit (bench/intake.py measures it). Elsewhere (SQLite, one
    writer at a time anyway): one upsert on the year's ReferenceCounter row."""
    if connection.vendor == "postgresql":
        return format_case_reference(year, _sequence_next(year))
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last", [year])
        number = cursor.fetchone()[0]
    return format_case_reference(year, number)


SEQUENCE_PREFIX = "defects_case_number_"
_SEQUENCE_LOCK = 0x48_49_54_4F  # pg_advisory_xact_lock(class, year): the year's sequence is being made


def _sequence_name(year: int) -> str:
    return f"{SEQUENCE_PREFIX}{int(year)}"


def _sequence_next(year: int) -> int:
    name = _sequence_name(year)
    with connection.cursor() as cursor:
        # One round trip; NULL (not an error, which would break the transaction) when the year has
        # no sequence yet. The text->regclass cast is resolved when the CASE reaches it.
        cursor.execute("SELECT CASE WHEN to_regclass(%s) IS NULL THEN NULL ELSE nextval(%s::text::regclass) END",
                       [name, name])
        number = cursor.fetchone()[0]
        if number is None:
            # The year's first case: one intake makes the sequence (the others wait for its commit
            # on the lock), starting after every number the counter or a stored case already has.
            # Made in the intake's transaction: rolled back with it, made again by the next one.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_SEQUENCE_LOCK, int(year)])
            # IF NOT EXISTS, not a to_regclass() check: an advisory lock does not make this backend
            # read the catalog changes of the intake that made the sequence while we waited, so
            # to_regclass() could still say NULL and CREATE SEQUENCE then failed with "already
            # exists" (a 500 for every first intake of the year but one, seen in bench/scale.py).
            # CREATE takes the schema's lock, which does refresh the catalog, and skips.
            start = _last_number_used(year) + 1
            cursor.execute(
                f"CREATE SEQUENCE IF NOT EXISTS {connection.ops.quote_name(name)} START WITH {int(start)}")
            cursor.execute("SELECT nextval(%s::text::regclass)", [name])
            number = cursor.fetchone()[0]
    return number


def _last_number_used(year: int) -> int:
    from django.db.models import BigIntegerField, Max
    from django.db.models.functions import Cast, Substr

    counted = ReferenceCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    prefix = format_case_reference(year, 1)[:-6]  # 'D-2026-'
    stored = (DefectCase.objects.filter(reference__startswith=prefix)
              .aggregate(m=Max(Cast(Substr("reference", len(prefix) + 1), BigIntegerField())))["m"] or 0)
    return max(counted, stored)


def last_reference_numbers() -> dict[int, int]:
    """{year: last number handed out by the year's sequence} (PostgreSQL; {} elsewhere): what
    seed_volume must number after, besides the counters."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                       "WHERE schemaname = current_schema() AND sequencename LIKE %s",
                       [SEQUENCE_PREFIX.replace("_", r"\_") + "%"])
        rows = cursor.fetchall()
    return {int(name[len(SEQUENCE_PREFIX):]): last or 0 for name, last in rows
            if name[len(SEQUENCE_PREFIX):].isdigit()}


def sync_reference_sequences(counters: dict[int, int]) -> None:
    """After numbers were written without the sequence (seed_volume): each existing year sequence
    goes on after them. A year without a sequence needs nothing (it starts after the counter)."""
    if connection.vendor != "postgresql":
        return
    have = last_reference_numbers()
    with connection.cursor() as cursor:
        for year, last in counters.items():
            if int(year) in have and last > have[int(year)]:
                cursor.execute("SELECT setval(%s::text::regclass, %s)", [_sequence_name(year), int(last)])


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
            hazard=cleaned.get("hazard") or "none",
            foreign_matter_kind=cleaned.get("foreign_matter_kind") or "",
            undeclared_allergen=bool(cleaned.get("undeclared_allergen")),
            factory=routing.factory,
            line=routing.line,
            lot_date=routing.date,
            lot_date_kind=routing.date_kind,
            routing_note=routing.note,
            lot_key=_lot_key(cleaned.get("lot_code")),
            created_by=by,
        )
        from .. import extensions

        for fill in extensions.CASE_INTAKE:  # e.g. safety's severity, before the first save
            fill(case)
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
            email_updates=bool(cleaned.get("consumer_email_updates")),
        )
        # The intake call itself is the first contact with the consumer: what they told us, when, how.
        contact = Contact.objects.create(
            case=case, by=by, at=received_at, channel=INTAKE_CONTACT_CHANNEL.get(case.channel, Contact.Channel.PHONE),
            direction=Contact.Direction.INBOUND, summary=case.description,
        )
        # The case's first two timeline lines (and their outbox rows) in one INSERT each, in this order.
        actor = by if by is not None and by.is_authenticated else None
        _log_many([
            Event(case=case, actor=actor, kind=Event.Kind.CREATED, to_state=case.state,
                  data={"channel": case.channel, "urgent": case.urgent, "severity": case.severity,
                        "factory": case.factory.code if case.factory else None}),
            Event(case=case, actor=actor, kind=Event.Kind.CONTACT, note=contact.summary, contact=contact,
                  data={"channel": contact.channel, "direction": contact.direction, "intake": True}),
        ])
    return case


# How the consumer reached us (the case's channel) as a contact's channel: a mobile call is a call.
INTAKE_CONTACT_CHANNEL = {"phone": Contact.Channel.PHONE, "mobile": Contact.Channel.PHONE,
                          "email": Contact.Channel.EMAIL, "web": Contact.Channel.WEB,
                          "letter": Contact.Channel.LETTER}


def _route(cleaned: dict):
    """An explicit factory from the intake form wins; otherwise the lot code routes the case."""
    routing = route(cleaned["product"], cleaned.get("lot_code") or "")
    chosen = cleaned.get("factory")
    if chosen and chosen != routing.factory:
        # The date read from the code still holds; the line belongs to the routed factory only.
        note = _("Factory %(code)s chosen at intake.") % {"code": chosen.code}
        return Routing(factory=chosen, line=None, date=routing.date, date_kind=routing.date_kind,
                       note=f"{note} {routing.note}".strip())
    return routing


def _lot_key(lot_code) -> str:
    try:
        return normalize_lot_code(lot_code or "")[:64] if lot_code else ""
    except LotError:
        return ""


def log_contact(case, by, cleaned: dict) -> Contact:
    """A contact is never rewritten (the database refuses, on PostgreSQL): a mistake is put right by a new
    contact with `corrects` = the contact it corrects, which must be one of the same case's."""
    corrects = cleaned.get("corrects")
    with transaction.atomic():
        if corrects is not None:
            corrects_id = getattr(corrects, "pk", corrects)
            corrects = Contact.objects.filter(case=case, pk=corrects_id).first()
            if corrects is None:
                raise ValidationError({"corrects": [_("Choose a contact of this case to correct.")]})
        contact = Contact.objects.create(
            case=case, by=by, channel=cleaned["channel"], direction=cleaned["direction"], summary=cleaned["summary"],
            follow_up_due=cleaned.get("follow_up_due"), follow_up_owner=cleaned.get("follow_up_owner"),
            corrects=corrects,
        )
        data = {"channel": contact.channel, "direction": contact.direction}
        if corrects is not None:
            data["corrects"] = corrects.pk
        if contact.follow_up_due:
            data.update(follow_up_due=contact.follow_up_due.isoformat(), follow_up_owner=contact.follow_up_owner.username)
        # The event points at the contact and does not quote its summary: what the consumer said is
        # personal data (ContactSummary, erasable); the timeline row is append-only.
        _log(case, by, Event.Kind.CONTACT, data=data, contact=contact)
    return contact


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
