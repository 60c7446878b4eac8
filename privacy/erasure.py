"""Forgetting: erase one case's consumer personal data, keep the quality record.

`erase_case` is the single function that erases (the retention run and the consumer's APPI request
both call it). What it does, in one transaction per case:

- the Consumer's name, kana, address, phone and e-mail become ERASED, the postal code empty; it is
  saved with Consumer.save() so that anything computed there (search keys) is refreshed too;
- the address-history rows lose their old and new values (the timeline events point at them and
  stay as they are: append-only);
- contact summaries (ContactSummary, kept apart from the append-only contact rows) and the case's own
  free text that staff typed (description, store, no-sample reason, sample condition, withdrawal
  reason) are masked with the consumer's patterns, so the product facts in them stay;
- redirect requests lose the name and address, and their notes are masked;
- letter PDFs are deleted (files and references) and their stored render context emptied; print
  batch PDFs that contain one of the case's letters are deleted too (they print the consumer);
- an Erasure row (idempotence, and O(what is due) for the retention run), an access record and a
  timeline note without personal data say it was done.

Kept: the case (product, lot, category, dates, state), the factory's report and countermeasures,
the timeline, the letters' rows (kind, status, dates), the parcels.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from defects import personal_data, timeline
from defects.models import Consumer, ConsumerAddressHistory, ContactSummary, DefectCase, Event, RedirectRequest, State

from . import masking
from .models import Erasure, PersonalDataAccess

log = logging.getLogger(__name__)

ERASED = personal_data.ERASED
CONSUMER_TEXT_FIELDS = ("name", "name_kana", "address", "phone", "email")
CASE_TEXT_FIELDS = ("description", "store", "no_sample_reason", "sample_condition", "withdrawn_reason")


def retention_days() -> int:
    return int(getattr(settings, "HITOTSUBU_RETENTION_DAYS", 1095))


def cutoff(as_of: datetime.date | None = None) -> datetime.datetime:
    """Cases closed or withdrawn before this moment are due: the start of (as_of - retention) in
    the local time zone."""
    as_of = as_of or timezone.localdate()
    day = as_of - datetime.timedelta(days=retention_days())
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def due_cases(as_of: datetime.date | None = None):
    """Closed or withdrawn before the cutoff and not yet erased. Each side is served by a partial
    index holding only cases not yet erased (DefectCase.Meta.indexes): the run reads what is due,
    not every case ever closed."""
    before = cutoff(as_of)
    return (DefectCase.objects.filter(personal_data_erased_at__isnull=True)
            .filter(Q(closed_at__isnull=False, closed_at__lt=before, state=State.CLOSED)
                    | Q(withdrawn_at__isnull=False, withdrawn_at__lt=before, state=State.WITHDRAWN))
            .order_by("id"))


def expire(as_of: datetime.date | None = None, *, limit: int | None = None) -> list[str]:
    """Erase every due case; returns their references. Each case in its own transaction, so a
    failure stops nothing else and a rerun continues where this one stopped."""
    done = []
    cases = due_cases(as_of).values_list("pk", flat=True)
    for case_id in list(cases[:limit] if limit else cases):
        try:
            case = erase_case(case_id, by=None, reason=Erasure.Reason.RETENTION)
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            log.exception("Erasing the personal data of case %s failed", case_id)
            continue
        if case is not None:
            done.append(case.reference)
    return done


def erase_case(case_or_id, *, by, reason: str) -> DefectCase | None:
    """Erase one case's consumer personal data (see the module docstring). None if already erased."""
    case_id = case_or_id if isinstance(case_or_id, int) else case_or_id.pk
    files: list = []
    with transaction.atomic():
        case = DefectCase.objects.select_for_update().get(pk=case_id)
        if case.personal_data_erased_at is not None:
            return None
        consumer = Consumer.objects.select_for_update().filter(case=case).first()
        # Patterns of the data before it goes: the free text is masked with them.
        patterns = masking.patterns_for(consumer) if consumer else masking.Patterns({})
        _mask_case_text(case, patterns)
        _erase_contacts(case, patterns)
        _erase_history(case)
        _erase_redirects(case, patterns)
        letters_deleted, files = _forget_letters(case)
        if consumer is not None:
            for name in CONSUMER_TEXT_FIELDS:
                setattr(consumer, name, ERASED)
            consumer.postal_code = ""
            consumer.save()  # not update(): Consumer.save() recomputes what derives from the fields
        case.personal_data_erased_at = timezone.now()
        DefectCase.objects.filter(pk=case.pk).update(personal_data_erased_at=case.personal_data_erased_at)
        Erasure.objects.create(case=case, by=by, reason=reason, letters_deleted=letters_deleted)
        PersonalDataAccess.objects.create(user=by, case=case, what="erasure")
        with override(settings.LANGUAGE_CODE):
            note = (_("Personal data erased: the retention period is over.") if reason == Erasure.Reason.RETENTION
                    else _("Personal data erased at the consumer's request."))
        timeline.record(case, by, Event.Kind.NOTE, note=note,
                        data={"action": "personal_data_erased", "reason": reason, "letters_deleted": letters_deleted})
        # Files go once the transaction holds: a rollback keeps them.
        transaction.on_commit(lambda: _delete_files(files))
    return case


def _mask_case_text(case, patterns) -> None:
    changed = []
    for name in CASE_TEXT_FIELDS:
        value = getattr(case, name)
        masked = masking.mask(value, patterns) if value else value
        if masked != value:
            setattr(case, name, masked)
            changed.append(name)
    if changed:
        # update(): the case's state field is protected and nothing here is a transition.
        DefectCase.objects.filter(pk=case.pk).update(**{name: getattr(case, name) for name in changed})


def _erase_contacts(case, patterns) -> None:
    now = timezone.now()
    rows = list(ContactSummary.objects.select_for_update().filter(contact__case=case, erased_at__isnull=True))
    for row in rows:
        row.text = masking.mask(row.text, patterns)
        row.erased_at = now
    ContactSummary.objects.bulk_update(rows, ["text", "erased_at"])


def _erase_redirects(case, patterns) -> None:
    rows = list(RedirectRequest.objects.select_for_update().filter(case=case))
    for row in rows:
        row.to_name, row.to_postal_code, row.to_address = ERASED, "", ERASED
        row.note, row.done_note = masking.mask(row.note, patterns), masking.mask(row.done_note, patterns)
    RedirectRequest.objects.bulk_update(rows, ["to_name", "to_postal_code", "to_address", "note", "done_note"])


def _erase_history(case) -> None:
    ConsumerAddressHistory.objects.filter(case=case, erased_at__isnull=True).update(
        old={}, new={}, erased_at=timezone.now())


def _forget_letters(case) -> tuple[int, list]:
    from letters.models import Letter, PrintBatch

    files = []
    letters = list(Letter.objects.select_for_update().filter(case=case))
    deleted = 0
    for letter in letters:
        if letter.pdf:
            files.append((letter.pdf.storage, letter.pdf.name))
            deleted += 1
    Letter.objects.filter(case=case).update(pdf="", pdf_revision=None, context={})
    batches = PrintBatch.objects.filter(letters__case=case).exclude(Q(pdf="") | Q(pdf__isnull=True)).distinct()
    for batch in batches:
        files.append((batch.pdf.storage, batch.pdf.name))
    PrintBatch.objects.filter(pk__in=[b.pk for b in batches]).update(pdf="")
    return deleted, files


def _delete_files(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            log.warning("Could not delete %s; its reference is gone, delete the file by hand", name)
