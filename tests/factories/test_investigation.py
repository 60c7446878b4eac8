"""The factory's report: drafts, the submission rules, freezing, who may edit."""

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defects import services
from defects.models import State
from factories.models import Countermeasure, Investigation
from tests.conftest import COMPLETE_REPORT


def report(**changes):
    data = copy.deepcopy(COMPLETE_REPORT)
    data.update(changes)
    return data


def submit_problems(case, user):
    with pytest.raises(ValidationError) as error:
        services.submit_report(case, user)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING
    return error.value.message_dict


def test_a_draft_saves_incomplete_data_and_keeps_what_is_not_sent(make_case, cast):
    case = make_case(State.INVESTIGATING)
    qa = cast["qa_kyu"]
    services.save_investigation(case, qa, {"sample_checks": "seal and length", "conclusion": "probable",
                                           "occurrence_whys": [{"why": "Why short?", "because": ""}]})
    investigation = services.save_investigation(case, qa, {"retained_samples_checked": "12"})
    assert investigation.sample_checks == "seal and length"
    assert investigation.retained_samples_checked == 12
    assert investigation.occurrence_whys == [{"why": "Why short?", "because": ""}]
    assert investigation.updated_by == qa
    assert "occurrence_whys" in investigation.missing_for_submission()


def test_a_report_with_nothing_names_every_rule(make_case, cast):
    case = make_case(State.INVESTIGATING)
    assert set(submit_problems(case, cast["qa_kyu"])) == {
        "sample_checks", "sample_findings", "retained_samples_checked", "retained_samples_result",
        "manufacturing_process", "conclusion", "countermeasures", "consumer_examined", "consumer_process",
        "consumer_cause", "consumer_prevention",
    }


def test_the_complete_report_submits(make_case, cast):
    case = make_case(State.INVESTIGATING)
    investigation = services.save_investigation(case, cast["qa_kyu"], report())
    assert investigation.missing_for_submission() == []
    assert [m.target for m in investigation.countermeasures.all()] == ["occurrence", "escape"]
    assert services.submit_report(case, cast["qa_kyu"]).state == State.REPORT_REVIEW


@pytest.mark.parametrize("changes, missing", [
    ({"sample_checks": ""}, {"sample_checks"}),
    ({"sample_findings": "   "}, {"sample_findings"}),
    ({"retained_samples_checked": None}, {"retained_samples_checked"}),
    ({"retained_samples_result": ""}, {"retained_samples_result"}),
    ({"manufacturing_process": ""}, {"manufacturing_process"}),
    ({"conclusion": ""}, {"conclusion"}),
    ({"cause_of_occurrence": ""}, {"cause_of_occurrence"}),
    ({"cause_of_escape": "", "escape_category": ""}, {"cause_of_escape", "escape_category"}),
    ({"occurrence_whys": []}, {"occurrence_whys"}),
    ({"escape_whys": [{"why": "Why not caught?", "because": ""}]}, {"escape_whys"}),
    ({"occurrence_whys": COMPLETE_REPORT["occurrence_whys"] + [{"why": "", "because": "a dangling answer"}]},
     {"occurrence_whys"}),
    ({"conclusion": "probable", "occurrence_category": ""}, {"occurrence_category"}),
    ({"countermeasures": [COMPLETE_REPORT["countermeasures"][0]]}, {"countermeasures_escape"}),
    ({"countermeasures": [COMPLETE_REPORT["countermeasures"][1]]}, {"countermeasures_occurrence"}),
    ({"countermeasures": []}, {"countermeasures_occurrence", "countermeasures_escape"}),
    ({"countermeasures": [{**COMPLETE_REPORT["countermeasures"][0], "owner": ""},
                          COMPLETE_REPORT["countermeasures"][1]]}, {"countermeasures_owner"}),
    ({"countermeasures": [{**COMPLETE_REPORT["countermeasures"][0], "due_date": None},
                          COMPLETE_REPORT["countermeasures"][1]]}, {"countermeasures_due_date"}),
    ({"consumer_examined": ""}, {"consumer_examined"}),
    ({"consumer_process": ""}, {"consumer_process"}),
    ({"consumer_cause": ""}, {"consumer_cause"}),
    ({"consumer_prevention": ""}, {"consumer_prevention"}),
])
def test_submit_refuses_and_names_exactly_what_is_missing(make_case, cast, changes, missing):
    case = make_case(State.INVESTIGATING)
    services.save_investigation(case, cast["qa_kyu"], report(**changes))
    assert set(submit_problems(case, cast["qa_kyu"])) == missing


def test_not_determined_needs_no_causes_but_at_least_one_action(make_case, cast):
    case = make_case(State.INVESTIGATING)
    undetermined = report(conclusion="not_determined", cause_of_occurrence="", occurrence_category="",
                          occurrence_whys=[], cause_of_escape="", escape_category="", escape_whys=[],
                          countermeasures=[])
    services.save_investigation(case, cast["qa_kyu"], undetermined)
    assert set(submit_problems(case, cast["qa_kyu"])) == {"countermeasures"}
    services.save_investigation(case, cast["qa_kyu"], {}, countermeasures=[
        {"target": "escape", "action": "Check every box for stick length for three months.", "owner": "品証 山田",
         "due_date": "2026-12-01"}])
    assert services.submit_report(case, cast["qa_kyu"]).state == State.REPORT_REVIEW


def test_without_a_sample_the_recorded_reason_stands_in_for_the_examination(cast, make_case):
    case = services.investigate_without_sample(make_case(State.RECEIVED), cast["hotline"],
                                               reason="The consumer had already thrown the pack away.")
    services.save_investigation(case, cast["qa_kyu"], report(sample_checks="", sample_findings=""))
    assert services.submit_report(case, cast["qa_kyu"]).state == State.REPORT_REVIEW


@pytest.mark.parametrize("field, text, phrase", [
    ("consumer_cause", "お客様の保管状態により変形したと考えられます。", "保管"),
    ("consumer_prevention", "誤使用を防ぐため表示を大きくします。", "誤使用"),
    ("consumer_cause", "The gum may have melted through improper STORAGE.", "storage"),
    ("consumer_examined", "You should have kept it cool.", "you should have"),
    ("consumer_process", "Ｍｉｓｕｓｅ of the product", "misuse"),
])
def test_consumer_facing_text_must_not_blame_the_consumer(make_case, cast, field, text, phrase):
    case = make_case(State.INVESTIGATING)
    services.save_investigation(case, cast["qa_kyu"], report(**{field: text}))  # a draft may hold it
    problems = submit_problems(case, cast["qa_kyu"])
    assert set(problems) == {field}
    assert phrase in problems[field][0]


def test_blaming_phrases_come_from_the_setting_when_present(make_case, cast, settings):
    settings.HITOTSUBU_BLAMING_PHRASES = ["ご家庭で"]
    case = make_case(State.INVESTIGATING)
    services.save_investigation(case, cast["qa_kyu"], report(consumer_cause="ご家庭で割れた可能性"))
    assert set(submit_problems(case, cast["qa_kyu"])) == {"consumer_cause"}


@pytest.mark.parametrize("fields, field", [
    ({"conclusion": "maybe"}, "conclusion"),
    ({"occurrence_category": "money"}, "occurrence_category"),
    ({"retained_samples_checked": -1}, "retained_samples_checked"),
    ({"retained_samples_checked": "many"}, "retained_samples_checked"),
    ({"occurrence_whys": [{"why": "w", "because": "b"}] * 6}, "occurrence_whys"),
    ({"escape_whys": [{"why": "w", "answer": "b"}]}, "escape_whys"),
    ({"escape_whys": "not a list"}, "escape_whys"),
    ({"escape_whys": [{"why": 3, "because": "b"}]}, "escape_whys"),
    ({"sample_checks": "bad\x00byte"}, "sample_checks"),
    ({"sample_checks": "x" * 8001}, "sample_checks"),
    ({"no_such_field": "x"}, "no_such_field"),
    ({"case": 5}, "case"),
])
def test_bad_fields_are_named_and_nothing_is_saved(make_case, cast, fields, field):
    case = make_case(State.INVESTIGATING)
    services.save_investigation(case, cast["qa_kyu"], {"sample_checks": "before"})
    with pytest.raises(ValidationError) as error:
        services.save_investigation(case, cast["qa_kyu"], fields)
    assert field in error.value.message_dict
    assert Investigation.objects.get(case=case).sample_checks == "before"


def test_whys_accept_json_text_as_a_web_form_sends_it(make_case, cast):
    case = make_case(State.INVESTIGATING)
    investigation = services.save_investigation(
        case, cast["qa_kyu"], {"occurrence_whys": '[{"why": " なぜ短い？ ", "because": "刃の摩耗"}, {"why": "", "because": ""}]'})
    assert investigation.occurrence_whys == [{"why": "なぜ短い？", "because": "刃の摩耗"}]


def test_factory_user_cannot_edit_another_factorys_investigation(make_case, cast):
    case = make_case(State.INVESTIGATING)
    for who in ("qa_sai", "qa_manager", "hotline", "mailroom"):
        with pytest.raises(PermissionDenied):
            services.save_investigation(case, cast[who], {"sample_checks": "x"})
    assert not Investigation.objects.get(case=case).sample_checks


@pytest.mark.parametrize("state", [State.REPORT_REVIEW, State.APPROVED, State.REPLACEMENT_SHIPPED, State.CLOSED])
def test_a_submitted_or_approved_report_is_frozen(make_case, cast, state):
    case = make_case(state)
    with pytest.raises(services.TransitionConflict):
        services.save_investigation(case, cast["qa_kyu"], {"manufacturing_process": "rewritten"})
    with pytest.raises(services.TransitionConflict):
        services.save_investigation(case, cast["qa_kyu"], {}, countermeasures=[])
    investigation = Investigation.objects.get(case=case)
    assert investigation.manufacturing_process == COMPLETE_REPORT["manufacturing_process"]
    assert investigation.countermeasures.count() == 2


def test_countermeasures_are_replaced_in_order_and_kept_when_not_sent(make_case, cast):
    case = make_case(State.INVESTIGATING)
    qa = cast["qa_kyu"]
    services.save_investigation(case, qa, report())
    rows = [{"target": "escape", "action": "B"}, {"target": "occurrence", "action": "A"}]
    investigation = services.save_investigation(case, qa, {}, countermeasures=rows)
    assert [(m.position, m.target, m.action) for m in investigation.countermeasures.all()] == [
        (0, "escape", "B"), (1, "occurrence", "A")]
    services.save_investigation(case, qa, {"prevention": "summary"})
    assert Countermeasure.objects.filter(investigation=investigation).count() == 2
