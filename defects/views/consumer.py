"""The consumer's side: editing their details (hotline), the postal-code lookup that fills the address
as the operator types, and marking a promised follow-up done.
"""

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import addressing, personal_data, postal, roles, selectors, services
from ..forms import ConsumerForm
from ..models import Contact
from ..redirects import safe_next
from .case import case_page

# The postal-code fields a lookup may be asked for (the intake form's, the consumer edit form's) and
# the address field each fills.
ADDRESS_FIELDS = {"consumer_postal_code": "consumer_address", "postal_code": "address"}


@require_GET
@login_required
def postal_lookup(request):
    """htmx: the prefecture, city and town of a postal code, as a line under the field. The page's
    script (static/js/intake.js) decides whether to fill them into the address field: only the
    browser knows what the field holds when the answer arrives. Reads only; no network."""
    if not roles.sees_personal_data(request.user):
        raise PermissionDenied(_("Your role does not handle addresses."))
    name = next((n for n in ADDRESS_FIELDS if n in request.GET), "consumer_postal_code")
    text = request.GET.get(name, "")
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())
    context = {"found": None, "message": "", "code": digits}
    if not text.strip():
        return render(request, "defects/_postal_result.html", context)
    try:
        found = postal.lookup_postal_code(text)
    except addressing.AddressingError:
        if len(digits) < 7:
            context["message"] = _("A postal code has seven digits (e.g. 810-0001).")
            context["partial"] = True
        else:
            context["message"] = _("%(code)s is not in Japan Post's list of postal codes. Please check it with "
                                   "the consumer; the address can still be typed in full.") % {"code": text.strip()}
        return render(request, "defects/_postal_result.html", context)
    context.update(found=found, area=postal.area_of(found))
    return render(request, "defects/_postal_result.html", context)


@login_required
def consumer_edit(request, reference):
    """The hotline corrects the consumer's details (an address change before shipment is honoured:
    letters are made again, and a parcel already on its way gets a redirect request)."""
    user = request.user
    case = selectors.case_for(user, reference)
    if not roles.hotline(case, user):
        raise PermissionDenied(_("Only the hotline may change the consumer's details."))
    consumer = case.consumer
    status = 200
    if request.method == "POST":
        form = ConsumerForm(request.POST, partial=True, label_suffix="")
        if form.is_valid():
            try:
                services.change_consumer_address(case, user, form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("The consumer's details were saved. Letters not yet printed are made "
                                            "again; printed ones are flagged for reprint."))
                return redirect(reverse("case_detail", kwargs={"reference": case.reference}) + "#consumer")
        status = 400
    else:
        form = ConsumerForm(initial={name: getattr(consumer, name) for name in ConsumerForm.CONSUMER_FIELDS},
                            label_suffix="")
    fields = form.fields
    if "postal_code" in fields:
        fields["postal_code"].widget.attrs.update(inputmode="numeric", autocomplete="off", placeholder="8100001")
    if "phone" in fields:
        fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
    shipment = selectors.replacement_shipment(case)
    under_way = bool(shipment and shipment.status in ("shipped", "in_transit"))
    personal_data.accessed(user, [case], "consumer_form")
    return render(request, "defects/consumer_form.html",
                  {"case": case, "form": form, "under_way": under_way}, status=status)


@require_POST
@login_required
def follow_up_done(request, contact_id):
    """The promised call-back was made: from the case page or from the home page's overdue list."""
    user = request.user
    contact = Contact.objects.filter(pk=contact_id, case__in=selectors.cases_for(user)).select_related("case").first()
    if contact is None:
        raise Http404("No such contact.")
    next_url = safe_next(request, "case_detail", reference=contact.case.reference, refused="home")
    try:
        services.complete_follow_up(contact, user)
    except PermissionDenied:
        raise
    except services.TransitionConflict:
        messages.info(request, _("This follow-up was already marked done."))
        return redirect(next_url)
    except ValidationError:
        return case_page(request, contact.case, status=400, error=_("This contact promised no follow-up."))
    messages.success(request, _("Follow-up marked done for %(reference)s.") % {"reference": contact.case.reference})
    return redirect(next_url)
