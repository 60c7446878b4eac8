"""The factory's report: the full investigation form (8D sections, 5-Whys, countermeasures), its
photos (uploaded, listed, removed, served privately) and the list of submitted versions.

Drafts are saved with services.save_investigation at any time; submission is a transition on the
case page, which names every missing field when it refuses.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from factories.forms import CountermeasureForm, CountermeasureFormSet, InvestigationForm, PhotoForm
from factories.models import Investigation, InvestigationPhoto
from factories.models.investigation import MAX_WHYS
from factories.versions import diff

from .. import roles, selectors, services
from ..models import Category
from .case import case_page, report_field_label
from .case_context import report_sections
from .labels import state_label

WHY_CHAINS = ("occurrence_whys", "escape_whys")
PREFIX = "countermeasures"


class PageCountermeasureForm(CountermeasureForm):
    """A row of the page's table: 'against' starts blank, so an untouched extra row stays empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "---")] + list(self.fields["target"].choices)


PageCountermeasureFormSet = forms.formset_factory(
    PageCountermeasureForm, formset=CountermeasureFormSet, extra=1, max_num=CountermeasureFormSet.max_num,
    validate_max=True)


def _whys_rows(source, name) -> list[dict]:
    """Five why/because rows for a chain, from POST data (name-0-why ...) or a stored list."""
    if hasattr(source, "getlist"):
        rows = [{"why": source.get(f"{name}-{i}-why", ""), "because": source.get(f"{name}-{i}-because", "")}
                for i in range(MAX_WHYS)]
    else:
        rows = [dict(row) for row in (source or [])][:MAX_WHYS]
    return rows + [{"why": "", "because": ""} for _i in range(MAX_WHYS - len(rows))]


def _bound_formset(post, add_row=False):
    data = post.copy()
    # Every posted row is new: a row cleared by the user is dropped, not refused as incomplete.
    data[f"{PREFIX}-INITIAL_FORMS"] = "0"
    if add_row:
        data[f"{PREFIX}-TOTAL_FORMS"] = str(int(data.get(f"{PREFIX}-TOTAL_FORMS") or 0) + 1)
    return PageCountermeasureFormSet(data, prefix=PREFIX)


def _empty_table():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({f"{PREFIX}-TOTAL_FORMS": "0", f"{PREFIX}-INITIAL_FORMS": "0"})
    return data


def _editable_case(request, reference):
    user = request.user
    case = selectors.case_for(user, reference)
    if not roles.factory_qa_of_case(case, user):
        raise PermissionDenied(_("Only the factory's QA may edit this report."))
    return case


def _not_editable(request, case):
    return case_page(request, case, status=409, error=_(
        "The report cannot be edited while the case is “%(state)s”.") % {"state": state_label(case.state)})


def _form_page(request, case, investigation, form, formset, whys, *, photo_form=None, status=200):
    # Section 7 lists the prevention measures one by one; this field is their internal summary.
    form.fields["prevention"].label = _("Summary of the prevention (internal)")
    missing = investigation.submission_problems() if investigation else {}
    photos = list(investigation.photos.all()) if investigation else []
    photo_form = photo_form or PhotoForm(label_suffix="")
    for field in photo_form.fields.values():
        # The photo inputs belong to the report form (form="inv-form"): uploading saves the typed text too.
        field.widget.attrs["form"] = "inv-form"
    return render(request, "defects/investigation_form.html", {
        "case": case, "case_text": selectors.case_texts_for(request.user, case), "form": form, "formset": formset,
        "whys": whys,
        "rejection": _rejection(investigation),
        "photos": photos, "photo_form": photo_form,
        "missing": [(name, report_field_label(name), problems) for name, problems in missing.items()],
        "missing_names": set(missing),
        "related": [dict(r, category=Category(r["category"]).label if r["category"] in Category.values else r["category"])
                    for r in selectors.related_reports(case, request.user)],
    }, status=status)


def _rejection(investigation):
    """The QA manager's last decision when it sent the report back (what the factory must answer), else None."""
    if investigation is None:
        return None
    latest = investigation.versions.select_related("decided_by").order_by("-number").first()
    return latest if latest and latest.decision == latest.Decision.REJECTED else None


def _saved_form_page(request, case, investigation, *, photo_form=None, status=200):
    form = InvestigationForm(instance=investigation, label_suffix="")
    measures = [{name: getattr(m, name) for name in CountermeasureForm.base_fields}
                for m in investigation.countermeasures.all()] if investigation else []
    formset = PageCountermeasureFormSet(initial=measures, prefix=PREFIX)
    whys = {name: _whys_rows(getattr(investigation, name, None), name) for name in WHY_CHAINS}
    return _form_page(request, case, investigation, form, formset, whys, photo_form=photo_form, status=status)


def _posts_report(request) -> bool:
    """Whether the POST carries the report's fields (the photo buttons submit the whole page form)."""
    return any(name in request.POST for name in Investigation.REPORT_FIELDS) or f"{PREFIX}-TOTAL_FORMS" in request.POST


def _save_posted_draft(request, case, investigation):
    """Save the report fields this POST carries as the draft. Returns (page or None): None when saved,
    else the form page answering 400 (or 409) with the text as typed, so nothing typed is lost."""
    user = request.user
    whys = {name: _whys_rows(request.POST, name) for name in WHY_CHAINS}
    data = request.POST.copy()
    for name in WHY_CHAINS:
        data[name] = json.dumps([row for row in whys[name] if row["why"].strip() or row["because"].strip()],
                                ensure_ascii=False)
    form = InvestigationForm(data=data, instance=investigation, label_suffix="")
    # A field the POST does not carry keeps its value (save_investigation's rule); so do the
    # countermeasures when the table is not part of the POST.
    posted = {name for name in Investigation.REPORT_FIELDS
              if name in request.POST or (name in WHY_CHAINS and f"{name}-0-why" in request.POST)}
    with_table = f"{PREFIX}-TOTAL_FORMS" in request.POST
    formset = _bound_formset(request.POST if with_table else _empty_table(), add_row="add_row" in request.POST)
    if "add_row" in request.POST:
        # Without JavaScript: the same page with one more empty row; nothing is saved yet.
        form.is_valid()
        return _form_page(request, case, investigation, form, formset, whys)
    if form.is_valid() and formset.is_valid():
        fields = {name: form.cleaned_data.get(name) for name in posted}
        try:
            services.save_investigation(case, user, fields, formset.rows() if with_table else None)
        except services.TransitionConflict:
            return _not_editable(request, selectors.case_for(user, case.reference))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return None
    return _form_page(request, case, investigation, form, formset, whys, status=400)


@login_required
def case_investigation(request, reference):
    case = _editable_case(request, reference)
    if case.state not in services.EDITABLE_REPORT_STATES:
        return _not_editable(request, case)
    investigation = Investigation.objects.filter(case=case).first()
    if request.method != "POST":
        return _saved_form_page(request, case, investigation)
    page = _save_posted_draft(request, case, investigation)
    if page is not None:
        return page
    messages.success(request, _("Report draft saved."))
    return redirect(reverse("case_investigation", kwargs={"reference": case.reference}))


@require_POST
@login_required
def photo_upload(request, reference):
    """Upload a photo. The button belongs to the page's report form, so the POST carries the text typed
    so far: it is saved as the draft first, then the photo is added (nothing typed is lost). A POST with
    the photo only (API-like clients, older pages) just adds the photo."""
    user = request.user
    case = _editable_case(request, reference)
    if case.state not in services.EDITABLE_REPORT_STATES:
        return _not_editable(request, case)
    investigation = Investigation.objects.filter(case=case).first()
    draft_saved = False
    if _posts_report(request):
        page = _save_posted_draft(request, case, investigation)
        if page is not None:
            return page  # the draft had an error: shown with the typed text; the photo was not added
        draft_saved = True
        investigation = Investigation.objects.filter(case=case).first()
    photo_form = PhotoForm(request.POST, request.FILES, label_suffix="")
    try:
        services.add_photo(case, user, request.FILES.get("file"), request.POST.get("caption", ""))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            photo_form.add_error(field if field in photo_form.fields else None, problems)
        return _saved_form_page(request, case, investigation, photo_form=photo_form, status=400)
    except services.TransitionConflict:
        return _not_editable(request, selectors.case_for(user, reference))
    messages.success(request, _("Draft saved and photo added to the report.") if draft_saved
                     else _("Photo added to the report."))
    return redirect(reverse("case_investigation", kwargs={"reference": case.reference}) + "#photos")


@require_POST
@login_required
def photo_remove(request, reference, photo_id):
    case = _editable_case(request, reference)
    if _posts_report(request) and case.state in services.EDITABLE_REPORT_STATES:
        page = _save_posted_draft(request, case, Investigation.objects.filter(case=case).first())
        if page is not None:
            return page
    try:
        services.remove_photo(case, request.user, photo_id)
    except services.TransitionConflict:
        return _not_editable(request, case)
    messages.success(request, _("Photo removed from the report."))
    return redirect(reverse("case_investigation", kwargs={"reference": case.reference}) + "#photos")


# Who may look at the sample's photos: the case's factory (cases_for scopes them), the hotline, the
# QA manager and admins. The mail room handles parcels, not the report.
PHOTO_ROLES = (roles.FACTORY_QA, roles.HOTLINE, roles.QA_MANAGER, roles.ADMIN)


@require_GET
@login_required
def photo_file(request, reference, photo_id):
    """The photo's bytes, privately: 404 for anyone who may not see the case or its photos."""
    case = selectors.case_for(request.user, reference)
    if not roles.has_role(request.user, *PHOTO_ROLES):
        raise Http404("No such photo.")
    photo = InvestigationPhoto.objects.filter(pk=photo_id, investigation__case=case).first()
    if photo is None:
        raise Http404("No such photo.")
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def investigation_versions(request, reference):
    """Every submitted version with the QA manager's decision, and what each changed from the one before."""
    case = selectors.case_for(request.user, reference)
    investigation = Investigation.objects.filter(case=case).first()
    versions = list(investigation.versions.select_related("submitted_by", "decided_by").order_by("number")) \
        if investigation else []
    rows, previous = [], None
    for version in versions:
        rows.append({"version": version, "changes": diff(previous.snapshot, version.snapshot) if previous else None,
                     "sections": report_sections(version.snapshot)})
        previous = version
    rows.reverse()  # the newest first
    return render(request, "defects/versions.html", {"case": case, "rows": rows})
