"""A repeat caller, recognised before the case is saved: cases with the same phone number (digits
only) or the same name (defects.search.normalise) and postal code, still open or received in the
last 12 months. Personal data: only for the roles that take calls (hotline, admin); the callers of
this module check the role.
"""

import datetime

from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from . import addressing, search
from .models import DefectCase, State

RECENT = datetime.timedelta(days=365)
LIMIT = 10


def _phone_key(phone: str) -> str:
    """The digits of a complete, valid number as Consumer.phone_digits stores them; '' while typing."""
    try:
        return search.digits(addressing.normalize_phone(phone)) if phone else ""
    except addressing.AddressingError:
        return ""


def _postal_key(postal_code: str) -> str:
    try:
        return addressing.normalize_postal_code(postal_code) if postal_code else ""
    except addressing.AddressingError:
        return ""


def possible_duplicates(*, phone: str = "", name: str = "", postal_code: str = "", exclude=None,
                        now=None) -> list[dict]:
    """[{reference, state, received_at, match}] newest first; `match` is 'phone' or 'name_postal_code'
    (a case matching both is listed once, as 'phone')."""
    return _by_keys(_phone_key(phone), search.normalise(name), _postal_key(postal_code), exclude=exclude, now=now)


def of_consumer(consumer, *, exclude=None, now=None) -> list[dict]:
    """possible_duplicates of a consumer just saved by intake, from the keys Consumer.save() wrote
    (the form has normalised the phone and postal code already: no second parse per intake)."""
    return _by_keys(consumer.phone_digits, consumer.name_key, consumer.postal_code, exclude=exclude, now=now)


def _by_keys(phone_key: str, name_key: str, postal_key: str, *, exclude=None, now=None) -> list[dict]:
    conditions = {}
    if phone_key:
        conditions["phone"] = Q(consumer__phone_digits=phone_key)
    if name_key and postal_key:
        conditions["name_postal_code"] = Q(consumer__name_key=name_key, consumer__postal_code=postal_key)
    if not conditions:
        return []
    now = now or timezone.now()
    recent = Q(received_at__gte=now - RECENT) | ~Q(state__in=[State.CLOSED, State.WITHDRAWN])
    cases = DefectCase.objects.filter(recent)
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    # One query (each condition has its index on the consumer): the newest LIMIT of either kind are
    # the newest LIMIT of all, and a case matching both says 'phone', the first condition.
    either = Q()
    for condition in conditions.values():
        either |= condition
    match = Case(*(When(condition, then=Value(name)) for name, condition in conditions.items()),
                 output_field=CharField())
    rows = (cases.filter(either).annotate(match=match).order_by("-received_at", "-id")
            .values("reference", "state", "received_at", "match")[:LIMIT])
    return list(rows)
