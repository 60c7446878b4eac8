"""Letters and print batches: one function per action, each owning its transaction.

Rendering (slow, CPU-bound) always happens outside database transactions, in tasks; the rows
that say what must be rendered are written first, in the transaction of the action that caused
them, so a broker that is down loses nothing.
"""

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from defects.models import Event
from defects.timeline import record, record_many

from . import batches
# The print batches live in letters.batches; their actions are reached through this module too.
from .batches import (  # noqa: F401
    BatchConflict, after_commit as _after_commit, batch_letters, create_batch, mark_mailed, mark_printed,
    batches_needing_attention, render_batch, reprint_batch, retry_batch, sweep_batches, waiting_counts,
)
from .content import context_for, jsonable
from .models import Letter

logger = logging.getLogger(__name__)


def queue_letters(case, kinds, by=None) -> list[Letter]:
    """Rows for letters to make; call inside the action's transaction. Rendering follows commit."""
    from . import tasks

    language = getattr(getattr(case, "consumer", None), "language", "ja") or "ja"
    letters = []
    for kind in kinds:
        letter, created = Letter.objects.get_or_create(
            case=case, kind=kind, status__in=[s for s in Letter.Status.values if s != Letter.Status.CANCELLED],
            defaults={"language": language},
        )
        if created:
            letters.append(letter)
    for letter in letters:
        _after_commit(lambda pk=letter.pk: tasks.render_letter.delay(pk))
    return letters


def render_letter(letter_id: int) -> Letter | None:
    """Check one letter against the case as it is now: ready to print, or held with the reasons.

    Only the HTML is rendered here (milliseconds); pages are made in print batches, and a single
    letter's PDF only when someone asks to see it (render_letter_pdf). Safe to run twice.
    """
    from . import pdf  # WeasyPrint is heavy to import; only renderers pay for it

    letter = Letter.objects.select_related("case__consumer", "case__product", "case__factory").get(pk=letter_id)
    if letter.status != Letter.Status.QUEUED:
        return letter
    revision = letter.revision
    context = context_for(letter)
    problems = pdf.check_letter(letter.kind, context)
    with transaction.atomic():
        current = Letter.objects.select_for_update().get(pk=letter_id)
        if current.status != Letter.Status.QUEUED or current.revision != revision:
            return current  # someone changed it meanwhile; the newer revision has its own render
        current.context = jsonable(context)
        current.checked_revision = revision
        current.problems = problems
        current.rendered_at = timezone.now()
        current.status = Letter.Status.HELD if problems else Letter.Status.READY
        if problems:
            record(current.case, None, Event.Kind.LETTER, note=_("%(kind)s held by the letter check: %(problems)s") % {
                "kind": current.get_kind_display(), "problems": "; ".join(problems)},
                data={"letter": current.pk, "kind": current.kind, "action": "held"})
        current.save()
    return current


def render_letter_pdf(letter_id: int) -> Letter:
    """The PDF of one checked letter, for viewing or a single reprint; rendered outside any
    transaction and stored only if the letter did not change meanwhile."""
    from . import pdf

    letter = Letter.objects.select_related("case__consumer", "case__product", "case__factory").get(pk=letter_id)
    if letter.status in (Letter.Status.QUEUED, Letter.Status.HELD, Letter.Status.CANCELLED):
        return letter
    if letter.pdf_is_current:
        return letter
    revision = letter.revision
    content = pdf.render_one(letter.kind, context_for(letter))
    with transaction.atomic():
        current = Letter.objects.select_for_update().get(pk=letter_id)
        if current.revision == revision:
            current.pdf_revision = revision
            current.pdf.save(f"{current.case.reference}-{current.kind}-r{revision}.pdf", ContentFile(content),
                             save=True)
    return current


def requeue_letter(letter: Letter, by, reason: str) -> Letter:
    """Render again from the case as it is now (after an edit, an address change, a held check).

    A letter in a batch not yet printed stays in it: the batch's revision goes up, so a render in
    flight is void and the batch renders again with this letter's new revision (letters.batches).
    Any other letter is checked again and joins the next batch of its kind."""
    from . import tasks

    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == Letter.Status.CANCELLED:
            raise BatchConflict(_("This letter is cancelled."))
        was_printed = letter.status in (Letter.Status.PRINTED, Letter.Status.MAILED)
        in_batch = None
        if letter.status == Letter.Status.BATCHED and letter.batch_id:
            in_batch = batches.revise(letter.batch_id)
        letter.revision = F("revision") + 1
        letter.needs_reprint = False
        if in_batch is None:
            letter.status = Letter.Status.QUEUED
            letter.batch = None
        letter.save()
        if in_batch is not None:
            what = _("rendering again in print batch #%(batch)s") % {"batch": in_batch.pk}
        else:
            what = _("reprint") if was_printed else _("rendering")
        record(letter.case, by, Event.Kind.LETTER,
               note=_("%(kind)s queued for %(what)s: %(reason)s") % {
                   "kind": letter.get_kind_display(), "what": what, "reason": reason},
               data={"letter": letter.pk, "kind": letter.kind, "action": "requeued",
                     **({"batch": in_batch.pk} if in_batch is not None else {})})
        if in_batch is None:
            _after_commit(lambda: tasks.render_letter.delay(letter.pk))
    letter.refresh_from_db()
    return letter


def flag_for_reprint(letter: Letter, by, reason: str) -> Letter:
    """A letter already printed (or mailed) says something no longer true (e.g. the old address):
    flag it so the print room decides whether to print it again. Nothing is re-rendered here."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == Letter.Status.CANCELLED:
            raise BatchConflict(_("This letter can no longer be changed."))
        letter.needs_reprint = True
        letter.reprint_reason = reason[:200]
        letter.save(update_fields=["needs_reprint", "reprint_reason"])
        record(letter.case, by, Event.Kind.LETTER,
               note=_("%(kind)s was already %(status)s: flagged for reprint (%(reason)s)") % {
                   "kind": letter.get_kind_display(), "status": letter.get_status_display().lower(),
                   "reason": reason},
               data={"letter": letter.pk, "kind": letter.kind, "action": "flagged_for_reprint"})
    return letter


def reprint_letter(letter: Letter, by) -> Letter:
    """One letter again: it is rendered afresh and joins the next batch of its kind."""
    return requeue_letter(letter, by, _("reprint requested"))


def sweep_unrendered(limit: int = 500) -> int:
    """Queue renders for letters left waiting (e.g. the broker was down at commit time)."""
    from . import tasks

    stale = timezone.now() - datetime.timedelta(minutes=5)
    ids = list(Letter.objects.filter(status=Letter.Status.QUEUED, created_at__lt=stale)
               .values_list("pk", flat=True)[:limit])
    for pk in ids:
        tasks.render_letter.delay(pk)
    return len(ids)
