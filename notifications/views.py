from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
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
