"""Forgetting on time: expire_personal_data erases the consumer's personal data and letter PDFs of
cases closed or withdrawn longer ago than the retention, keeps the quality record and the timeline,
and the access log still shows who looked before."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from defects import services
from defects.models import Consumer, ConsumerAddressHistory, ContactSummary, DefectCase, Event, State
from factories.models import Investigation
from letters.models import Letter, PrintBatch
from privacy import erasure
from privacy.masking import ERASED, MASK
from privacy.models import Erasure, PersonalDataAccess
from tests.api.conftest import case_url
from tests.conftest import DISTINCTIVE_CONSUMER, print_letters

PHONE = DISTINCTIVE_CONSUMER["consumer_phone"]
LONG_AGO = timezone.make_aware(datetime.datetime(2022, 3, 1, 10, 0))
PAST_RETENTION = "2025-03-02"  # 1096 days after LONG_AGO


def run(*args) -> str:
    out = io.StringIO()
    call_command("expire_personal_data", *args, stdout=out)
    return out.getvalue()


def closed_long_ago(make_case, cast, api):
    """A closed case with everything personal a case collects: a contact quoting the phone, an
    address change, letters with PDFs in a printed batch, and someone who looked at it."""
    case = make_case(State.CLOSED)
    services.log_contact(case, cast["hotline"], {"channel": "phone", "direction": "inbound",
                                                 "summary": f"蒼井様より。折り返し {PHONE}。ガムの包装が破れていた件"})
    services.change_consumer_address(case, cast["hotline"], {"address": "福岡県福岡市博多区博多駅前1-1-1", "note": ""})
    for letter in Letter.objects.filter(case=case).exclude(status=Letter.Status.CANCELLED):
        letter.pdf.save(f"{case.reference}-{letter.kind}.pdf", ContentFile(b"%PDF-1.4 letter"), save=True)
    batch = PrintBatch.objects.filter(letters__case=case).first()
    batch.pdf.save("batch.pdf", ContentFile(b"%PDF-1.4 batch"), save=True)
    assert api("qa_manager").get(case_url(case)).status_code == 200  # who looked, before
    DefectCase.objects.filter(pk=case.pk).update(closed_at=LONG_AGO)
    return DefectCase.objects.get(pk=case.pk)


def test_after_the_retention_the_consumer_data_and_pdfs_are_gone_the_report_and_timeline_remain(
        make_case, cast, api, django_capture_on_commit_callbacks):
    case = closed_long_ago(make_case, cast, api)
    letters = list(Letter.objects.filter(case=case).exclude(pdf=""))
    files = [(letter.pdf.storage, letter.pdf.name) for letter in letters]
    batch = PrintBatch.objects.filter(letters__case=case).first()
    files.append((batch.pdf.storage, batch.pdf.name))
    assert letters and all(storage.exists(name) for storage, name in files)
    timeline_before = list(Event.objects.filter(case=case).order_by("id").values_list("id", "kind", "note", "data"))
    report_before = Investigation.objects.get(case=case).cause_of_occurrence

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the erasure is committed
        output = run("--as-of", PAST_RETENTION)
    assert case.reference in output

    consumer = Consumer.objects.get(case=case)
    assert [consumer.name, consumer.name_kana, consumer.address, consumer.phone, consumer.email] == [ERASED] * 5
    assert consumer.postal_code == ""
    # PDFs: the files and their references.
    assert not any(storage.exists(name) for storage, name in files)
    assert not Letter.objects.filter(case=case).exclude(pdf="").exists()
    assert Letter.objects.filter(case=case, context={}).count() == Letter.objects.filter(case=case).count()
    assert not PrintBatch.objects.get(pk=batch.pk).pdf
    # What the consumer told us: masked, the product facts kept.
    summary = ContactSummary.objects.filter(contact__case=case).latest("contact__at", "contact__id")
    assert summary.text == f"{MASK}様より。折り返し {MASK}。ガムの包装が破れていた件" and summary.erased_at
    history = ConsumerAddressHistory.objects.get(case=case)
    assert (history.old, history.new, history.changed) == ({}, {}, ["address"])
    # The quality record stays: product, lot, category, report; the timeline is untouched, plus one note.
    kept = DefectCase.objects.get(pk=case.pk)
    assert (kept.product_id, kept.lot_code, kept.category, kept.state) == (
        case.product_id, case.lot_code, case.category, State.CLOSED)
    assert Investigation.objects.get(case=case).cause_of_occurrence == report_before
    timeline_after = list(Event.objects.filter(case=case).order_by("id").values_list("id", "kind", "note", "data"))
    assert timeline_after[:-1] == timeline_before
    assert timeline_after[-1][1] == Event.Kind.NOTE and timeline_after[-1][3]["action"] == "personal_data_erased"
    assert PHONE not in str(timeline_after) and "蒼井" not in str(timeline_after)
    # Who viewed the data before is still on record, and so is the erasure.
    log = list(PersonalDataAccess.objects.filter(case=case).order_by("id").values_list("user__username", "what"))
    assert ("qa_manager", "case_api") in log and log[-1] == (None, "erasure")
    assert Erasure.objects.get(case=case).reason == Erasure.Reason.RETENTION


def test_it_is_idempotent(make_case, cast, api):
    case = closed_long_ago(make_case, cast, api)
    run("--as-of", PAST_RETENTION)
    events = Event.objects.filter(case=case).count()
    assert "0 case(s)" in run("--as-of", PAST_RETENTION)
    assert Event.objects.filter(case=case).count() == events and Erasure.objects.count() == 1


def test_nothing_is_erased_before_the_retention_is_over(make_case, cast, api):
    case = closed_long_ago(make_case, cast, api)
    run("--as-of", "2025-02-28")  # 1095 days after LONG_AGO's day is 2025-02-28: not yet past
    assert Consumer.objects.get(case=case).name == DISTINCTIVE_CONSUMER["consumer_name"]
    assert not Erasure.objects.exists()


def test_open_cases_are_never_erased(make_case):
    case = make_case(State.INVESTIGATING)
    run("--as-of", "2099-01-01")
    assert Consumer.objects.get(case=case).name == DISTINCTIVE_CONSUMER["consumer_name"]


def test_a_withdrawn_case_is_erased_counting_from_its_withdrawal(make_case, cast):
    case = make_case(State.RECEIVED)
    case = services.perform(case, "withdraw", cast["hotline"], {"reason": f"蒼井様（{PHONE}）が取り下げ"})
    assert case.withdrawn_at is not None
    DefectCase.objects.filter(pk=case.pk).update(withdrawn_at=LONG_AGO)
    run("--as-of", PAST_RETENTION)
    kept = DefectCase.objects.get(pk=case.pk)
    assert kept.consumer.name == ERASED and kept.withdrawn_reason == f"{MASK}様（{MASK}）が取り下げ"


def test_the_retention_comes_from_the_setting(make_case, cast, api, settings):
    case = closed_long_ago(make_case, cast, api)
    settings.HITOTSUBU_RETENTION_DAYS = 30
    run("--as-of", "2022-04-01")
    assert Consumer.objects.get(case=case).name == ERASED


def test_an_erased_letter_is_not_rendered_again_on_download(make_case, cast, api):
    case = closed_long_ago(make_case, cast, api)
    letter = Letter.objects.filter(case=case).exclude(status=Letter.Status.CANCELLED).first()
    run("--as-of", PAST_RETENTION)
    assert api("mailroom").get(f"/api/letters/{letter.pk}/pdf/").status_code == 404
    assert not Letter.objects.get(pk=letter.pk).pdf


def test_a_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--as-of", "01/03/2025")


def test_the_run_reads_what_is_due_not_everything_ever_closed(make_case, cast, api):
    """O(what is due): with erased cases already on record, a run with nothing due costs the same
    few queries as on an empty database."""
    with CaptureQueriesContext(connection) as empty:
        run("--as-of", PAST_RETENTION)
    for _ in range(3):
        closed_long_ago(make_case, cast, api)
    run("--as-of", PAST_RETENTION)
    with CaptureQueriesContext(connection) as after:
        run("--as-of", PAST_RETENTION)
    assert len(after.captured_queries) == len(empty.captured_queries)


def test_beat_runs_it_daily_and_the_task_erases(make_case, cast, api, settings):
    from django.conf import settings as live
    from privacy import tasks

    entry = live.CELERY_BEAT_SCHEDULE["expire-personal-data"]
    assert entry["task"] == "privacy.tasks.expire_personal_data"
    case = closed_long_ago(make_case, cast, api)
    DefectCase.objects.filter(pk=case.pk).update(closed_at=timezone.now() - datetime.timedelta(days=1100))
    assert tasks.expire_personal_data() == 1
    assert Consumer.objects.get(case=case).name == ERASED


def test_the_cutoff_is_the_start_of_the_local_day_retention_days_before(db):
    cutoff = timezone.localtime(erasure.cutoff(datetime.date(2025, 3, 2)))
    assert (cutoff.date(), cutoff.time()) == (datetime.date(2022, 3, 3), datetime.time(0, 0))  # 1095 days, 2024 leap
