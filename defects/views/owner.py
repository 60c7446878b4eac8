"""Take a case, or assign it to a colleague, from the case page (defects.services.assign)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from .case import case_page


@require_POST
@login_required
def case_assign(request, reference):
    user = request.user
    case = selectors.case_for(user, reference)
    # "Take it" posts take=1; "Assign to" posts the chosen username.
    owner = user if request.POST.get("take") else request.POST.get("owner", "")
    try:
        case = services.assign(case, user, owner)
    except PermissionDenied:
        return case_page(request, case, status=403, error=_("Only the hotline and QA managers may take or assign "
                                                            "cases."))
    except services.TransitionConflict as error:
        return case_page(request, case, status=409, error=str(error))
    except ValidationError as error:
        return case_page(request, case, status=400, error=" ".join(error.message_dict.get("owner", error.messages)))
    messages.success(request, _("%(username)s now has the case.") % {"username": case.owner.get_username()})
    return redirect("case_detail", reference=case.reference)
