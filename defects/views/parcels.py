"""Parcels: the scan page that matches a returned product to its case, the replacement's contents,
what happened to a parcel on its way, and the redirect requests nobody may forget.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import personal_data, roles, selectors, services
from ..forms import ParcelMatchForm, RedirectDoneForm, ReplacementItemFormSet, ReturnScanForm, ShipmentEventForm
from ..models import RedirectRequest, Shipment, State
from .case import case_page

SCAN_ROLES = (roles.FACTORY_QA, roles.MAILROOM, roles.ADMIN)


def _require(user, *allowed):
    if not roles.has_role(user, *allowed):
        raise PermissionDenied(_("Your role does not use this page."))


@require_GET
@login_required
def scan(request):
    """One input: the return reference as scanned or typed. Found: the case page with the arrival form
    ready. Not found: 404 with a message, nothing written. The mail room may also match a parcel that
    came without its kit by the consumer's name or phone."""
    user = request.user
    _require(user, *SCAN_ROLES)
    personal = roles.sees_personal_data(user)
    scan_form = ReturnScanForm(request.GET if "reference" in request.GET else None, label_suffix="")
    match_form = ParcelMatchForm(request.GET if "q" in request.GET else None, label_suffix="")
    scan_form.fields["reference"].widget.attrs.update(autofocus=True, autocomplete="off", spellcheck="false",
                                                      placeholder="R7K3-ABCD-EF")
    match_form.fields["q"].widget.attrs.update(autocomplete="off", type="search")
    if not personal:
        match_form.fields["q"].label = _("Case or return reference")
    context = {"scan_form": scan_form, "match_form": match_form, "matches": None, "not_found": False,
               "personal": personal}
    if scan_form.is_bound and scan_form.is_valid():
        try:
            case = services.find_return(user, scan_form.cleaned_data["reference"])
        except Http404:
            context["not_found"] = True
            return render(request, "defects/scan.html", context, status=404)
        url = reverse("case_detail", kwargs={"reference": case.reference})
        if case.state == State.AWAITING_RETURN:
            messages.info(request, _("Return parcel found for %(reference)s: note its condition on arrival and record "
                                     "it.") % {"reference": case.reference})
            return redirect(url + "?receive=1#act-receive_sample")
        shipment = selectors.return_shipment(case)
        messages.info(request, _("This parcel was already recorded as arrived on %(date)s.") % {
            # In the configured zone (Asia/Tokyo) with its name: a bare UTC time here once said 19:30 for 04:30.
            "date": date_format(timezone.localtime(shipment.received_at), "Y-m-d H:i T")
            if shipment and shipment.received_at else "—"})
        return redirect(url)
    if match_form.is_bound and match_form.is_valid():
        matches = list(selectors.match_parcel(user, match_form.cleaned_data["q"]).select_related("product")[:50])
        context["matches"] = matches
        if personal:
            personal_data.accessed(user, matches, "parcel_match")
        if not personal and not matches:
            # What a factory user typed that matched nothing is not echoed (it may be a consumer's name).
            match_form = ParcelMatchForm(label_suffix="")
            match_form.fields["q"].label = _("Case or return reference")
            context["match_form"] = match_form
    status = 400 if (scan_form.is_bound and not scan_form.is_valid()) else 200
    return render(request, "defects/scan.html", context, status=status)


@login_required
def replacement_items(request, reference):
    """What the replacement parcel holds (the 代品 and any goodwill gift), from approval until it ships."""
    user = request.user
    case = selectors.case_for(user, reference)
    if not roles.hotline_or_mailroom(case, user):
        raise PermissionDenied(_("Only the hotline and the mail room may change the replacement."))
    if case.state != State.APPROVED:
        return case_page(request, case, status=409, error=_(
            "The replacement can be changed from approval until it ships."))
    shipment = selectors.replacement_shipment(case)
    current = [{"kind": i.kind, "product": i.product.code if i.product_id else None, "description": i.description,
                "quantity": i.quantity, "coupon_code": i.coupon_code, "value_yen": i.value_yen}
               for i in (shipment.items.select_related("product") if shipment else [])]
    status = 200
    if request.method == "POST":
        data = _without_removed_rows(request.POST)
        if "add_row" in data:
            data["items-TOTAL_FORMS"] = str(int(data.get("items-TOTAL_FORMS") or 0) + 1)
            formset = ReplacementItemFormSet(data, prefix="items")
            return _items_page(request, case, formset)
        formset = ReplacementItemFormSet(data, prefix="items")
        if formset.is_valid():
            items = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                services.set_replacement_items(case, user, items)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(
                    [m for msgs in error.message_dict.values() for m in msgs])
            except services.TransitionConflict as conflict:
                return case_page(request, selectors.case_for(user, reference), status=409, error=str(conflict))
            else:
                messages.success(request, _("The replacement's contents were saved; the letters that go in "
                                             "the parcel will be made again."))
                return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#parcels")
        status = 400
    else:
        formset = ReplacementItemFormSet(initial=current, prefix="items")
    return _items_page(request, case, formset, status=status)


def _without_removed_rows(post):
    """Rows ticked 'remove' come back as untouched empty rows, which the formset skips; every row counts
    as new (INITIAL_FORMS 0) so that an emptied row is dropped rather than refused."""
    data = post.copy()
    data["items-INITIAL_FORMS"] = "0"
    for index in range(int(data.get("items-TOTAL_FORMS") or 0)):
        if data.get(f"items-{index}-remove"):
            for name in ("product", "description", "coupon_code", "value_yen"):
                data[f"items-{index}-{name}"] = ""
            data[f"items-{index}-kind"], data[f"items-{index}-quantity"] = "product", "1"
    return data


def _items_page(request, case, formset, status=200):
    for form in formset.forms:
        form.label_suffix = ""
    return render(request, "defects/replacement_form.html", {"case": case, "formset": formset}, status=status)


@require_POST
@login_required
def shipment_event(request, reference, shipment_id):
    """Staff record what happened to a parcel (delivered, in transit, returned to sender)."""
    user = request.user
    case = selectors.case_for(user, reference)
    shipment = get_object_or_404(Shipment, pk=shipment_id, case=case)
    if not roles.has_role(user, *services.SHIPMENT_EVENT_ROLES):
        raise PermissionDenied(_("Your role may not record parcel events."))
    form = ShipmentEventForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                           for f, e in form.errors.items())
        return case_page(request, case, status=400, error=_("The parcel event was not saved: %(errors)s") % {
            "errors": errors})
    data = form.cleaned_data
    try:
        _event, created = services.record_shipment_event(shipment, user, data["kind"], at=data.get("at"),
                                                         note=data.get("note", ""))
    except services.TransitionConflict as conflict:
        return case_page(request, case, status=409, error=str(conflict))
    except ValidationError as error:
        return case_page(request, case, status=400, error=" ".join(
            m for msgs in error.message_dict.values() for m in msgs))
    messages.success(request, _("Parcel event recorded.") if created else _("This was already recorded."))
    return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#parcels")


@require_GET
@login_required
def redirects(request):
    """Redirect requests still open: the replacement left before the consumer's address changed."""
    _require(request.user, *services.REDIRECT_ROLES)
    open_requests = list(selectors.open_redirects(request.user))
    personal_data.accessed(request.user, [r.case_id for r in open_requests], "redirects")
    return render(request, "defects/redirects.html", {"redirects": open_requests,
                                                      "done_form": RedirectDoneForm(label_suffix="")})


@require_POST
@login_required
def redirect_done(request, redirect_id):
    user = request.user
    _require(user, *services.REDIRECT_ROLES)
    request_ = selectors.open_redirects(user).filter(pk=redirect_id).first()
    if request_ is None:
        if not RedirectRequest.objects.filter(pk=redirect_id, case__in=selectors.cases_for(user)).exists():
            raise Http404("No such redirect request.")
        messages.info(request, _("This redirect request is already done."))
        return redirect("redirects")
    form = RedirectDoneForm(request.POST)
    if not form.is_valid():
        return render(request, "defects/redirects.html", {
            "redirects": list(selectors.open_redirects(user)), "done_form": RedirectDoneForm(label_suffix=""),
            "failed": request_.pk, "failed_form": form}, status=400)
    try:
        services.complete_redirect(request_, user, form.cleaned_data.get("note", ""))
    except services.TransitionConflict:
        messages.info(request, _("This redirect request is already done."))
        return redirect("redirects")
    messages.success(request, _("Redirect request for %(reference)s marked done.") % {
        "reference": request_.case.reference})
    return redirect("redirects")
