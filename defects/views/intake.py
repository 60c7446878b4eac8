"""The hotline's intake form: one page, keyboard only, the reference read back at the end.

A double click (or a resent POST) must not open the case twice: the form carries a one-time token
kept in the session. The first POST that creates a case records which case the token made; a
second POST with the same token is sent to that case instead of creating another. The session row
is locked while a token is spent, so two POSTs racing each other see one another.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import duplicates, personal_data, roles, services
from ..forms import CaseIntakeForm
from .forms import tune_intake_form

TOKENS = "intake_tokens"  # session key: {token: case reference or "" while unused}
MAX_TOKENS = 20


def _new_token(request) -> str:
    tokens = dict(request.session.get(TOKENS) or {})
    token = uuid.uuid4().hex
    tokens[token] = ""
    # Keep the newest few: an operator may have several intake tabs open, never hundreds.
    request.session[TOKENS] = dict(list(tokens.items())[-MAX_TOKENS:])
    return token


def _lock_session(request):
    """Lock the session row (database sessions) and read the tokens as committed by other requests."""
    key = request.session.session_key
    if key and Session.objects.select_for_update().filter(session_key=key).values_list("pk", flat=True).first():
        stored = request.session.__class__(session_key=key).load()
        return dict(stored.get(TOKENS) or {})
    return dict(request.session.get(TOKENS) or {})


def _render(request, form, status=200, warnings=None):
    return render(request, "defects/intake.html", {"form": form, "intake_token": _new_token(request),
                                                   "personal_data_warnings": warnings or []}, status=status)


# Free text of the intake that factory users read: the operator is warned when it quotes the consumer.
FACTORY_READ_FIELDS = ("description", "store")


def personal_data_warnings(form) -> list[dict]:
    cleaned = form.cleaned_data
    consumer = {name: cleaned.get(f"consumer_{name}") or "" for name in
                ("name", "name_kana", "postal_code", "address", "phone", "email")}
    warnings = personal_data.warnings_for(consumer, {name: cleaned.get(name) or "" for name in FACTORY_READ_FIELDS})
    for warning in warnings:
        warning["label"] = form.fields[warning["field"]].label
    return warnings


def _require_hotline(user):
    if not roles.has_role(user, roles.HOTLINE):
        raise PermissionDenied(_("Only the hotline opens cases."))


@require_GET
@login_required
def intake_duplicates(request):
    """htmx, while the operator types: this caller's other cases (same phone, or same name and postal
    code; open or from the last 12 months), each with its state and a link to open it instead."""
    _require_hotline(request.user)
    found = duplicates.possible_duplicates(
        phone=request.GET.get("consumer_phone", ""), name=request.GET.get("consumer_name", ""),
        postal_code=request.GET.get("consumer_postal_code", ""))
    return render(request, "defects/_duplicates.html", {"duplicates": found})


@login_required
def case_new(request):
    _require_hotline(request.user)
    if request.method != "POST":
        return _render(request, tune_intake_form(CaseIntakeForm()))
    form = tune_intake_form(CaseIntakeForm(request.POST))
    token = request.POST.get("intake_token", "")
    with transaction.atomic():
        tokens = _lock_session(request) if token else {}
        made = tokens.get(token)
        if made:
            messages.info(request, _("This case was already opened (the form was sent twice): %(reference)s")
                          % {"reference": made}, extra_tags="reference")
            return redirect("case_detail", reference=made)
        if not form.is_valid():
            return _render(request, form, status=400)
        # Asked once: the first submit that quotes the consumer in text a factory reads shows the
        # warning and a "save as it is" button; that button (or a corrected text) saves.
        warnings = personal_data_warnings(form)
        if warnings and request.POST.get("personal_data_confirmed") != "1":
            # The cursor goes to the text to correct, not back to the consumer's name.
            form.fields["consumer_name"].widget.attrs.pop("autofocus", None)
            form.fields[warnings[0]["field"]].widget.attrs["autofocus"] = True
            return _render(request, form, warnings=warnings)
        case = services.open_case(request.user, form.cleaned_data)
        if token:
            tokens = {**dict(request.session.get(TOKENS) or {}), **tokens, token: case.reference}
            request.session[TOKENS] = dict(list(tokens.items())[-MAX_TOKENS:])
            request.session.save()  # in this transaction: the racing POST waits for it
    messages.success(
        request, _("Case opened. Please read the reference to the consumer: %(reference)s")
        % {"reference": case.reference}, extra_tags="reference",
    )
    return redirect("case_detail", reference=case.reference)
