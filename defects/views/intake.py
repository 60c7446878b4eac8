"""The hotline's intake form: one page, keyboard only, the reference read back at the end."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import roles, services
from ..forms import CaseIntakeForm
from .forms import tune_intake_form


@login_required
def case_new(request):
    if not roles.has_role(request.user, roles.HOTLINE):
        raise PermissionDenied(_("Only the hotline opens cases."))
    form = tune_intake_form(CaseIntakeForm(request.POST if request.method == "POST" else None))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            case = services.open_case(request.user, form.cleaned_data)
            messages.success(
                request, _("Case opened. Please read the reference to the consumer: %(reference)s")
                % {"reference": case.reference}, extra_tags="reference",
            )
            return redirect("case_detail", reference=case.reference)
        status = 400
    return render(request, "defects/intake.html", {"form": form}, status=status)
