"""What a locked-out login sees (settings.AXES_LOCKOUT_CALLABLE), in the reader's language.

The login page shows itself again with the reason and status 429; the API answers 429 in the API's
error shape ({"detail", "code"}). The cool-off is the same as the counting window (AXES_COOLOFF_TIME).
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins for this username from your address: logging in is locked for "
             "%(minutes)d minutes. Ask an administrator if you need in sooner.") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    else:
        # Unbound: validating the posted form would call authenticate() once more.
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        response = render(request, "registration/login.html",
                          {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")},
                          status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
