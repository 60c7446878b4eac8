"""The print room: letters waiting by kind, print batches with a live progress bar, downloads,
printed/mailed marks, reprints, held letters, and a preview per kind for template authors.

Letters carry names and addresses: only roles that see personal data come in here, and only the
mail room (or an admin) runs batches.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from defects import personal_data, roles, selectors
from defects.redirects import safe_next

from . import services
from .models import Kind, Letter, PrintBatch
from .samples import sample_context


def _require_personal_data(user):
    if not roles.sees_personal_data(user):
        raise PermissionDenied(_("Letters carry personal data; your role may not see them."))


def _require_print_room(user):
    if not roles.has_role(user, roles.MAILROOM, roles.ADMIN):
        raise PermissionDenied(_("Only the print and mail room may run print batches."))


@require_GET
@login_required
def print_room(request):
    _require_personal_data(request.user)
    counts = services.waiting_counts()
    context = {
        "kinds": [(kind, label, counts[kind]) for kind, label in Kind.choices],
        "batches": PrintBatch.objects.select_related("created_by")[:20],
        "attention": services.batches_needing_attention()[:50],
        "held": Letter.objects.filter(status=Letter.Status.HELD).select_related("case")[:100],
        "reprints": Letter.objects.filter(needs_reprint=True).exclude(status=Letter.Status.CANCELLED)
        .select_related("case")[:100],
        "can_print": roles.has_role(request.user, roles.MAILROOM, roles.ADMIN),
    }
    return render(request, "printroom/index.html", context)


@require_POST
@login_required
def batch_create(request):
    _require_print_room(request.user)
    try:
        batch = services.create_batch(request.POST.get("kind", ""), request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for msgs in error.message_dict.values() for m in msgs))
        return redirect("print_room")
    return redirect("print_batch", batch_id=batch.pk)


def _progress_context(request, batch) -> dict:
    return {"batch": batch, "busy": batch.status in ("queued", "rendering"),
            "can_retry": batch.status == PrintBatch.Status.FAILED or batch.is_stuck}


def _batch_page(request, batch, status=200):
    letters = list(services.batch_letters(batch).select_related("case__consumer"))
    personal_data.accessed(request.user, [letter.case_id for letter in letters], "print_room")
    return render(request, "printroom/batch.html", {"letters": letters, **_progress_context(request, batch)},
                  status=status)


@require_GET
@login_required
def batch_detail(request, batch_id):
    _require_print_room(request.user)
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "printroom/_progress.html", _progress_context(request, batch))
    return _batch_page(request, batch)


@require_GET
@login_required
def batch_pdf(request, batch_id):
    _require_print_room(request.user)
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    if batch.status != PrintBatch.Status.READY or not batch.pdf:
        raise Http404(_("The batch is not ready."))
    personal_data.accessed(request.user, list(batch.letters.values_list("case_id", flat=True)), "batch_pdf")
    # "Download" downloads (Content-Disposition: attachment), the file named for the print room's folder.
    return FileResponse(batch.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"batch-{batch.pk}-{batch.kind}.pdf")


BATCH_ACTIONS = {
    "mark-printed": (services.mark_printed, _("Marked printed; each case's timeline says so.")),
    "mark-mailed": (services.mark_mailed, _("Marked mailed.")),
    "reprint": (services.reprint_batch, _("The batch is being rendered again for reprinting.")),
    "retry": (services.retry_batch, _("The batch is being rendered again.")),
}


@require_POST
@login_required
def batch_action(request, batch_id, action):
    _require_print_room(request.user)
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    if action not in BATCH_ACTIONS:
        raise Http404()
    run, done = BATCH_ACTIONS[action]
    try:
        batch = run(batch, request.user)
    except services.BatchConflict as conflict:
        messages.error(request, str(conflict))
        return _batch_page(request, batch, status=409)
    messages.success(request, str(done))
    return redirect("print_batch", batch_id=batch.pk)


def _letter_for(user, letter_id) -> Letter:
    _require_personal_data(user)
    letter = get_object_or_404(Letter.objects.select_related("case"), pk=letter_id)
    selectors.case_for(user, letter.case.reference)
    return letter


@require_GET
@login_required
def letter_pdf(request, letter_id):
    from .api import PDF_UNAVAILABLE, current_letter_pdf

    letter = _letter_for(request.user, letter_id)
    if personal_data.is_erased(letter.case):
        raise Http404(_("The consumer's personal data was erased; the letter is no longer kept."))
    if letter.status in PDF_UNAVAILABLE:
        raise Http404(_("This letter has not passed the letter check."))
    letter = current_letter_pdf(letter)
    if not letter.pdf_is_current:
        return HttpResponse(_("The PDF is being rendered; reload in a moment."), status=202)
    personal_data.accessed(request.user, [letter.case], "letter_pdf")
    return FileResponse(letter.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{letter.case.reference}-{letter.kind}.pdf")


@require_POST
@login_required
def letter_requeue(request, letter_id):
    """Reprint (mail room) or, for a held letter, check and render again after a fix (QA manager)."""
    letter = _letter_for(request.user, letter_id)
    if not (roles.has_role(request.user, roles.MAILROOM, roles.ADMIN)
            or (letter.status == Letter.Status.HELD and roles.has_role(request.user, roles.QA_MANAGER))):
        raise PermissionDenied(_("Your role may not reprint letters."))
    try:
        services.reprint_letter(letter, request.user)
    except services.BatchConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("print_room")
    messages.success(request, _("The letter will be rendered again and join the next batch of its kind."))
    return redirect(safe_next(request, "print_room"))


@require_GET
@login_required
def preview(request, kind):
    """A letter of this kind with sample data, for template authors (never a real consumer's)."""
    _require_personal_data(request.user)
    if kind not in Kind.values:
        raise Http404()
    from . import pdf

    language = "en" if request.GET.get("language") == "en" else "ja"
    context = sample_context(kind, language)
    if request.GET.get("format") == "pdf":
        # One sample letter renders in well under a second; batches never render in a request.
        response = HttpResponse(pdf.render_one(kind, context), content_type="application/pdf")
        # Shown in the preview page's frame: this site may frame it, no other (CSP and X-Frame-Options).
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_replace = {"frame-ancestors": ["'self'"]}
        return response
    return render(request, "printroom/preview.html", {
        "kind": kind, "label": Kind(kind).label, "language": language,
        "problems": pdf.check_letter(kind, context), "kinds": Kind.choices,
    })
