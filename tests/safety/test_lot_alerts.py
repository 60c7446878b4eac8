"""Lot alerts: reports on one product and normalised lot code within a window open one alert; later
reports join it; the plant's QA sees it without personal data, the other plant does not."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from defects import services as defects
from defects.forms import CaseIntakeForm
from defects.models import Event
from notifications.models import Kind, Notification
from safety import lots
from safety.models import LotAlert, LotAlertRule
from tests.api.conftest import token_client
from tests.api.test_concurrency import require_postgres
from tests.conftest import DISTINCTIVE_CONSUMER, intake_data
from tests.notifications.test_notifications import flush

SPELLINGS = ("ＫＹ２６１１Ａ", "ky2611a", "KY 2611A")


def test_three_spellings_of_one_lot_open_one_alert_seen_by_its_plant_only(make_case, cast):
    cases = []
    for spelling in SPELLINGS:
        cases.append(make_case(lot_code=spelling))
        flush()
    assert len({c.lot_key for c in cases}) == 1
    alert = LotAlert.objects.get()
    assert alert.status == "open" and alert.factory.code == "KYU"
    plant = token_client(cast["qa_kyu"]).get("/api/lot-alerts/")
    assert plant.status_code == 200
    [row] = plant.json()["results"]
    assert row["cases"] == [c.reference for c in cases]
    assert (row["product"], row["lot_code"], row["factory"], row["status"]) == ("GUM-MINT-9", "KY2611A", "KYU", "open")
    assert row["rule"] == "3 reports in 30 days"
    text = plant.content.decode()
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in text
    other = token_client(cast["qa_sai"]).get("/api/lot-alerts/")
    assert other.status_code == 200 and other.json()["results"] == []
    assert token_client(cast["hotline"]).get("/api/lot-alerts/").status_code == 403
    told = set(Notification.objects.filter(kind=Kind.LOT_ALERT_OPENED).values_list("recipient__username", flat=True))
    assert told == {"qa_kyu", "qa_manager"}
    # Each case's timeline says it is part of the alert.
    for case in cases:
        [note] = case.events.filter(kind=Event.Kind.NOTE, data__safety="lot_alert", data__alert=alert.pk)
        assert note.note == "Lot alert opened: 3 reports on lot KY2611A (3 reports in 30 days)."


def test_two_reports_do_not_open_an_alert_unless_one_is_critical(make_case):
    make_case(lot_code="KY2611A")
    make_case(lot_code="KY2611A")
    flush()
    assert not LotAlert.objects.exists()
    make_case(lot_code="KY2611B")
    make_case(lot_code="KY2611B", category="foreign_matter", foreign_matter_kind="metal")
    flush()
    alert = LotAlert.objects.get()
    assert alert.lot_key == "KY2611B" and alert.rule == "2 reports in 30 days, one critical"


def test_reports_outside_the_window_do_not_count(make_case):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=40), tick=False):
        make_case(lot_code="KY2611A")
    make_case(lot_code="KY2611A")
    make_case(lot_code="KY2611A")
    flush()
    assert not LotAlert.objects.exists()


def test_later_reports_join_and_a_product_rule_applies(make_case, gum):
    LotAlertRule.objects.create(product=gum, threshold=2, critical_threshold=2, window_days=7)
    first, second = make_case(lot_code="KY2611A"), make_case(lot_code="KY2611A")
    flush()
    alert = LotAlert.objects.get()
    third = make_case(lot_code="ky-2611a")
    flush()
    flush()
    assert list(alert.memberships.values_list("case__reference", flat=True)) == [
        first.reference, second.reference, third.reference]
    assert third.events.filter(data__safety="lot_alert").count() == 1


def test_acknowledge_and_close_with_a_conclusion(make_case, cast):
    cases = [make_case(lot_code="KY2611A") for _ in range(3)]
    flush()
    alert = LotAlert.objects.get()
    plant = token_client(cast["qa_kyu"])
    # Another plant: the alert does not exist for it; the hotline: not its job.
    assert token_client(cast["qa_sai"]).post(f"/api/lot-alerts/{alert.pk}/acknowledge/").status_code == 404
    assert token_client(cast["hotline"]).post(f"/api/lot-alerts/{alert.pk}/acknowledge/").status_code == 403
    answer = plant.post(f"/api/lot-alerts/{alert.pk}/acknowledge/")
    assert answer.status_code == 200 and answer.json()["status"] == "acknowledged"
    assert plant.post(f"/api/lot-alerts/{alert.pk}/acknowledge/").status_code == 409
    missing = token_client(cast["qa_manager"]).post(f"/api/lot-alerts/{alert.pk}/close/", {"conclusion": " "},
                                                    format="json")
    assert missing.status_code == 400 and "conclusion" in missing.json()
    closed = token_client(cast["qa_manager"]).post(f"/api/lot-alerts/{alert.pk}/close/",
                                                   {"conclusion": "Seal bar worn on line 3; replaced."},
                                                   format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    for case in cases:
        actions = list(case.events.filter(data__safety="lot_alert").values_list("data__action", flat=True))
        assert actions == [None, "acknowledged", "closed"]
    # A report after the close starts counting again rather than reopening at once.
    make_case(lot_code="KY2611A")
    flush()
    assert LotAlert.objects.count() == 1


def test_evaluating_twice_changes_nothing(make_case):
    cases = [make_case(lot_code="KY2611A") for _ in range(3)]
    flush()
    for case in cases:
        lots.evaluate(case)
    alert = LotAlert.objects.get()
    assert alert.memberships.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_reports_open_one_alert(cast, gum):
    """Three reports' handlers evaluate the lot at the same moment: one alert, three members."""
    require_postgres()
    cases = []
    for _ in range(3):
        form = CaseIntakeForm(data=intake_data(gum, lot_code="KY2611A"))
        assert form.is_valid()
        cases.append(defects.open_case(cast["hotline"], form.cleaned_data))
    LotAlert.objects.all().delete()  # whatever dispatch ran on commit: start from nothing
    from safety.models import LotAlertCase
    LotAlertCase.objects.all().delete()
    barrier = threading.Barrier(3)
    errors = []

    def run(case):
        try:
            barrier.wait()
            from django.db import transaction
            with transaction.atomic():
                lots.evaluate(case)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    alert = LotAlert.objects.get()
    assert sorted(alert.memberships.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)


def test_lot_alert_page(make_case, cast, client):
    for _ in range(3):
        make_case(lot_code="KY2611A")
    flush()
    alert = LotAlert.objects.get()
    client.force_login(cast["qa_kyu"])
    page = client.get("/safety/lot-alerts/")
    assert page.status_code == 200 and "KY2611A" in page.content.decode()
    client.post(f"/safety/lot-alerts/{alert.pk}/close/", {"conclusion": "Line 3 seal bar."})
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.closed_by == cast["qa_kyu"]
    client.force_login(cast["qa_sai"])
    assert "KY2611A" not in client.get("/safety/lot-alerts/").content.decode()
