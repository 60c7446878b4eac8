"""Severity from every combination of category, hazard, foreign matter and allergen (must-show), and
the intake fields that feed it (form and API)."""

import itertools

import pytest

from defects.models import Category, Event, ForeignMatterKind, Hazard, Severity
from safety.triage import severity
from tests.api.conftest import token_client
from tests.conftest import intake_data
from tests.notifications.test_notifications import flush

HARD = {"glass", "metal", "hard_plastic"}


def expected(category, hazard, kind, allergen):
    """The rule as issue 10 states it, written out plainly for the table."""
    if hazard != "none":
        return "critical"
    if category == "foreign_matter":
        return "critical" if kind in HARD else "high"
    if category == "labelling":
        return "critical" if allergen else "high"
    return "normal"


def valid_combinations():
    """Every combination the intake accepts: a kind of foreign matter only with foreign_matter, an
    undeclared allergen only with labelling."""
    for category, hazard in itertools.product(Category.values, Hazard.values):
        kinds = [""] + (ForeignMatterKind.values if category == Category.FOREIGN_MATTER else [])
        allergens = [False, True] if category == Category.LABELLING else [False]
        for kind, allergen in itertools.product(kinds, allergens):
            yield category, hazard, kind, allergen


COMBINATIONS = list(valid_combinations())


def test_the_table_covers_every_accepted_combination():
    # 6 categories x 5 hazards, foreign matter with 8 kinds (none + 7), labelling with 2 allergen values
    assert len(COMBINATIONS) == 5 * (4 + 8 + 2)


@pytest.mark.parametrize("category,hazard,kind,allergen", COMBINATIONS)
def test_severity_table(category, hazard, kind, allergen):
    assert severity(category, hazard, kind, allergen) == expected(category, hazard, kind, allergen)


@pytest.mark.parametrize("category,hazard,kind,allergen,result", [
    ("packaging", "none", "", False, "normal"),
    ("packaging", "choking", "", False, "critical"),
    ("foreign_matter", "none", "glass", False, "critical"),
    ("foreign_matter", "none", "metal", False, "critical"),
    ("foreign_matter", "none", "hard_plastic", False, "critical"),
    ("foreign_matter", "none", "hair", False, "high"),
    ("foreign_matter", "none", "", False, "high"),
    ("labelling", "none", "", True, "critical"),
    ("labelling", "none", "", False, "high"),
    ("taste_odor", "illness", "", False, "critical"),
    ("quantity", "none", "", False, "normal"),
])
def test_severity_examples_written_out(category, hazard, kind, allergen, result):
    # The same rule as literal rows, so a mistake shared by expected() and severity() still shows.
    assert severity(category, hazard, kind, allergen) == result


def test_intake_api_computes_severity_and_the_case_json_carries_the_triage(cast, gum, qa_kyu):
    body = intake_data(gum, category="foreign_matter", hazard="none", foreign_matter_kind="glass")
    consumer = {k.removeprefix("consumer_"): body.pop(k) for k in list(body) if k.startswith("consumer_")}
    answer = token_client(cast["hotline"]).post("/api/cases/", {**body, "consumer": consumer}, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert (data["severity"], data["hazard"], data["foreign_matter_kind"], data["undeclared_allergen"]) == (
        "critical", "none", "glass", False)
    assert data["urgent"] is True  # critical goes first in the queues
    factory_view = token_client(qa_kyu).get(f"/api/cases/{data['reference']}/").json()
    assert factory_view["severity"] == "critical" and "consumer" not in factory_view


def _post(client, gum, **overrides):
    body = intake_data(gum, **overrides)
    consumer = {k.removeprefix("consumer_"): body.pop(k) for k in list(body) if k.startswith("consumer_")}
    return client.post("/api/cases/", {**body, "consumer": consumer}, format="json")


def test_foreign_matter_kind_without_the_category_is_400_naming_the_field(cast, gum):
    answer = _post(token_client(cast["hotline"]), gum, category="packaging", foreign_matter_kind="glass")
    assert answer.status_code == 400
    assert list(answer.json()) == ["foreign_matter_kind"]


def test_undeclared_allergen_outside_labelling_is_400_naming_the_field(cast, gum):
    answer = _post(token_client(cast["hotline"]), gum, category="packaging", undeclared_allergen=True)
    assert answer.status_code == 400 and "undeclared_allergen" in answer.json()


def test_unknown_hazard_is_400(cast, gum):
    answer = _post(token_client(cast["hotline"]), gum, hazard="explosion")
    assert answer.status_code == 400 and "hazard" in answer.json()


def test_hazard_defaults_to_none_and_a_packaging_case_is_normal(cast, gum):
    answer = _post(token_client(cast["hotline"]), gum)
    assert answer.status_code == 201
    assert (answer.json()["hazard"], answer.json()["severity"]) == ("none", "normal")


def test_qa_manager_changes_severity_with_a_reason_on_the_timeline(make_case, cast):
    case = make_case()
    client = token_client(cast["qa_manager"])
    missing = client.post(f"/api/cases/{case.reference}/severity/", {"severity": "high", "reason": " "}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    answer = client.post(f"/api/cases/{case.reference}/severity/",
                         {"severity": "high", "reason": "Sharp edge on the tray"}, format="json")
    assert answer.status_code == 200 and answer.json()["severity"] == "high"
    event = case.events.filter(kind=Event.Kind.NOTE).last()
    assert event.data == {"safety": "severity_changed", "from": "normal", "to": "high"}
    assert "Sharp edge on the tray" in event.note and event.actor == cast["qa_manager"]


def test_only_qa_managers_change_severity(make_case, cast):
    case = make_case()
    for who in ("hotline", "qa_kyu", "mailroom"):
        answer = token_client(cast[who]).post(f"/api/cases/{case.reference}/severity/",
                                              {"severity": "critical", "reason": "x"}, format="json")
        assert answer.status_code == 403, who
    case.refresh_from_db()
    assert case.severity == Severity.NORMAL


def test_raising_to_critical_opens_a_safety_review(make_case, cast):
    case = make_case()
    token_client(cast["qa_manager"]).post(f"/api/cases/{case.reference}/severity/",
                                          {"severity": "critical", "reason": "Child choked"}, format="json")
    flush()
    case.refresh_from_db()
    assert case.safety_review.status == "open" and case.urgent
