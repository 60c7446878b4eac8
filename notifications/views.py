from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import Kind, Notification


@login_required
def notification_list(request):
    page = Paginator(services.visible(request.user).select_related("case"), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        services.mark_read(request.user, pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error
    return redirect("notifications")


@login_required
def notification_preferences(request):
    if request.method == "POST":
        for kind in Kind.values:
            services.set_preference(request.user, kind, in_app=f"{kind}:in_app" in request.POST,
                                    email=f"{kind}:email" in request.POST)
        return redirect("notification_preferences")
    prefs = services.preferences(request.user)
    rows = [(kind, label, *prefs[kind]) for kind, label in Kind.choices]
    return render(request, "notifications/preferences.html", {"rows": rows})


def case_status_page(request):
    """Public: a phone-sized form; the answer is the stage in plain words and its dates."""
    from . import status as case_status

    context, code = {}, 200
    if request.method == "POST":
        address = case_status.client_address(request)
        context["reference"] = (request.POST.get("reference") or "")[:30]
        if case_status.blocked(address):
            context["error"], code = _("Too many wrong tries. Please try again in an hour."), 429
        else:
            case = case_status.lookup(request.POST.get("reference", ""), request.POST.get("phone_last4", ""), address)
            if case is None:
                context["error"], code = _("No case matches this reference and phone number."), 404
            else:
                found = case_status.status_of(case)
                context["found"] = found
                context["rows"] = [(case_status.DATE_LABELS[k], v) for k, v in found["dates"].items()]
    return render(request, "notifications/status.html", context, status=code)
