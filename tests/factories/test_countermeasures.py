"""Countermeasure rows: what each must say and how its dates must relate."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from factories.forms import CountermeasureFormSet, clean_countermeasures

GOOD = {"target": "occurrence", "action": "Replace the blade.", "owner": "製造課", "due_date": "2026-12-01"}


def errors_of(rows):
    with pytest.raises(ValidationError) as error:
        clean_countermeasures(rows)
    return error.value.message_dict


def test_a_good_row_is_cleaned_to_dates():
    [row] = clean_countermeasures([GOOD])
    assert row["due_date"] == dt.date(2026, 12, 1) and row["done_date"] is None


@pytest.mark.parametrize("changes, field", [
    ({"target": ""}, "target"),
    ({"target": "both"}, "target"),
    ({"action": "  "}, "action"),
    ({"due_date": "next week"}, "due_date"),
    ({"effectiveness_due": "2026-11-30"}, "effectiveness_due"),             # before the action is due
    ({"done_date": "2026-11-20", "effectiveness_due": "2026-11-10", "due_date": None}, "effectiveness_due"),
    ({"effectiveness_result": "No recurrence in 3 months."}, "effectiveness_result"),  # not done yet
    ({"owner": "x" * 101}, "owner"),
])
def test_bad_rows_are_named_by_index_and_field(changes, field):
    rows = [GOOD, {**GOOD, **changes}]
    assert f"countermeasures[1].{field}" in errors_of(rows)


def test_an_action_cannot_be_done_in_the_future():
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "countermeasures[0].done_date" in errors_of([{**GOOD, "done_date": tomorrow}])


def test_a_done_action_may_carry_its_effectiveness_result():
    today = timezone.localdate()
    [row] = clean_countermeasures([{**GOOD, "due_date": (today - dt.timedelta(days=30)).isoformat(),
                                    "done_date": (today - dt.timedelta(days=20)).isoformat(),
                                    "effectiveness_due": today.isoformat(),
                                    "effectiveness_result": "No short sticks in 40,000 boxes."}])
    assert row["effectiveness_result"].startswith("No short")


@pytest.mark.parametrize("rows, key", [
    ("not a list", "countermeasures"),
    (["a string"], "countermeasures[0]"),
    ([{**GOOD, "colour": "red"}], "countermeasures[0]"),
    ([GOOD] * 31, "countermeasures"),
])
def test_the_list_itself_is_checked(rows, key):
    assert key in errors_of(rows)


def test_the_formset_validates_the_same_rows_for_the_web_page():
    data = {"countermeasures-TOTAL_FORMS": "2", "countermeasures-INITIAL_FORMS": "0",
            "countermeasures-0-target": "escape", "countermeasures-0-action": "Check every box.",
            "countermeasures-1-target": "", "countermeasures-1-action": "No target."}
    formset = CountermeasureFormSet(data=data, prefix="countermeasures")
    assert not formset.is_valid()
    assert "target" in formset.errors[1]
    data["countermeasures-1-target"] = "occurrence"
    formset = CountermeasureFormSet(data=data, prefix="countermeasures")
    assert formset.is_valid()
    assert [row["target"] for row in formset.rows()] == ["escape", "occurrence"]
