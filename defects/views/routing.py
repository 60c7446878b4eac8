"""Cases no factory has yet (the lot code did not say which), and the QA manager's assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import roles, selectors, services
from .case import case_page
from .forms import AssignFactoryForm, assign_form

UNROUTED_LIMIT = 100


@require_GET
@login_required
def unrouted(request):
    user = request.user
    if not roles.roles_of(user) & selectors.UNROUTED_ROLES:
        raise PermissionDenied(_("Your role does not route cases."))
    unrouted_cases = selectors.unrouted(user)
    # The first UNROUTED_LIMIT of the queue (urgent, then oldest) and how many there are in all.
    cases = list(unrouted_cases[:UNROUTED_LIMIT])
    total = len(cases) if len(cases) < UNROUTED_LIMIT else unrouted_cases.count()
    may_assign = roles.has_role(user, roles.QA_MANAGER)
    # The factory choices are read once for every row's form (each form read them again: a query a row).
    choices = list(AssignFactoryForm().fields["factory"].choices) if may_assign else []
    for case in cases:
        case.assign_form = assign_form(case) if may_assign else None
        if may_assign:
            case.assign_form.fields["factory"].choices = choices
    return render(request, "defects/unrouted.html", {"cases": cases, "total": total, "may_assign": may_assign})


@require_POST
@login_required
def assign_factory(request, reference):
    """From the unrouted queue (back there) or from the case page (back to the case)."""
    user = request.user
    case = selectors.case_for(user, reference)
    if not roles.qa_manager(case, user):
        raise PermissionDenied(_("Only a QA manager may assign a case to a factory."))
    form = assign_form(case, request.POST)
    back_to_queue = request.POST.get("from") == "unrouted"
    if not form.is_valid():
        error = " ".join(" ".join(e) for e in form.errors.values())
        return case_page(request, case, status=400, error=_("The factory was not assigned: %(error)s") % {"error": error})
    try:
        services.assign_factory(case, user, form.cleaned_data["factory"], form.cleaned_data.get("note", ""))
    except ValidationError as error:
        return case_page(request, case, status=400, error=" ".join(
            m for msgs in error.message_dict.values() for m in msgs))
    except services.TransitionConflict as conflict:
        return case_page(request, case, status=409, error=str(conflict))
    messages.success(request, _("%(reference)s assigned to %(factory)s.") % {
        "reference": case.reference, "factory": form.cleaned_data["factory"].name})
    return redirect("unrouted" if back_to_queue else reverse("case_detail", kwargs={"reference": case.reference}))
