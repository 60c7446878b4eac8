"""The case page and the POSTs it makes: transitions and contacts.

Every change goes through defects.services. Errors come back as the case page itself with a
message and the matching status (400 bad input, 403 wrong role, 409 not possible now), so
the operator sees the current state of the case next to the reason, with or without JS.
What the page shows is built in case_context.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from factories.models import Investigation

from .. import personal_data, selectors, services
from ..forms import PAYLOAD_FORMS, ContactForm
from .case_context import case_context, may_log_contact, payload_form
from .forms import tune_contact_form
from .labels import TRANSITION_LABELS, state_label

# Names of the submission problems that are not fields of the report (Investigation.submission_problems).
PROBLEM_LABELS = {
    "countermeasures": gettext_lazy("Countermeasures"),
    "countermeasures_occurrence": gettext_lazy("Countermeasures against the occurrence"),
    "countermeasures_escape": gettext_lazy("Countermeasures against the escape"),
    "countermeasures_owner": gettext_lazy("Owner of each countermeasure"),
    "countermeasures_due_date": gettext_lazy("Due date of each countermeasure"),
}


def case_page(request, case, *, status=200, payload_forms=None, contact_form=None, error=None, receive_ready=False,
              countermeasure_forms=None):
    user = request.user
    if may_log_contact(user):
        contact_form = tune_contact_form(contact_form or ContactForm(), user)
    context = case_context(request, case, payload_forms=payload_forms, contact_form=contact_form,
                           receive_ready=receive_ready, countermeasure_forms=countermeasure_forms)
    context["error"] = error
    if context["consumer"] is not None:
        personal_data.accessed(user, [case], "case_page")
    response = render(request, "defects/case_detail.html", context, status=status)
    if request.htmx:
        # A boosted POST answered with this page (error or after the redirect) keeps the case's
        # address in the bar, so a reload never re-sends or GETs a POST-only URL.
        response["HX-Replace-Url"] = reverse("case_detail", kwargs={"reference": case.reference})
    return response


@require_GET
@login_required
def case_detail(request, reference):
    case = selectors.case_for(request.user, reference)
    # The scan page opens the case with the arrival form ready (?receive=1).
    return case_page(request, case, receive_ready=bool(request.GET.get("receive")))


def report_field_label(name):
    """Words for a field of the factory's report named in a submission error (incl. relations)."""
    if name in PROBLEM_LABELS:
        return str(PROBLEM_LABELS[name])
    try:
        field = Investigation._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return str(field.related_model._meta.verbose_name_plural)


def _conflict_message(case, name):
    blockers = services.blockers(case, name) if case.state in _blockable_states(name) else []
    if blockers:
        return " ".join(str(b) for b in blockers)
    return _("“%(action)s” is not possible now: the case is “%(state)s”. The buttons below show what can be done.") % {
        "action": TRANSITION_LABELS[name], "state": state_label(case.state)}


def _blockable_states(name):
    return {"ship_replacement": ("approved",), "close": ("replacement_shipped",)}.get(name, ())


def _forbidden(request, case, name):
    return case_page(request, case, status=403,
                     error=_("Your role may not “%(action)s” on this case.") % {"action": TRANSITION_LABELS[name]})


@require_POST
@login_required
def case_transition(request, reference, name):
    user = request.user
    case = selectors.case_for(user, reference)
    if name not in PAYLOAD_FORMS:
        raise Http404("No such action.")
    if not services.role_may_run(case, user, name):
        return _forbidden(request, case, name)
    if name not in services.available_transitions(case, user):
        return case_page(request, case, status=409, error=_conflict_message(case, name))
    form = payload_form(name, request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, payload_forms={name: form},
                         error=_("Please correct the fields marked below."))
    try:
        case = services.perform(case, name, user, request.POST)
    except PermissionDenied:
        return _forbidden(request, case, name)
    except services.TransitionConflict:
        # Someone else moved the case between page load and click, or something still blocks the
        # action (letters not printed, parcel not delivered): show the case as it is now, and why.
        case = selectors.case_for(user, reference)
        return case_page(request, case, status=409, error=_conflict_message(case, name))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            for problem in problems:
                if field in form.fields:
                    form.add_error(field, problem)
                else:
                    form.add_error(None, f"{report_field_label(field)}: {problem}")
        return case_page(request, case, status=400, payload_forms={name: form},
                         error=_("“%(action)s” could not be done yet.") % {"action": TRANSITION_LABELS[name]})
    messages.success(request, _("Done: %(action)s. The case is now “%(state)s”.") % {
        "action": TRANSITION_LABELS[name], "state": state_label(case.state)})
    return redirect("case_detail", reference=case.reference)


@require_POST
@login_required
def case_contact(request, reference):
    user = request.user
    case = selectors.case_for(user, reference)
    if not may_log_contact(user):
        raise PermissionDenied(_("Your role does not log contacts with the consumer."))
    form = ContactForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, contact_form=form,
                         error=_("The contact was not saved: please correct the fields marked below."))
    services.log_contact(case, user, form.cleaned_data)
    messages.success(request, _("Contact logged."))
    return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#contacts")
