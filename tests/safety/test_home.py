"""The QA manager's home page lists the safety reviews waiting for a decision (nearest due first, with
the time left) and the open lot alerts: the first few of each with a count, at a fixed query cost."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safety import home
from safety.models import LotAlert, LotAlertCase, SafetyReview

NOW = datetime.datetime(2026, 12, 3, 1, 0, tzinfo=datetime.timezone.utc)  # 10:00 in Tokyo


def review(case, minutes_ago, **fields):
    return SafetyReview.objects.create(case=case, opened_at=NOW - datetime.timedelta(minutes=minutes_ago), **fields)


def page(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(NOW, tick=False):
        answer = client.get("/")
    assert answer.status_code == 200
    return answer.content.decode()


def section(html, id_):
    found = re.search(rf'<section[^>]*id="{id_}".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def waiting(make_case):
    """Three open reviews opened 30, 150 and 90 minutes ago (one overdue) and one decided."""
    cases = [make_case(lot_code=f"2026.11.2{n} KY3") for n in range(4)]
    return {
        "due_in_90": review(cases[0], 30),
        "overdue_30": review(cases[1], 150),
        "due_in_30": review(cases[2], 90),
        "decided": review(cases[3], 200, status=SafetyReview.Status.DECIDED, decision="no_action",
                          rationale="x", decided_at=NOW),
    }


def test_the_qa_manager_sees_open_reviews_nearest_due_first_with_the_time_left(client, cast, waiting):
    html = section(page(client, cast["qa_manager"]), "q-safety-reviews")
    refs = re.findall(r'href="/safety/reviews/(\d+)/"', html)
    assert refs == [str(waiting[k].pk) for k in ("overdue_30", "due_in_30", "due_in_90")]  # decided: not listed
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "30 min overdue" in text and "30 min left" in text and "1 h 30 min left" in text
    # Due at 2 hours after opening, shown in Tokyo time: opened 09:30 JST -> due 11:30.
    assert "2026-12-03 11:30" in text
    assert '<span class="count">3</span>' in html
    assert 'href="/safety/"' in html
    japanese = section(page(client, cast["qa_manager"], "ja"), "q-safety-reviews")
    assert "30分超過" in japanese and "残り1時間30分" in japanese


def test_the_lists_show_the_first_few_with_a_count_and_a_link_at_a_fixed_query_cost(client, cast, make_case,
                                                                                        monkeypatch):
    monkeypatch.setattr(home, "HOME_ROWS", 2)
    cases = [make_case(lot_code=f"2026.11.{10 + n} KY3") for n in range(6)]
    client.force_login(cast["qa_manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def cost():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        return len(queries), html

    review(cases[0], 10)
    alert = LotAlert.objects.create(product=cases[0].product, lot_key="A1", factory=cases[0].factory,
                                    opened_at=NOW, rule="3 reports in 30 days")
    LotAlertCase.objects.create(alert=alert, case=cases[0])
    few, _ = cost()
    for n, case in enumerate(cases[1:], start=1):
        review(case, 10 + n)
        other = LotAlert.objects.create(product=case.product, lot_key=f"B{n}", factory=case.factory,
                                        opened_at=NOW - datetime.timedelta(hours=n), rule="3 reports in 30 days")
        LotAlertCase.objects.bulk_create([LotAlertCase(alert=other, case=c) for c in cases[:3]])
    many, html = cost()
    assert many == few  # no query per row
    reviews, alerts = section(html, "q-safety-reviews"), section(html, "q-lot-alerts")
    assert '<span class="count">6</span>' in reviews and len(re.findall(r'href="/safety/reviews/', reviews)) == 2
    assert "Showing the first 2" in reviews and 'href="/safety/"' in reviews
    assert '<span class="count">6</span>' in alerts and len(re.findall(r'href="/safety/lot-alerts/\d+/"', alerts)) == 2
    assert "3 reports" in alerts and 'href="/safety/lot-alerts/"' in alerts


def test_open_lot_alerts_are_listed_and_closed_ones_are_not(client, cast, make_case):
    case = make_case()
    live = LotAlert.objects.create(product=case.product, lot_key="KY2611A", factory=case.factory,
                                   opened_at=timezone.now(), rule="3 reports in 30 days")
    LotAlertCase.objects.create(alert=live, case=case)
    LotAlert.objects.create(product=case.product, lot_key="OLD1", factory=case.factory, opened_at=timezone.now(),
                            rule="3 reports in 30 days", status=LotAlert.Status.CLOSED, closed_at=timezone.now())
    for who in ("qa_manager", "qa_kyu"):  # the plant's QA sees its plant's alerts too
        html = section(page(client, cast[who]), "q-lot-alerts")
        assert f'href="/safety/lot-alerts/{live.pk}/"' in html and "KY2611A" in html
        assert "OLD1" not in html and "1 report" in html
    assert "KY2611A" not in section(page(client, cast["qa_sai"]), "q-lot-alerts")  # the other plant
    # Factory QA do not decide safety reviews: no review list on their home page.
    assert section(page(client, cast["qa_kyu"]), "q-safety-reviews") == ""


def test_nothing_waiting_says_so_and_the_hotline_sees_no_safety_section(client, cast):
    html = page(client, cast["qa_manager"])
    assert "No safety review is waiting." in section(html, "q-safety-reviews")
    assert "No open lot alert." in section(html, "q-lot-alerts")
    hotline = page(client, cast["hotline"])
    assert 'id="q-safety-reviews"' not in hotline and 'id="q-lot-alerts"' not in hotline


def test_the_alert_page_lists_its_reports(client, cast, make_case):
    cases = [make_case(lot_code="KY 2611A"), make_case(lot_code="ky2611a")]
    alert = LotAlert.objects.create(product=cases[0].product, lot_key="KY2611A", factory=cases[0].factory,
                                    opened_at=timezone.now(), rule="2 reports in 30 days, one critical")
    LotAlertCase.objects.bulk_create([LotAlertCase(alert=alert, case=c) for c in cases])
    client.force_login(cast["qa_kyu"])
    answer = client.get(f"/safety/lot-alerts/{alert.pk}/")
    assert answer.status_code == 200
    for case in cases:
        assert case.reference in answer.content.decode()
    client.force_login(cast["qa_sai"])
    assert client.get(f"/safety/lot-alerts/{alert.pk}/").status_code == 404
    client.force_login(cast["hotline"])
    assert client.get(f"/safety/lot-alerts/{alert.pk}/").status_code == 403


def test_the_alert_rule_reads_in_the_reader_language_whatever_it_was_written_in(make_case):
    from django.utils import translation

    case = make_case()
    alert = LotAlert(product=case.product, lot_key="X", rule="30 日以内に 2 件（うち重大 1 件以上）")
    with translation.override("en"):
        assert alert.rule_label == "2 reports in 30 days, one critical"
    alert.rule = "3 reports in 30 days"
    with translation.override("ja"):
        assert alert.rule_label == "30 日以内に 3 件"
    alert.rule = "something else"
    assert alert.rule_label == "something else"
