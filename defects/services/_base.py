"""The machinery every transition shares: lock, check role then state, transition, save, log."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed


from ..forms import PAYLOAD_FORMS
from ..models import DefectCase, Event
from ..timeline import record as _log


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


def _queue_letters(case, by, *kinds):
    # Rows only, in this transaction; rendering is queued by letters after commit.
    from letters import services as letters

    letters.queue_letters(case, kinds, by)


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
