"""Following countermeasures through from the case page: after approval the factory's QA (or a QA
manager) marks each one done and records its effectiveness check, in a small form per row. The form
posts here and this view calls the same service as PATCH /api/countermeasures/{id}/
(services.countermeasures.follow_through owns the transaction and writes the timeline event); the
approved report's text stays frozen in its version snapshot."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from factories.models import Countermeasure

from .. import roles
from ..forms import CleanTextForm
from ..services import countermeasures as service
from ..services._base import TransitionConflict


class FollowThroughForm(CleanTextForm):
    done_date = forms.DateField(label=gettext_lazy("Done on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=gettext_lazy("Empty: not done yet."))
    effectiveness_result = forms.CharField(label=gettext_lazy("Effectiveness check result"), required=False,
                                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                           help_text=gettext_lazy("What the check found."))
    note = forms.CharField(label=gettext_lazy("Note for the timeline"), required=False, max_length=500)

    def __init__(self, *args, countermeasure: Countermeasure, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", f"id_cm{countermeasure.pk}_%s")
        kwargs.setdefault("initial", {"done_date": countermeasure.done_date,
                                      "effectiveness_result": countermeasure.effectiveness_result})
        super().__init__(*args, **kwargs)
        self.countermeasure = countermeasure

    def changes(self) -> dict:
        """What the service is asked to change: the done date always (empty marks it not done), the result
        only when written (the check is recorded, never erased), and the note."""
        data = self.cleaned_data
        changes = {"done_date": data.get("done_date"), "note": data.get("note", "")}
        if (data.get("effectiveness_result") or "").strip():
            changes["effectiveness_result"] = data["effectiveness_result"]
        return changes


def may_follow_through(case, user) -> bool:
    return case.state in service.FOLLOW_THROUGH_STATES and (
        roles.factory_qa_of_case(case, user) or roles.has_role(user, roles.QA_MANAGER))


def follow_through_rows(case, user, investigation, bound: dict | None = None) -> list[dict] | None:
    """The countermeasures as they are now (not the frozen report), each with its form for those who
    may change it; None before approval (the report's table shows the draft then). One query."""
    if investigation is None or case.state not in service.FOLLOW_THROUGH_STATES:
        return None
    bound = bound or {}
    may_change = may_follow_through(case, user)
    rows = []
    for cm in (Countermeasure.objects.filter(investigation=investigation)
               .select_related("responsible", "effectiveness_checked_by").order_by("position", "id")):
        form = bound.get(cm.pk) or (FollowThroughForm(countermeasure=cm) if may_change else None)
        rows.append({"cm": cm, "form": form, "open": cm.pk in bound})
    return rows


@require_POST
@login_required
def countermeasure_follow_through(request, pk):
    from .case import case_page  # the case page's renderer; imported here as case.py builds on this module

    user = request.user
    cm = service.visible_countermeasures(user).filter(pk=pk).first()
    if cm is None:
        raise Http404("No such countermeasure.")  # another factory's: not found, as in the API
    case = cm.investigation.case
    anchor = reverse("case_detail", kwargs={"reference": case.reference}) + f"#cm-{cm.pk}"
    form = FollowThroughForm(request.POST, countermeasure=cm)
    if not form.is_valid():
        return case_page(request, case, status=400, countermeasure_forms={cm.pk: form},
                         error=_("The countermeasure was not saved: please correct the fields marked below."))
    try:
        service.follow_through(cm.pk, user, form.changes())
    except PermissionDenied:
        return case_page(request, case, status=403,
                         error=_("Only the factory's QA or a QA manager follows a countermeasure through."))
    except TransitionConflict as conflict:
        return case_page(request, case, status=409, error=str(conflict))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return case_page(request, case, status=400, countermeasure_forms={cm.pk: form},
                         error=_("The countermeasure was not saved: please correct the fields marked below."))
    messages.success(request, _("Countermeasure saved."))
    return redirect(anchor)
