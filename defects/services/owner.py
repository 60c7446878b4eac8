"""Who has the case: take it, or assign it to a colleague (hotline or QA manager).

The owner is the person a colleague asks and the one who answers for the case's promises; each
change is a timeline row ("Owner changed", from -> to), so the history says who had it when.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import roles
from ..models import Event, State
from ..timeline import record as _log
from ._base import TransitionConflict, _locked

# Who may hand a case to someone (themselves included), and who may hold one: the people who answer
# to the consumer for it. Factory QA and the mail room work on cases without owning them.
OWNER_ROLES = (roles.HOTLINE, roles.QA_MANAGER)
CLOSED_STATES = (State.CLOSED, State.WITHDRAWN)


def may_assign(user) -> bool:
    return roles.has_role(user, *OWNER_ROLES)


def eligible_owners():
    """Active users who may hold a case, for the "Assign to" choice (one query)."""
    return (get_user_model().objects.filter(is_active=True, groups__name__in=OWNER_ROLES)
            .distinct().order_by("username"))


def owner_from_username(username) -> object:
    """The eligible user with this username, or ValidationError naming the `owner` field."""
    username = (username or "").strip() if isinstance(username, str) else username
    if not username or not isinstance(username, str):
        raise ValidationError({"owner": [_("Name the member of staff who takes the case.")]})
    user = eligible_owners().filter(username=username).first()
    if user is None:
        raise ValidationError({"owner": [_("“%(username)s” is not a hotline or QA manager user who can hold "
                                           "a case.") % {"username": username}]})
    return user


def assign(case, by, owner):
    """Give the case to `owner` (a user or a username); `by` may be the owner ("Take it").

    Lock, role, state, then the input: PermissionDenied (403) for roles other than hotline and QA
    manager, TransitionConflict (409) once the case is closed or withdrawn, ValidationError naming
    `owner` (400) for an unknown or ineligible user. Giving the case to the person who already has
    it changes nothing and writes nothing.
    """
    if not may_assign(by):
        raise PermissionDenied(_("Only the hotline and QA managers may take or assign cases."))
    with transaction.atomic():
        case = _locked(case)
        if case.state in CLOSED_STATES:
            raise TransitionConflict(_("A closed or withdrawn case has no owner to change."))
        if not isinstance(owner, get_user_model()):
            owner = owner_from_username(owner)
        elif not eligible_owners().filter(pk=owner.pk).exists():
            raise ValidationError({"owner": [_("“%(username)s” is not a hotline or QA manager user who can hold "
                                               "a case.") % {"username": owner.get_username()}]})
        if case.owner_id == owner.pk:
            return case
        before = case.owner.get_username() if case.owner_id else ""
        case.owner = owner
        case.save(update_fields=["owner", "updated_at"])
        _log(case, by, Event.Kind.OWNER, data={"from": before, "to": owner.get_username(),
                                               "taken": owner.pk == by.pk})
    return case
