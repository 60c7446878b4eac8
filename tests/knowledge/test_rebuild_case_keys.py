"""rebuild_case_keys: cases without search keys (from before the knowledge app, or written in bulk)
become findable among the similar past cases; the command is idempotent, batched and resumable."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from defects.models import DefectCase
from knowledge import services
from knowledge.models import CaseKey


def similar(user, description="包装が破れていた") -> set[str]:
    client = APIClient()
    client.force_login(user)
    answer = client.get("/api/cases/suggestions/", {"description": description})
    assert answer.status_code == 200, answer.content
    return {c["reference"] for c in answer.json()["cases"]}


def snapshot():
    return sorted(CaseKey.objects.values_list("id", "case_id", "key", "count", "received_at"))


def rebuild(*args) -> str:
    out = StringIO()
    call_command("rebuild_case_keys", *args, stdout=out)
    return out.getvalue()


def test_a_case_without_keys_becomes_findable_and_a_second_run_changes_nothing(make_case, cast):
    # make_case's timeline events are not dispatched here (no on-commit), as for a case from before
    # the knowledge app: no keys.
    old = make_case(description="ガムの包装が破れていて、中身が見えていた")
    other = make_case(description="チョコレートに白い粉が付いていた")
    assert not CaseKey.objects.exists()
    assert similar(cast["hotline"]) == set()

    assert "wrote the keys of 2" in rebuild()
    assert similar(cast["hotline"]) == {old.reference}
    assert set(CaseKey.objects.filter(case=old).values_list("key", flat=True)) >= {"包装", "破れ"}
    assert CaseKey.objects.filter(case=other).exists()

    before = snapshot()
    assert "wrote the keys of 0" in rebuild()
    assert "wrote the keys of 0" in rebuild("--all")  # every case examined, none differs
    assert snapshot() == before


def test_the_keys_match_what_the_timeline_handler_writes(make_case):
    case = make_case(description="ビスケットが割れていた。袋も破れていた。")
    services.index_case(case)
    by_handler = sorted(CaseKey.objects.filter(case=case).values_list("key", "count", "received_at"))
    CaseKey.objects.all().delete()
    rebuild()
    assert sorted(CaseKey.objects.filter(case=case).values_list("key", "count", "received_at")) == by_handler


def test_an_interrupted_run_resumes_with_the_cases_still_without_keys(make_case):
    cases = [make_case(description=f"包装が破れていた {n}") for n in range(3)]

    class Stop(Exception):
        pass

    def stop_after_first_batch(totals):
        raise Stop

    with pytest.raises(Stop):
        services.rebuild_case_keys(batch_size=1, progress=stop_after_first_batch)
    assert set(CaseKey.objects.values_list("case_id", flat=True)) == {cases[0].pk}  # the first batch committed
    totals = services.rebuild_case_keys(batch_size=1)
    assert (totals["cases"], totals["rewritten"]) == (2, 2)
    assert set(CaseKey.objects.values_list("case_id", flat=True)) == {c.pk for c in cases}


def test_all_rewrites_only_the_cases_whose_keys_differ(make_case):
    first, second = make_case(description="包装が破れていた"), make_case(description="袋の端が開いていた")
    rebuild()
    untouched = sorted(CaseKey.objects.filter(case=second).values_list("id", flat=True))
    CaseKey.objects.filter(case=first, key="包装").update(count=9)  # stale (e.g. the analyser changed)
    assert "wrote the keys of 0" in rebuild()  # by default only cases without any key
    assert "wrote the keys of 1" in rebuild("--all", "--batch-size", "1")
    assert CaseKey.objects.get(case=first, key="包装").count == 1
    assert sorted(CaseKey.objects.filter(case=second).values_list("id", flat=True)) == untouched


def test_seed_volume_writes_the_keys_of_its_cases(cast):
    call_command("seed_volume", cases=30, years=1, seed=5, verbosity=0, stdout=StringIO())
    assert DefectCase.objects.count() == 30
    without = DefectCase.objects.exclude(pk__in=CaseKey.objects.values("case_id"))
    assert not without.exists()
    # A seeded packaging case ("個包装の一つが破れていて…") is found for a paraphrase.
    assert similar(cast["qa_manager"], "包装の破れ")
