"""Pareto, trend, clock compliance and the CSV export: counted by the database, scoped to the reader."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from defects.models import DefectCase, State
from tests.conftest import DISTINCTIVE_CONSUMER

TZ = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def client_for(cast):
    def make(who):
        client = APIClient()
        client.force_login(cast[who])
        return client
    return make


def received(case, y, m, d):
    DefectCase.objects.filter(pk=case.pk).update(received_at=datetime.datetime(y, m, d, 10, tzinfo=TZ))


@pytest.fixture
def history(make_case, chocolate):
    """Seven cases in Oct-Nov 2026 (4 KYU gum, 3 SAI chocolate) and one in March 2026, outside the period."""
    cases = [
        make_case(State.APPROVED), make_case(State.APPROVED, category="foreign_matter"), make_case(category="taste_odor"),
        make_case(), make_case(product=chocolate), make_case(product=chocolate, category="taste_odor"),
        make_case(State.APPROVED, product=chocolate),
    ]
    for case, day in zip(cases, [(2026, 10, 1), (2026, 10, 31), (2026, 11, 1), (2026, 11, 5), (2026, 10, 20),
                                 (2026, 11, 20), (2026, 11, 30)]):
        received(case, *day)
    old = make_case()
    received(old, 2026, 3, 15)
    return cases


PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


@pytest.mark.parametrize("by", ["category", "occurrence_category", "escape_category", "product", "factory"])
def test_pareto_counts_add_up_to_the_cases_in_the_period(client_for, history, by):
    rows = client_for("qa_manager").get("/api/insights/pareto/", {"by": by, **PERIOD}).json()
    assert sum(r["count"] for r in rows) == 7
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert rows[-1]["cumulative_share"] == 1.0
    assert all(a["cumulative_share"] <= b["cumulative_share"] for a, b in zip(rows, rows[1:]))


def test_pareto_names_its_groups(client_for, history):
    client = client_for("qa_manager")
    by_factory = {r["key"]: r for r in client.get("/api/insights/pareto/", {"by": "factory", **PERIOD}).json()}
    assert {k: r["count"] for k, r in by_factory.items()} == {"KYU": 4, "SAI": 3}
    occurrence = {r["key"]: r["count"] for r in client.get(
        "/api/insights/pareto/", {"by": "occurrence_category", **PERIOD}).json()}
    assert occurrence == {"machine": 3, "": 4}  # the approved reports' 4M; the others are not investigated yet
    whole = client.get("/api/insights/pareto/", {"by": "category"}).json()
    assert sum(r["count"] for r in whole) == 8  # no period: every case


def test_a_factory_counts_only_its_own_plant(client_for, history):
    rows = client_for("qa_kyu").get("/api/insights/pareto/", {"by": "factory", **PERIOD}).json()
    assert [(r["key"], r["count"]) for r in rows] == [("KYU", 4)]
    assert client_for("qa_kyu").get("/api/insights/pareto/", {"by": "category", "factory": "SAI"}).json() == []


def test_trend_counts_cases_per_month(client_for, history):
    client = client_for("qa_manager")
    assert client.get("/api/insights/trend/", {"by": "month"}).json() == [
        {"month": "2026-03", "count": 1}, {"month": "2026-10", "count": 3}, {"month": "2026-11", "count": 4}]
    assert client.get("/api/insights/trend/", {"factory": "SAI"}).json() == [
        {"month": "2026-10", "count": 1}, {"month": "2026-11", "count": 2}]


@pytest.mark.parametrize("params,field", [({"by": "colour"}, "by"), ({"by": "category", "from": "2026-13-01"}, "from"),
                                          ({"by": "category", "from": "2026-11-02", "to": "2026-11-01"}, "to")])
def test_bad_parameters_are_a_400_naming_the_field(client_for, params, field):
    answer = client_for("qa_manager").get("/api/insights/pareto/", params)
    assert answer.status_code == 400 and field in answer.json()


def test_the_print_room_has_no_figures(client_for):
    assert client_for("mailroom").get("/api/insights/pareto/", {"by": "category"}).status_code == 403


def test_aggregations_do_not_grow_with_the_cases(client_for, history, make_case, django_assert_max_num_queries):
    client = client_for("qa_manager")
    with django_assert_max_num_queries(8):
        client.get("/api/insights/pareto/", {"by": "product"})
    for _ in range(5):
        make_case()
    with django_assert_max_num_queries(8):
        assert sum(r["count"] for r in client.get("/api/insights/pareto/", {"by": "product"}).json()) == 13


def read_csv(answer):
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer.streaming
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), text


def test_the_csv_for_a_factory_user_holds_no_personal_data(client_for, history):
    rows, text = read_csv(client_for("qa_kyu").get("/api/cases/export.csv"))
    assert len(rows) == 5 and {r["factory"] for r in rows} == {"KYU"}  # 4 in the period + the old one
    assert not any(c.startswith("consumer") or c == "description" for c in rows[0])
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in text


def test_the_csv_for_the_hotline_has_the_consumer_and_the_lists_filters(client_for, history):
    rows, text = read_csv(client_for("hotline").get("/api/cases/export.csv", {"category": "taste_odor"}))
    assert len(rows) == 2 and {r["category"] for r in rows} == {"taste_odor"}
    assert rows[0]["consumer_name"] == DISTINCTIVE_CONSUMER["consumer_name"]
    one = history[0].reference
    rows, _ = read_csv(client_for("hotline").get("/api/cases/export.csv", {"q": one}))
    assert [r["reference"] for r in rows] == [one]
    assert client_for("hotline").get("/api/cases/export.csv", {"state": "nonsense"}).status_code == 400


def test_the_dashboard_shows_tables_and_chart_data(cast, history):
    from django.test import Client

    from tests.conftest import PASSWORD

    client = Client()
    client.login(username="qa_manager", password=PASSWORD)
    page = client.get("/insights/", {**PERIOD, "product": "GUM-MINT-9"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="insight-data" type="application/json"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "<table" in html and "2026-10" in html and "九州工場" in html
    assert "<script>" not in html  # no inline script: a strict Content-Security-Policy holds
    factory = Client()
    factory.login(username="qa_sai", password=PASSWORD)
    html = factory.get("/insights/").content.decode()
    assert "ミルクチョコレート" in html and "九州工場</th>" not in html
    mailroom = Client()
    mailroom.login(username="mailroom", password=PASSWORD)
    assert mailroom.get("/insights/").status_code == 403
    assert client.get("/insights/", {"from": "nonsense"}).status_code == 400


def test_the_hotline_sees_its_own_numbers(cast, history, make_case):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    other = get_user_model().objects.create_user("hotline2", password="x")
    other.groups.add(Group.objects.get(name="hotline"))
    client = APIClient()
    client.force_login(other)
    assert client.get("/api/insights/pareto/", {"by": "category"}).json() == []
    rows = client_for_hotline(cast).get("/api/insights/pareto/", {"by": "category"}).json()
    assert sum(r["count"] for r in rows) == 8


def client_for_hotline(cast):
    client = APIClient()
    client.force_login(cast["hotline"])
    return client


def test_clock_compliance_and_countermeasures_are_counted(cast, history):
    from insights import queries, scope

    cases = scope.cases(cast["qa_manager"])
    stages = {c["stage"]: c for c in queries.clock_compliance(cases, now=timezone.now())}
    # Every clock the cases ran (the safety review clock too, where a case was critical).
    assert {"first_notice", "investigation", "review", "replacement", "resolution"} <= set(stages)
    counts = queries.countermeasures(cases)
    assert counts["total"] == 6  # three approved reports with two countermeasures each
    assert counts["open"] == 6 and counts["effective"] == 0


def test_clock_compliance_counts_late_running_clocks_as_breached(cast, make_case, chocolate,
                                                                  django_capture_on_commit_callbacks):
    from clocks.models import Clock
    from insights import queries, scope

    with django_capture_on_commit_callbacks(execute=True):  # the outbox starts the clocks after commit
        late, in_time, other_plant = make_case(), make_case(), make_case(product=chocolate)
    assert Clock.objects.filter(case=in_time, name="first_notice").exists()
    now = timezone.now()
    Clock.objects.filter(case__in=[late, other_plant], name="first_notice").update(due_at=now - datetime.timedelta(hours=1))
    stages = {c["stage"]: c for c in queries.clock_compliance(scope.cases(cast["qa_manager"]), now=now)}
    assert (stages["first_notice"]["breached"], stages["first_notice"]["running"]) == (2, 1)
    kyu = {c["stage"]: c for c in queries.clock_compliance(scope.cases(cast["qa_kyu"]), now=now)}
    assert (kyu["first_notice"]["breached"], kyu["first_notice"]["running"]) == (1, 1)


def test_the_demo_history_has_published_answers_and_runs_twice(db):
    from django.core.management import call_command

    from knowledge.models import Article

    call_command("seed_demo", verbosity=0)  # its own on_commit step does not run inside the test's transaction
    call_command("seed_insight_demo", cases=6, verbosity=0)
    call_command("seed_insight_demo", cases=6, verbosity=0)
    assert DefectCase.objects.filter(store="デモ履歴").count() == 6
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 3
    months = {c.received_at.strftime("%Y-%m") for c in DefectCase.objects.all()}
    assert len(months) >= 2  # history, not one day


def test_the_demo_history_meets_most_of_its_service_targets(db, django_capture_on_commit_callbacks):
    # The history is played out on one day; without settling its clocks every old case's stages
    # read as breached by months and the demo dashboard is all red.
    from django.core.management import call_command

    from insights import queries

    import random

    from insights.management.commands.seed_insight_demo import Command

    with django_capture_on_commit_callbacks(execute=True):  # the clocks start from the timeline's dispatch
        call_command("seed_demo", verbosity=0)
    # In the test's one transaction the clocks start only after the command (the demo commits each
    # case, so there they exist by then): settle them as the command does.
    Command()._settle_clocks(timezone.now(), random.Random(2611))
    rows = {c["stage"]: c for c in queries.clock_compliance(DefectCase.objects.filter(store="デモ履歴"))}
    for stage in ("first_notice", "investigation", "review"):
        assert rows[stage]["met"] > 2 * rows[stage]["breached"], rows[stage]
