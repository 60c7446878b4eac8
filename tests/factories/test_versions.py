"""Every submission is kept; the QA manager's decisions land on the version; diffs show what changed."""

import copy

import pytest

from defects import services
from defects.models import Event, State
from factories.models import InvestigationVersion
from factories.versions import changes_since_rejection, diff, snapshot
from tests.conftest import COMPLETE_REPORT


def test_reject_resubmit_approve_keeps_every_version_with_its_decision(make_case, cast):
    qa, manager = cast["qa_kyu"], cast["qa_manager"]
    case = make_case(State.REPORT_REVIEW)
    investigation = case.investigation
    assert changes_since_rejection(investigation) is None  # nothing rejected yet

    services.reject_report(case, manager, comment="The escape cause is vague: which check, how often?")
    services.save_investigation(case, qa, {
        "cause_of_escape": "The length check sampled one box in fifty, by eye.",
        "escape_whys": COMPLETE_REPORT["escape_whys"] + [
            {"why": "Why one box in fifty?", "because": "The rate was set when the line ran slower."}],
    }, countermeasures=COMPLETE_REPORT["countermeasures"] + [
        {"target": "escape", "action": "Add an inline length gauge.", "owner": "設備課", "due_date": "2027-02-01"}])
    services.submit_report(case, qa)
    services.approve_report(case, manager, comment="Clear now.")

    versions = list(InvestigationVersion.objects.filter(investigation=investigation).order_by("number"))
    assert [(v.number, v.decision, v.decision_comment, v.decided_by) for v in versions] == [
        (1, "rejected", "The escape cause is vague: which check, how often?", manager),
        (2, "approved", "Clear now.", manager),
    ]
    assert all(v.submitted_by == qa for v in versions)
    assert versions[0].snapshot["cause_of_escape"] == COMPLETE_REPORT["cause_of_escape"]
    assert len(versions[0].snapshot["countermeasures"]) == 2 and len(versions[1].snapshot["countermeasures"]) == 3

    changes = {c["field"]: c for c in changes_since_rejection(investigation)}
    assert set(changes) == {"cause_of_escape", "escape_whys", "countermeasures"}
    escape = changes["cause_of_escape"]
    assert escape["kind"] == "text" and escape["label"] == "cause of escape"
    assert escape["before"] == COMPLETE_REPORT["cause_of_escape"]
    assert {"op": "insert", "text": ", by eye"} in escape["changes"]
    assert changes["escape_whys"]["changes"] == [{"op": "insert", "before": [], "after": [
        {"why": "Why one box in fifty?", "because": "The rate was set when the line ran slower."}]}]
    [added] = changes["countermeasures"]["changes"]
    assert added["op"] == "insert" and added["after"][0]["action"] == "Add an inline length gauge."

    decisions = [(e.transition, e.note) for e in case.events.filter(kind=Event.Kind.TRANSITION)
                 if e.transition in ("reject_report", "approve_report")]
    assert decisions == [("reject_report", "The escape cause is vague: which check, how often?"),
                         ("approve_report", "Clear now.")]
    # Approved: frozen.
    with pytest.raises(services.TransitionConflict):
        services.save_investigation(case, qa, {"cause_of_escape": "changed after approval"})


def test_a_decision_that_fails_leaves_the_version_undecided(make_case, cast):
    case = make_case(State.REPORT_REVIEW)
    with pytest.raises(Exception):
        services.reject_report(case, cast["qa_kyu"], comment="not theirs to decide")
    assert case.investigation.versions.get().decision == ""


def test_diff_of_text_list_and_value_fields():
    before = {"manufacturing_process": "混合、成形、包装", "retained_samples_checked": 10,
              "occurrence_whys": [{"why": "a", "because": "b"}, {"why": "c", "because": "d"}]}
    after = {"manufacturing_process": "混合、圧延、成形、包装", "retained_samples_checked": 12,
             "occurrence_whys": [{"why": "a", "because": "b"}, {"why": "c", "because": "e"}]}
    result = {c["field"]: c for c in diff(before, after)}
    assert [r["op"] for r in result["manufacturing_process"]["changes"]] == ["equal", "insert", "equal"]
    assert result["retained_samples_checked"]["kind"] == "value"
    assert result["occurrence_whys"]["changes"] == [
        {"op": "replace", "before": [{"why": "c", "because": "d"}], "after": [{"why": "c", "because": "e"}]}]
    assert diff(before, copy.deepcopy(before)) == []


def test_snapshot_holds_every_field_countermeasures_and_photo_ids(make_case, cast):
    investigation = make_case(State.INVESTIGATING).investigation
    services.save_investigation(investigation.case, cast["qa_kyu"], copy.deepcopy(COMPLETE_REPORT))
    investigation.refresh_from_db()
    data = snapshot(investigation)
    assert data["conclusion"] == "determined" and data["photos"] == []
    assert data["countermeasures"][0]["due_date"] == "2026-12-01"
