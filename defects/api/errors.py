"""One error shape for the whole API (configured as REST_FRAMEWORK["EXCEPTION_HANDLER"]).

* 400, bad input: {"field": ["message", ...]}; errors inside the nested consumer are nested too
  ({"consumer": {"phone": [...]}}); errors not tied to one field are under "non_field_errors".
* Everything else: {"detail": "human message", "code": "machine_code"}; a 409 also carries
  "state", the case's state as it is now, so a client can refresh instead of guessing; a
  transition the state allows but something else holds back (letters not printed, parcel not
  delivered) answers 409 with code "transition_blocked" and the reasons under "blockers".

The services speak Django (PermissionDenied, ValidationError, Http404) and their own
TransitionConflict; this handler is the one place that turns them into HTTP.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..models import DefectCase
from ..services import TransitionConflict


class BlockedTransition(TransitionConflict):
    """The state allows the transition but something else is missing (services.blockers says what)."""

    code = "transition_blocked"

    def __init__(self, blockers):
        self.blockers = [str(b) for b in blockers]
        super().__init__(" ".join(self.blockers))


def exception_handler(exc, context):
    if isinstance(exc, TransitionConflict):
        return _conflict(exc, context)
    if isinstance(exc, DjangoValidationError):
        return Response(_field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        # DRF's own mapping drops the service's message ("Only the factory's QA may edit ...").
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        if set(response.data) == {"detail"}:
            response.data["code"] = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    return response


def _field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def _conflict(exc, context):
    view = context.get("view")
    body = {"detail": str(exc), "code": getattr(exc, "code", None) or getattr(view, "conflict_code",
                                                                            "transition_not_allowed")}
    if isinstance(exc, BlockedTransition):
        body["blockers"] = exc.blockers
    case = getattr(view, "case", None)
    if case is not None:
        # Read again: the service's transaction was rolled back and another request may have won.
        body["state"] = DefectCase.objects.filter(pk=case.pk).values_list("state", flat=True).first()
    return Response(body, status=status.HTTP_409_CONFLICT)
