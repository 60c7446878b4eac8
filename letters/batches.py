"""Print batches: claim the waiting letters, render them into one PDF, print, mail, reprint.

A batch always finishes or fails where the print room sees it:

- a render claims the batch with a token and a lease (HITOTSUBU_BATCH_LEASE_SECONDS) that it renews
  as chunks of pages finish; a render that stops renewing (worker killed, database connection
  lost) is presumed dead, and sweep_batches (beat, every minute) queues the batch again;
- a batch created while the broker was down is still `queued` when the sweep looks, and is sent
  again; sending twice is harmless, since only one render holds the claim;
- each batch has a revision, bumped when one of its letters changes (reprint, address change). A
  render compares the revision when it finishes, under the batch's row lock, and a stale result is
  thrown away and the batch renders again: a letter is printed in one batch per revision;
- a render lost too often (MAX_INTERRUPTIONS) fails with the reason, and a person may retry a failed
  or stuck batch.

Rendering (slow, CPU-bound) happens outside transactions; every state change is a short
transaction on the batch's row.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from defects.models import Event
from defects.timeline import record, record_many

from .content import context_for, jsonable
from .leases import MAX_INTERRUPTIONS, lease_seconds, sweep_seconds
from .models import Kind, Letter, PrintBatch

logger = logging.getLogger(__name__)


def after_commit(enqueue) -> None:
    # robust: the action has committed; a broker that is down (or, in the demo, a render that fails
    # inline) must not turn it into an error page. The rows stay queued and a periodic sweep picks
    # them up again.
    transaction.on_commit(enqueue, robust=True)


class BatchConflict(Exception):
    """The batch is not in a status that allows the action (answered as 409)."""


class RenderVoid(Exception):
    """This render no longer holds the batch, or the batch changed under it: its result is void."""


def _send(batch_id: int) -> None:
    from . import tasks

    after_commit(lambda: tasks.render_batch.delay(batch_id))


def _requeue(batch: PrintBatch, now) -> None:
    """Back to the queue (call with the row locked, then save): any render in flight loses its claim."""
    batch.status = PrintBatch.Status.QUEUED
    batch.claim_token = ""
    batch.lease_expires_at = None
    batch.progress = 0.0
    batch.queued_at = now
    _send(batch.pk)


def revise(batch_id: int) -> PrintBatch | None:
    """A letter of this batch changed (call inside the change's transaction, before its commit):
    the batch's revision goes up, so a render in flight is void, and a rendered batch renders again.
    A printed batch is left alone: its paper exists, the letter goes into a new batch instead."""
    batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
    if batch.printed_at:
        return None
    batch.revision += 1
    if batch.status == PrintBatch.Status.READY:
        _requeue(batch, timezone.now())
    # queued: the queued render picks up the new revision; rendering: that render sees the new revision
    # at its next chunk or when it finishes, and queues the batch again; failed: a person retries it.
    batch.save()
    return batch


def waiting_counts() -> dict[str, int]:
    counts = {kind: 0 for kind in Kind.values}
    waiting = (Letter.objects.filter(status=Letter.Status.READY, batch__isnull=True)
               .values("kind").annotate(n=Count("id")))
    counts.update({row["kind"]: row["n"] for row in waiting})
    return counts


def create_batch(kind: str, by, limit: int | None = None) -> PrintBatch:
    """Claim the waiting letters of one kind, in postal-code order, for one print-ready PDF."""
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
        _send(batch.pk)
    return batch


def batch_letters(batch: PrintBatch):
    """The batch's letters in print order, with everything their contexts read fetched up front
    (no query per letter, whatever the kind)."""
    return (batch.letters.select_related("case__consumer", "case__product", "case__factory", "case__investigation",
                                         "case__adopted_from__investigation")
            .prefetch_related("case__shipments__items__product")
            .order_by("case__consumer__postal_code", "id"))


# --- rendering --------------------------------------------------------------------------------

def claim(batch_id: int) -> tuple[PrintBatch, str] | None:
    """Take the batch for one render, or None when there is nothing to do: it is rendered, failed
    (a person retries it), or another render holds a live lease (this delivery is a duplicate)."""
    now = timezone.now()
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (PrintBatch.Status.READY, PrintBatch.Status.FAILED):
            return None
        if batch.status == PrintBatch.Status.RENDERING:
            if batch.lease_expires_at and batch.lease_expires_at > now:
                return None
            batch.interruptions += 1  # its render died without a word
            if batch.interruptions >= MAX_INTERRUPTIONS:
                _fail(batch, now, _interrupted_message(batch.interruptions))
                batch.save()
                return None
        token = uuid.uuid4().hex
        batch.status = PrintBatch.Status.RENDERING
        batch.claim_token = token
        batch.claimed_at = batch.started_at = now
        batch.lease_expires_at = now + datetime.timedelta(seconds=lease_seconds())
        batch.attempts += 1
        batch.progress = 0.0
        batch.error = ""
        batch.save()
    return batch, token


def _interrupted_message(times: int) -> str:
    return _("Rendering was interrupted %(n)s times (the worker stopped or lost its database connection). "
             "Retry when the workers are healthy.") % {"n": times}


def _fail(batch: PrintBatch, now, message: str) -> None:
    batch.status = PrintBatch.Status.FAILED
    batch.error = message[:2000]
    batch.finished_at = now
    batch.claim_token = ""
    batch.lease_expires_at = None


def _check_changed_letters(batch_id: int, token: str, revision: int, letters: list, contexts: list):
    """Letters whose revision changed since the letter check passed them (a reprint or an address
    change while in the batch) are checked again; one that now fails leaves the batch, held with the
    reasons. Returns the letters and contexts to render."""
    from . import pdf

    changed = [i for i, letter in enumerate(letters) if letter.checked_revision != letter.revision]
    if not changed:
        return letters, contexts
    problems = {i: pdf.check_letter(letters[i].kind, contexts[i]) for i in changed}
    now = timezone.now()
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
        if batch.claim_token != token or batch.revision != revision:
            raise RenderVoid()
        held = []
        for i in changed:
            letter = letters[i]
            Letter.objects.filter(pk=letter.pk, revision=letter.revision).update(
                checked_revision=letter.revision, context=jsonable(contexts[i]), problems=problems[i],
                rendered_at=now)
            if problems[i]:
                held.append(i)
                Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.HELD, batch=None)
                record(letter.case, None, Event.Kind.LETTER,
                       note=_("%(kind)s held by the letter check: %(problems)s") % {
                           "kind": letter.get_kind_display(), "problems": "; ".join(problems[i])},
                       data={"letter": letter.pk, "kind": letter.kind, "action": "held", "batch": batch_id})
        if held:
            batch.count = max(batch.count - len(held), 0)
            if not batch.count:
                _fail(batch, now, _("Every letter left this batch."))
            batch.save()
    keep = [i for i in range(len(letters)) if i not in set(held)]
    if not keep:
        raise RenderVoid()
    return [letters[i] for i in keep], [contexts[i] for i in keep]


def render_batch(batch_id: int) -> PrintBatch:
    """Render a batch into one PDF. Safe to deliver twice: only the render holding the claim works,
    and only a result made from the batch's current revision is kept."""
    from . import pdf

    claimed = claim(batch_id)
    if claimed is None:
        return PrintBatch.objects.get(pk=batch_id)
    batch, token = claimed
    revision = batch.revision
    lease = datetime.timedelta(seconds=lease_seconds())

    def progress(fraction: float) -> None:
        # A sign of life: renews the lease. Nobody else's claim and no newer revision, or this render stops.
        alive = PrintBatch.objects.filter(pk=batch_id, claim_token=token, revision=revision).update(
            progress=round(min(max(fraction, 0.0), 0.99), 3), lease_expires_at=timezone.now() + lease)
        if not alive:
            raise RenderVoid()

    try:
        today = timezone.localdate()
        letters = list(batch_letters(batch))
        contexts = [context_for(letter, today) for letter in letters]
        letters, contexts = _check_changed_letters(batch_id, token, revision, letters, contexts)
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / f"batch-{batch_id}.pdf"
            pdf.render_batch(batch.kind, contexts, target, progress=progress)
            _finish(batch_id, token, revision, target)
    except RenderVoid:
        _void(batch_id, token)
    except (OperationalError, InterfaceError) as error:
        # The database went away under the render (connection killed, failover): not the batch's fault.
        # Give the claim back on a fresh connection and go again; if the database is still down, the
        # lease runs out and the sweep does it.
        logger.warning("Print batch %s lost its database connection while rendering: %s", batch_id, error)
        _reconnect()
        _give_back(batch_id, token)
    except Exception as error:  # noqa: BLE001 - any render failure must leave the batch visible and retryable
        logger.exception("Print batch %s failed", batch_id)
        with transaction.atomic():
            current = PrintBatch.objects.select_for_update().get(pk=batch_id)
            if current.claim_token == token:
                _fail(current, timezone.now(), str(error))
                current.save()
    return PrintBatch.objects.get(pk=batch_id)


def _finish(batch_id: int, token: str, revision: int, target: Path) -> None:
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
        if batch.claim_token != token or batch.revision != revision:
            raise RenderVoid()
        with target.open("rb") as handle:
            batch.pdf.save(f"batch-{batch_id}-{batch.kind}.pdf", File(handle), save=False)
        batch.status = PrintBatch.Status.READY
        batch.progress = 1.0
        batch.finished_at = timezone.now()
        batch.rendered_revision = revision
        batch.claim_token = ""
        batch.lease_expires_at = None
        batch.interruptions = 0
        batch.save()


def _void(batch_id: int, token: str) -> None:
    """This render's result is void. If it still holds the claim (the batch changed under it), the
    batch goes back to the queue for a render of the new revision; otherwise another render has it."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
        if batch.claim_token == token and batch.status == PrintBatch.Status.RENDERING:
            logger.info("Print batch %s changed while rendering (revision %s): rendering again", batch_id,
                        batch.revision)
            _requeue(batch, timezone.now())
            batch.save()


def _reconnect() -> None:
    # A broken connection is dropped, so that the next query opens a new one. Never inside an outer
    # transaction (there is none in a task; a test's would be lost).
    if not connection.in_atomic_block:
        connection.close()


def _give_back(batch_id: int, token: str) -> None:
    try:
        with transaction.atomic():
            batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
            if batch.claim_token != token:
                return
            batch.interruptions += 1
            if batch.interruptions >= MAX_INTERRUPTIONS:
                _fail(batch, timezone.now(), _interrupted_message(batch.interruptions))
            else:
                _requeue(batch, timezone.now())
            batch.save()
    except DatabaseError:
        logger.exception("Print batch %s: could not give the claim back; the lease sweep will", batch_id)
        _reconnect()


def sweep_batches(now=None, limit: int = 100) -> dict[str, int]:
    """Every minute (beat): batches whose render's lease ran out are queued again (or fail after
    MAX_INTERRUPTIONS); batches still queued a sweep interval after they were sent are sent again
    (the broker was down at commit, or the message was lost). Sending twice is harmless."""
    now = now or timezone.now()
    done = {"requeued": 0, "resent": 0, "failed": 0}
    expired = PrintBatch.objects.filter(status=PrintBatch.Status.RENDERING, lease_expires_at__lt=now)
    for batch_id in expired.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            batch = (PrintBatch.objects.select_for_update(skip_locked=True)
                     .filter(pk=batch_id, status=PrintBatch.Status.RENDERING, lease_expires_at__lt=now).first())
            if batch is None:
                continue
            batch.interruptions += 1
            if batch.interruptions >= MAX_INTERRUPTIONS:
                _fail(batch, now, _interrupted_message(batch.interruptions))
                done["failed"] += 1
            else:
                _requeue(batch, now)
                done["requeued"] += 1
            batch.save()
    forgotten = now - datetime.timedelta(seconds=sweep_seconds())
    waiting = PrintBatch.objects.filter(status=PrintBatch.Status.QUEUED, queued_at__lt=forgotten)
    for batch_id in waiting.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            if PrintBatch.objects.filter(pk=batch_id, status=PrintBatch.Status.QUEUED,
                                         queued_at__lt=forgotten).update(queued_at=now):
                _send(batch_id)
                done["resent"] += 1
    if any(done.values()):
        logger.warning("Print batch sweep: %s", done)
    return done


# --- the people's actions ---------------------------------------------------------------------

def retry_batch(batch: PrintBatch, by) -> PrintBatch:
    """A failed batch, or one stuck (never picked up, or its render stopped), renders again."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PrintBatch.Status.FAILED and not batch.is_stuck:
            raise BatchConflict(_("Only a failed or stuck batch can be retried."))
        if not batch.count:
            raise BatchConflict(_("Every letter left this batch."))
        batch.interruptions = 0
        batch.error = ""
        _requeue(batch, timezone.now())
        batch.save()
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
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.printed_at or batch.mailed_at:
            raise BatchConflict(_("Only a printed batch that is not yet mailed can be reprinted."))
        _letter_events(batch.letters.filter(status=Letter.Status.PRINTED), by, "reprint",
                       _("%(kind)s sent for reprint with its batch"))
        batch.letters.filter(status=Letter.Status.PRINTED).update(status=Letter.Status.BATCHED, printed_at=None)
        batch.printed_at = None
        batch.revision += 1
        batch.interruptions = 0
        _requeue(batch, timezone.now())
        batch.save()
    return batch


def batches_needing_attention(now=None):
    """Failed batches not yet printed, and stuck ones (no worker took them within the lease, or their
    render's lease ran out), oldest first: what the print room shows at the top."""
    from django.db.models import Q

    now = now or timezone.now()
    return (PrintBatch.objects.filter(
        Q(status=PrintBatch.Status.FAILED, printed_at__isnull=True, count__gt=0)
        | Q(status=PrintBatch.Status.RENDERING, lease_expires_at__lt=now)
        | Q(status=PrintBatch.Status.QUEUED, queued_at__lt=now - datetime.timedelta(seconds=lease_seconds())))
        .order_by("created_at", "id"))
