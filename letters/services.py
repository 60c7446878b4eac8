"""Letters and print batches: one function per action, each owning its transaction.

Rendering (slow, CPU-bound) always happens outside database transactions, in tasks; the rows
that say what must be rendered are written first, in the transaction of the action that caused
them, so a broker that is down loses nothing.
"""

import datetime
import logging
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from defects.models import Event
from defects.timeline import record, record_many

from .content import context_for, jsonable
from .models import Kind, Letter, PrintBatch

logger = logging.getLogger(__name__)


def _after_commit(enqueue) -> None:
    # robust: the action has committed; a broker that is down (or, in the demo, a render that fails
    # inline) must not turn it into an error page. The letter row stays queued and the periodic
    # sweep picks it up again.
    transaction.on_commit(enqueue, robust=True)


class BatchConflict(Exception):
    """The batch is not in a status that allows the action (answered as 409)."""


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
    """Render again from the case as it is now (after an edit, an address change, a held check)."""
    from . import tasks

    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == Letter.Status.CANCELLED:
            raise BatchConflict(_("This letter is cancelled."))
        was_printed = letter.status in (Letter.Status.PRINTED, Letter.Status.MAILED)
        if letter.status == Letter.Status.BATCHED and letter.batch_id:
            _drop_from_unprinted_batch(letter.batch_id)
        letter.status = Letter.Status.QUEUED
        letter.revision = F("revision") + 1
        letter.batch = None
        letter.needs_reprint = False
        letter.save()
        record(letter.case, by, Event.Kind.LETTER,
               note=_("%(kind)s queued for %(what)s: %(reason)s") % {
                   "kind": letter.get_kind_display(), "what": _("reprint") if was_printed else _("rendering"),
                   "reason": reason},
               data={"letter": letter.pk, "kind": letter.kind, "action": "requeued"})
        _after_commit(lambda: tasks.render_letter.delay(letter.pk))
    letter.refresh_from_db()
    return letter


def _drop_from_unprinted_batch(batch_id: int) -> None:
    """A letter leaves a batch not yet printed: the batch's PDF must not carry its old version,
    so the batch is rendered again without it (or is emptied, if it was the last letter)."""
    from . import tasks

    batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
    if batch.printed_at:
        return
    batch.count = max(batch.count - 1, 0)
    batch.status = PrintBatch.Status.QUEUED if batch.count else PrintBatch.Status.FAILED
    batch.error = "" if batch.count else _("Every letter left this batch.")
    batch.progress = 0.0
    batch.save()
    if batch.count:
        _after_commit(lambda: tasks.render_batch.delay(batch_id))


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


# --- print batches ------------------------------------------------------------------------

def waiting_counts() -> dict[str, int]:
    counts = {kind: 0 for kind in Kind.values}
    waiting = (Letter.objects.filter(status=Letter.Status.READY, batch__isnull=True)
               .values("kind").annotate(n=Count("id")))
    counts.update({row["kind"]: row["n"] for row in waiting})
    return counts


def create_batch(kind: str, by, limit: int | None = None) -> PrintBatch:
    """Claim the waiting letters of one kind, in postal-code order, for one print-ready PDF."""
    from . import tasks

    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Unknown letter kind.")]})
    with transaction.atomic():
        # skip_locked: two people pressing "print" at once get disjoint batches, never the same letter.
        waiting = (Letter.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(kind=kind, status=Letter.Status.READY, batch__isnull=True)
                   .order_by("case__consumer__postal_code", "id"))
        ids = list(waiting.values_list("pk", flat=True)[:limit] if limit else waiting.values_list("pk", flat=True))
        if not ids:
            raise ValidationError({"kind": [_("No letters of this kind are waiting to print.")]})
        batch = PrintBatch.objects.create(kind=kind, created_by=by, count=len(ids))
        claimed = Letter.objects.filter(pk__in=ids, batch__isnull=True, status=Letter.Status.READY).update(
            batch=batch, status=Letter.Status.BATCHED)
        if claimed != len(ids):
            raise RuntimeError("Letters changed while being claimed.")
        _after_commit(lambda: tasks.render_batch.delay(batch.pk))
    return batch


def batch_letters(batch: PrintBatch):
    """The batch's letters in print order, with everything their contexts read fetched up front
    (no query per letter, whatever the kind)."""
    return (batch.letters.select_related("case__consumer", "case__product", "case__factory", "case__investigation",
                            "case__adopted_from__investigation")
            .prefetch_related("case__shipments__items__product")
            .order_by("case__consumer__postal_code", "id"))


def render_batch(batch_id: int) -> PrintBatch:
    """Render a batch into one PDF. Idempotent: a ready batch is left alone; a failed or
    interrupted one is rendered again from its letters, which it never loses."""
    from . import pdf

    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == PrintBatch.Status.READY:
            return batch
        batch.status = PrintBatch.Status.RENDERING
        batch.progress = 0.0
        batch.attempts += 1
        batch.started_at = timezone.now()
        batch.error = ""
        batch.save()
    today = timezone.localdate()
    contexts = [context_for(letter, today) for letter in batch_letters(batch)]

    def progress(fraction: float) -> None:
        PrintBatch.objects.filter(pk=batch_id).update(progress=round(min(max(fraction, 0.0), 0.99), 3))

    try:
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / f"batch-{batch_id}.pdf"
            pdf.render_batch(batch.kind, contexts, target, progress=progress)
            with transaction.atomic():
                batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
                with target.open("rb") as handle:
                    batch.pdf.save(f"batch-{batch_id}-{batch.kind}.pdf", File(handle), save=False)
                batch.status = PrintBatch.Status.READY
                batch.progress = 1.0
                batch.finished_at = timezone.now()
                batch.save()
    except Exception as error:  # noqa: BLE001 - any render failure must leave the batch retryable
        logger.exception("Print batch %s failed", batch_id)
        PrintBatch.objects.filter(pk=batch_id).update(status=PrintBatch.Status.FAILED, error=str(error)[:2000],
                                                      finished_at=timezone.now())
    return PrintBatch.objects.get(pk=batch_id)


def retry_batch(batch: PrintBatch, by) -> PrintBatch:
    from . import tasks

    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PrintBatch.Status.FAILED:
            raise BatchConflict(_("Only a failed batch can be retried."))
        batch.status = PrintBatch.Status.QUEUED
        batch.progress = 0.0
        batch.save()
        _after_commit(lambda: tasks.render_batch.delay(batch.pk))
    return batch


def _letter_events(letters, by, action: str, text: str) -> None:
    """One timeline row per letter's case, written in one INSERT: a batch may hold thousands."""
    actor = by if by is not None and by.is_authenticated else None
    record_many([
        Event(case_id=letter.case_id, actor=actor, kind=Event.Kind.LETTER,
              note=text % {"kind": letter.get_kind_display()},
              data={"letter": letter.pk, "kind": letter.kind, "action": action, "batch": letter.batch_id})
        for letter in letters.only("id", "case_id", "kind", "batch_id")
    ])


def mark_printed(batch: PrintBatch, by) -> PrintBatch:
    """The sheets came out of the printer: each letter's case says so in its timeline."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PrintBatch.Status.READY or batch.printed_at:
            raise BatchConflict(_("Only a rendered batch that is not yet printed can be marked printed."))
        now = timezone.now()
        _letter_events(batch.letters.filter(status=Letter.Status.BATCHED), by, "printed", _("%(kind)s printed"))
        batch.letters.filter(status=Letter.Status.BATCHED).update(status=Letter.Status.PRINTED, printed_at=now)
        batch.printed_at = now
        batch.printed_by = by
        batch.save()
    return batch


def mark_mailed(batch: PrintBatch, by) -> PrintBatch:
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.printed_at or batch.mailed_at:
            raise BatchConflict(_("Only a printed batch that is not yet mailed can be marked mailed."))
        now = timezone.now()
        _letter_events(batch.letters.filter(status=Letter.Status.PRINTED), by, "mailed", _("%(kind)s mailed"))
        batch.letters.filter(status=Letter.Status.PRINTED).update(status=Letter.Status.MAILED, mailed_at=now)
        batch.mailed_at = now
        batch.save()
    return batch


def reprint_batch(batch: PrintBatch, by) -> PrintBatch:
    """Print the whole batch again (paper jam, wrong stock): same letters, a fresh PDF."""
    from . import tasks

    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.printed_at or batch.mailed_at:
            raise BatchConflict(_("Only a printed batch that is not yet mailed can be reprinted."))
        _letter_events(batch.letters.filter(status=Letter.Status.PRINTED), by, "reprint",
                       _("%(kind)s sent for reprint with its batch"))
        batch.letters.filter(status=Letter.Status.PRINTED).update(status=Letter.Status.BATCHED, printed_at=None)
        batch.status = PrintBatch.Status.QUEUED
        batch.printed_at = None
        batch.progress = 0.0
        batch.save()
        _after_commit(lambda: tasks.render_batch.delay(batch.pk))
    return batch


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
