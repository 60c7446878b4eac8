"""The case page and the POSTs it makes: transitions, contacts, the investigation draft.

Every change goes through defects.services. Errors come back as the case page itself with a
message and the matching status (400 bad input, 403 wrong role, 409 not possible now), so
the operator sees the current state of the case next to the reason, with or without JS.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from factories.models import Investigation

from .. import roles, selectors, services
from ..forms import PAYLOAD_FORMS
from ..models import Event
from .forms import InvestigationForm, WebContactForm, tune_contact_form
from .labels import CAUTION_TRANSITIONS, TRANSITION_HELP, TRANSITION_LABELS, in_flow_order, state_label

# Who logs calls and letters with the consumer. Factory QA never talk to the consumer directly.
# (Belongs in defects.roles; kept here until it moves there.)
CONTACT_ROLES = (roles.HOTLINE, roles.QA_MANAGER, roles.MAILROOM)

# Event kinds whose note a factory user may read: transition notes are business reasons written
# for the factory. Contact notes, address changes and letters may carry what the consumer said.
FACTORY_VISIBLE_NOTES = {Event.Kind.TRANSITION, Event.Kind.ASSIGNMENT}


def _payload_form(name, data=None):
    # Each form gets its own id prefix: several transitions share field names (comment, reason).
    return PAYLOAD_FORMS[name](data=data, auto_id=f"id_{name}_%s", label_suffix="")


def _may_log_contact(user):
    return roles.has_role(user, *CONTACT_ROLES)


def _may_edit_report(case, user):
    return roles.factory_qa_of_case(case, user) and case.state in services.EDITABLE_REPORT_STATES


def _case_page(request, case, *, status=200, payload_forms=None, contact_form=None, error=None):
    user = request.user
    personal = roles.sees_personal_data(user)
    events = list(case.events.select_related("actor"))
    for event in events:
        event.show_note = bool(event.note) and (personal or event.kind in FACTORY_VISIBLE_NOTES)
    payload_forms = payload_forms or {}
    actions = [
        {"name": name, "label": TRANSITION_LABELS[name], "help": TRANSITION_HELP[name],
         "caution": name in CAUTION_TRANSITIONS, "form": payload_forms.get(name) or _payload_form(name),
         "open": name in payload_forms}
        for name in in_flow_order(services.available_transitions(case, user))
    ]
    may_contact = _may_log_contact(user)
    if may_contact and contact_form is None:
        contact_form = WebContactForm()
    if contact_form is not None:
        tune_contact_form(contact_form, user)
    context = {
        "case": case,
        # Not even hidden: a factory user's page is built without the consumer at all.
        "consumer": getattr(case, "consumer", None) if personal else None,
        "events": events,
        "contacts": list(case.contacts.select_related("by", "follow_up_owner")) if personal else [],
        "shipments": list(case.shipments.all()),
        "investigation": Investigation.objects.filter(case=case).first(),
        "may_edit_report": _may_edit_report(case, user),
        "actions": actions,
        "contact_form": contact_form if may_contact else None,
        "error": error,
    }
    response = render(request, "defects/case_detail.html", context, status=status)
    if request.htmx:
        # A boosted POST answered with this page (error or after the redirect) keeps the case's
        # address in the bar, so a reload never re-sends or GETs a POST-only URL.
        response["HX-Replace-Url"] = reverse("case_detail", kwargs={"reference": case.reference})
    return response


@require_GET
@login_required
def case_detail(request, reference):
    return _case_page(request, selectors.case_for(request.user, reference))


def _report_field_label(name):
    """Words for a field of the factory's report named in a submission error (incl. relations)."""
    try:
        field = Investigation._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return str(field.related_model._meta.verbose_name_plural)  # e.g. the countermeasures list


def _conflict_message(case, name):
    return _("“%(action)s” is not possible now: the case is “%(state)s”. The buttons below show what can be done.") % {
        "action": TRANSITION_LABELS[name], "state": state_label(case.state)}


@require_POST
@login_required
def case_transition(request, reference, name):
    user = request.user
    case = selectors.case_for(user, reference)
    if name not in PAYLOAD_FORMS:
        raise Http404("No such action.")
    if not services.role_may_run(case, user, name):
        return _case_page(request, case, status=403,
                          error=_("Your role may not “%(action)s” on this case.") % {"action": TRANSITION_LABELS[name]})
    if name not in services.available_transitions(case, user):
        return _case_page(request, case, status=409, error=_conflict_message(case, name))
    form = _payload_form(name, request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, payload_forms={name: form},
                          error=_("Please correct the fields marked below."))
    try:
        case = services.perform(case, name, user, request.POST)
    except PermissionDenied:
        return _case_page(request, case, status=403,
                          error=_("Your role may not “%(action)s” on this case.") % {"action": TRANSITION_LABELS[name]})
    except services.TransitionConflict:
        # Someone else moved the case between page load and click: show it as it is now.
        case = selectors.case_for(user, reference)
        return _case_page(request, case, status=409, error=_conflict_message(case, name))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            for problem in problems:
                if field in form.fields:
                    form.add_error(field, problem)
                else:
                    form.add_error(None, f"{_report_field_label(field)}: {problem}")
        return _case_page(request, case, status=400, payload_forms={name: form},
                          error=_("“%(action)s” could not be done yet.") % {"action": TRANSITION_LABELS[name]})
    messages.success(request, _("Done: %(action)s. The case is now “%(state)s”.") % {
        "action": TRANSITION_LABELS[name], "state": state_label(case.state)})
    return redirect("case_detail", reference=case.reference)


@require_POST
@login_required
def case_contact(request, reference):
    user = request.user
    case = selectors.case_for(user, reference)
    if not _may_log_contact(user):
        raise PermissionDenied(_("Your role does not log contacts with the consumer."))
    form = WebContactForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, contact_form=form,
                          error=_("The contact was not saved: please correct the fields marked below."))
    services.log_contact(case, user, form.log_contact_data())
    messages.success(request, _("Contact logged."))
    return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#contacts")


@login_required
def case_investigation(request, reference):
    user = request.user
    case = selectors.case_for(user, reference)
    if not roles.factory_qa_of_case(case, user):
        raise PermissionDenied(_("Only the factory's QA may edit this report."))
    if case.state not in services.EDITABLE_REPORT_STATES:
        return _case_page(request, case, status=409, error=_(
            "The report cannot be edited while the case is “%(state)s”.") % {"state": state_label(case.state)})
    investigation = Investigation.objects.filter(case=case).first()
    fields = list(InvestigationForm.base_fields)
    initial = {name: getattr(investigation, name) for name in fields} if investigation else {}
    form = InvestigationForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_investigation(case, user, form.cleaned_data)
            except services.TransitionConflict:
                case = selectors.case_for(user, reference)
                return _case_page(request, case, status=409, error=_(
                    "The report cannot be edited while the case is “%(state)s”.") % {"state": state_label(case.state)})
            messages.success(request, _("Report draft saved."))
            return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#investigation")
        status = 400
    missing = investigation.missing_for_submission() if investigation else list(Investigation.REQUIRED_FOR_SUBMISSION)
    return render(request, "defects/investigation_form.html",
                  {"case": case, "form": form, "missing": [form[name].label for name in missing if name in form.fields]},
                  status=status)
