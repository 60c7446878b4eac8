"""Versions of a submitted report: the snapshot kept at each submission and what changed between two.

    snapshot(investigation) -> dict          every report field, countermeasures, photo ids
    diff(previous, current) -> list[dict]    {field, label, kind, before, after, changes}
    changes_since_rejection(investigation)   diff of the latest version against the last rejected one

`changes` is, for text, a list of {"op": "equal"|"delete"|"insert", "text"} runs (character level,
which suits Japanese text that has no spaces between words), and for lists (5-Whys, countermeasures,
photos), a list of {"op": "delete"|"insert"|"replace", "before": [items], "after": [items]}.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json

from django.utils.translation import gettext as _

from .models import Countermeasure, Investigation, InvestigationVersion

LIST_FIELDS = ("occurrence_whys", "escape_whys", "countermeasures", "photos")


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot(investigation: Investigation) -> dict:
    data = {name: _jsonable(getattr(investigation, name)) for name in Investigation.REPORT_FIELDS}
    data["countermeasures"] = [
        {name: _jsonable(getattr(m, name)) for name in Countermeasure.FIELDS}
        for m in investigation.countermeasures.all()
    ]
    data["photos"] = [{"id": p.pk, "caption": p.caption} for p in investigation.photos.all()]
    return data


def label_of(field: str) -> str:
    if field == "countermeasures":
        return str(_("countermeasures"))
    if field == "photos":
        return str(_("photos"))
    try:
        return str(Investigation._meta.get_field(field).verbose_name)
    except Exception:  # a field of an older snapshot that the model no longer has
        return field


def _text_changes(before: str, after: str) -> list[dict]:
    runs: list[dict] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append({"op": "equal", "text": before[a1:a2]})
            continue
        if op in ("delete", "replace"):
            runs.append({"op": "delete", "text": before[a1:a2]})
        if op in ("insert", "replace"):
            runs.append({"op": "insert", "text": after[b1:b2]})
    return runs


def _key(item) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _list_changes(before: list, after: list) -> list[dict]:
    matcher = difflib.SequenceMatcher(a=[_key(i) for i in before], b=[_key(i) for i in after], autojunk=False)
    return [
        {"op": op, "before": before[a1:a2], "after": after[b1:b2]}
        for op, a1, a2, b1, b2 in matcher.get_opcodes()
        if op != "equal"
    ]


def diff(previous: dict | None, current: dict) -> list[dict]:
    """The fields that differ between two snapshots, in report order."""
    previous = previous or {}
    fields = list(Investigation.REPORT_FIELDS) + ["countermeasures", "photos"]
    fields += [f for f in list(previous) + list(current) if f not in fields]
    seen, result = set(), []
    for field in fields:
        if field in seen:
            continue
        seen.add(field)
        before, after = previous.get(field), current.get(field)
        if field in LIST_FIELDS or isinstance(before, list) or isinstance(after, list):
            before, after = before or [], after or []
            if before == after:
                continue
            result.append({"field": field, "label": label_of(field), "kind": "list", "before": before,
                           "after": after, "changes": _list_changes(before, after)})
        elif isinstance(before, str | type(None)) and isinstance(after, str | type(None)):
            before, after = before or "", after or ""
            if before == after:
                continue
            result.append({"field": field, "label": label_of(field), "kind": "text", "before": before,
                           "after": after, "changes": _text_changes(before, after)})
        elif before != after:
            result.append({"field": field, "label": label_of(field), "kind": "value", "before": before,
                           "after": after, "changes": []})
    return result


def last_rejected_before(version: InvestigationVersion) -> InvestigationVersion | None:
    return (
        InvestigationVersion.objects.filter(
            investigation_id=version.investigation_id, number__lt=version.number,
            decision=InvestigationVersion.Decision.REJECTED,
        ).order_by("-number").first()
    )


def changes_since_rejection(investigation: Investigation) -> list[dict] | None:
    """What the latest submitted version changed since the last rejected one (None: no rejection yet)."""
    latest = investigation.versions.order_by("-number").first()
    if latest is None:
        return None
    rejected = last_rejected_before(latest)
    if rejected is None:
        return None
    return diff(rejected.snapshot, latest.snapshot)
