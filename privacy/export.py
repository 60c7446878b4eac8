"""What we hold about one consumer (APPI Art. 33), as JSON or CSV, for the admin to hand over.

Everything personal that belongs to the case: the consumer's details, the history of their changes,
what they told us (contact summaries), the free text staff wrote about the case, redirect requests,
the letters sent to them and who looked at their data. Exporting is itself logged (an access record
and a timeline note without personal data).
"""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from defects import timeline
from defects.models import ConsumerAddressHistory, Contact, DefectCase, Event, RedirectRequest

from .models import PersonalDataAccess

CONSUMER_FIELDS = ("name", "name_kana", "postal_code", "address", "phone", "email", "language")
CASE_FIELDS = ("reference", "received_at", "channel", "store", "purchased_on", "category", "description",
               "no_sample_reason", "sample_condition", "withdrawn_reason", "state", "closed_at", "withdrawn_at")


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def collect(case: DefectCase) -> dict:
    """Everything held about the case's consumer, as plain JSON-able data."""
    from letters.models import Letter

    consumer = getattr(case, "consumer", None)
    return {
        "case": {name: _iso(getattr(case, name)) for name in CASE_FIELDS} | {"product": case.product.code},
        "consumer": {name: getattr(consumer, name) for name in CONSUMER_FIELDS} if consumer else {},
        "address_history": [
            {"at": _iso(h.at), "changed": h.changed, "old": h.old, "new": h.new, "erased_at": _iso(h.erased_at)}
            for h in ConsumerAddressHistory.objects.filter(case=case).order_by("at", "id")],
        "contacts": [
            {"at": _iso(c.at), "by": c.by.get_username(), "channel": c.channel, "direction": c.direction,
             "summary": c.summary}
            for c in Contact.objects.filter(case=case).select_related("by", "summary_row").order_by("at", "id")],
        "redirect_requests": [
            {"created_at": _iso(r.created_at), "to_name": r.to_name, "to_postal_code": r.to_postal_code,
             "to_address": r.to_address, "done_at": _iso(r.done_at)}
            for r in RedirectRequest.objects.filter(case=case).order_by("id")],
        "letters": [
            {"kind": letter.kind, "status": letter.status, "created_at": _iso(letter.created_at),
             "printed_at": _iso(letter.printed_at), "mailed_at": _iso(letter.mailed_at)}
            for letter in Letter.objects.filter(case=case).order_by("created_at", "id")],
        "accesses": [
            {"at": _iso(a.at), "user": a.user.get_username() if a.user else "", "what": a.what}
            for a in PersonalDataAccess.objects.filter(case=case).select_related("user").order_by("at", "id")],
    }


def to_json(cases: list[dict]) -> str:
    return json.dumps({"exported_at": timezone.now().isoformat(), "cases": cases}, ensure_ascii=False, indent=2)


def to_csv(cases: list[dict]) -> str:
    """One row per value: case, section, item number, field, value (a spreadsheet opens it as is)."""
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel reads the Japanese text as UTF-8
    writer = csv.writer(out)
    writer.writerow(["case", "section", "item", "field", "value"])
    for data in cases:
        reference = data["case"]["reference"]
        for section, value in data.items():
            rows = value if isinstance(value, list) else [value]
            for number, row in enumerate(rows, start=1):
                for field, item in row.items():
                    shown = json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else item
                    writer.writerow([reference, section, number, field, shown])
    return out.getvalue()


def export_cases(cases, by, fmt: str = "json") -> tuple[str, str, str]:
    """(content, content type, file name) of the export of these cases' consumer data (a repeat caller
    has one per case); each case gets an access record and a timeline note."""
    cases = list(cases)
    collected = [collect(case) for case in cases]  # before the log, so the export shows earlier accesses
    PersonalDataAccess.objects.bulk_create([PersonalDataAccess(user=by, case=case, what="export") for case in cases])
    with override(settings.LANGUAGE_CODE):
        note = _("Personal data exported at the consumer's request (%(format)s).") % {"format": fmt.upper()}
    for case in cases:
        timeline.record(case, by, Event.Kind.NOTE, note=note,
                        data={"action": "personal_data_exported", "format": fmt})
    stamp = timezone.localdate().isoformat()
    name = cases[0].reference if len(cases) == 1 else f"{len(cases)}-cases"
    if fmt == "csv":
        return to_csv(collected), "text/csv; charset=utf-8", f"personal-data-{name}-{stamp}.csv"
    return to_json(collected), "application/json", f"personal-data-{name}-{stamp}.json"
