"""Promised follow-ups that nobody kept: find them and put them on the case's timeline.

A contact with `follow_up_due` in the past and no `follow_up_done_at` is a promise to the consumer
that is late. `flag_overdue_follow_ups` writes one timeline note per such contact, once: the note
carries `data={"overdue_contact": <contact id>, ...}` and points at the contact, and a contact that
already has one is skipped, so the sweep may run as often as anyone likes (and twice at once).
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Contact, Event, Shipment, State
from .timeline import record_many

OVERDUE_KEY = "overdue_contact"


def _flag_events():
    return Event.objects.filter(kind=Event.Kind.NOTE, data__has_key=OVERDUE_KEY)


def overdue_follow_ups(now: datetime.datetime | None = None):
    """Contacts whose promised follow-up is past due, not done, and not yet flagged on the timeline."""
    now = now or timezone.now()
    already_flagged = _flag_events().filter(contact=OuterRef("pk"))
    return (
        # The contact_open_promise partial index: only promises still open are read.
        Contact.objects.filter(follow_up_due__isnull=False, follow_up_due__lt=now, follow_up_done_at__isnull=True)
        .exclude(Exists(already_flagged))
        .order_by("follow_up_due", "id")
    )


def overdue_note(contact: Contact) -> str:
    owner = contact.follow_up_owner.get_username() if contact.follow_up_owner_id else _("nobody")
    due = timezone.localtime(contact.follow_up_due).strftime("%Y-%m-%d %H:%M")
    return _("Follow-up overdue: owner %(owner)s, due %(due)s") % {"owner": owner, "due": due}


def flag_overdue_follow_ups(now: datetime.datetime | None = None) -> list[Event]:
    """Write one 'note' event per overdue follow-up not flagged before; return the events written."""
    now = now or timezone.now()
    written = []
    for contact_id in overdue_follow_ups(now).values_list("id", flat=True):
        with transaction.atomic():
            # The row lock makes two sweeps running at once take turns on the same contact.
            contact = Contact.objects.select_for_update(of=("self",)).select_related("follow_up_owner").get(pk=contact_id)
            if contact.follow_up_done_at or not contact.follow_up_due or contact.follow_up_due >= now:
                continue  # done or re-dated since the list was read
            if _flag_events().filter(contact=contact).exists():
                continue  # another sweep got here first
            written.append(record_many([Event(
                case_id=contact.case_id,
                actor=None,
                kind=Event.Kind.NOTE,
                note=overdue_note(contact),
                contact=contact,
                data={
                    OVERDUE_KEY: contact.pk,
                    "follow_up_due": contact.follow_up_due.isoformat(),
                    "follow_up_owner": contact.follow_up_owner.get_username() if contact.follow_up_owner_id else "",
                },
            )])[0])
    return written


# --- return parcels that did not come -------------------------------------------------------------

OVERDUE_RETURN_KEY = "overdue_return"


def overdue_returns(today: datetime.date | None = None):
    """Return parcels still expected after their date, on cases still waiting for them, not yet flagged.

    A consumer who never sent the product back is a case that would otherwise wait in silence.
    Served by the shipment_return_unflagged partial index: the cost follows the parcels newly late,
    never the timeline or the years of closed cases."""
    return _unflagged_late_returns(today).filter(case__state=State.AWAITING_RETURN)


def _unflagged_late_returns(today=None):
    today = today or timezone.localdate()
    return (
        Shipment.objects.filter(direction=Shipment.Direction.RETURN, status=Shipment.Status.EXPECTED,
                                received_at__isnull=True, expected_by__lt=today, overdue_flagged_at__isnull=True)
        .order_by("expected_by", "id")
    )


def flag_overdue_returns(today: datetime.date | None = None) -> list[Event]:
    """One 'note' per overdue return parcel, once: the hotline calls the consumer, or decides to
    investigate without the sample. Safe to run twice, and twice at once."""
    today = today or timezone.localdate()
    written = []
    # Every late return not yet dealt with, also those whose case moved on without it (withdrawn,
    # investigated without the sample): those are marked dealt with and never read again, so the
    # sweep's work does not pile up with the years.
    for shipment_id in _unflagged_late_returns(today).values_list("id", flat=True):
        with transaction.atomic():
            shipment = Shipment.objects.select_for_update(of=("self",)).select_related("case").get(pk=shipment_id)
            if shipment.received_at or shipment.overdue_flagged_at is not None:
                continue  # arrived, or another sweep got here first
            if shipment.case.state != State.AWAITING_RETURN:
                shipment.overdue_flagged_at = timezone.now()  # nobody waits for it: nothing to say
                shipment.save(update_fields=["overdue_flagged_at"])
                continue
            shipment.overdue_flagged_at = timezone.now()
            shipment.save(update_fields=["overdue_flagged_at"])
            written.append(record_many([Event(
                case=shipment.case, actor=None, kind=Event.Kind.NOTE,
                note=_("Return parcel %(reference)s was expected by %(date)s and has not arrived: call the "
                       "consumer, or investigate without the sample.") % {
                    "reference": shipment.reference, "date": shipment.expected_by.isoformat()},
                data={OVERDUE_RETURN_KEY: shipment.pk, "expected_by": shipment.expected_by.isoformat(),
                      "return_reference": shipment.reference},
            )])[0])
    return written
