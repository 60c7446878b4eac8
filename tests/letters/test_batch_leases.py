"""Print batches always finish or fail visibly: leases, revisions, the sweep and retries.

The render's pieces run for real (SQLite, tasks inline); only the moment something goes wrong is
arranged, by wrapping letters.pdf.render_batch so that a reprint, a lost lease or a dropped
connection happens while the pages are being made. The same story with a real worker that is
killed is in tests/integration/test_worker_batches.py.
"""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone

from defects import services as defects
from defects.forms import ConsumerForm
from defects.models import Event, State
from letters import batches, pdf, services
from letters.leases import MAX_INTERRUPTIONS
from letters.models import Kind, Letter, PrintBatch
from tests.letters.test_print_room import check_all, page_texts

POSTCARD = Kind.FIRST_NOTICE_POSTCARD


@pytest.fixture
def queued_batch(make_case, cast):
    """A batch of two postcards, created with its render message lost (as with the broker down)."""
    cases = [make_case(State.AWAITING_RETURN, consumer_postal_code=code) for code in ("8100001", "9000015")]
    check_all()
    batch = services.create_batch(POSTCARD, cast["mailroom"])  # on_commit never runs inside the test
    batch.cases = cases
    return batch


def during_render(monkeypatch, before=None, after=None):
    """Run `before` once the render has started (first progress call) and `after` once the PDF is
    written but not yet stored, on the first render only."""
    real = pdf.render_batch
    calls = []

    def render(kind, contexts, target, progress=None, **kwargs):
        calls.append(len(contexts))
        first = len(calls) == 1

        def report(fraction):
            if first and before and fraction > 0:
                before()
            progress(fraction)

        pages = real(kind, contexts, target, progress=report if first else progress, **kwargs)
        if first and after:
            after()
        return pages

    monkeypatch.setattr(pdf, "render_batch", render)
    return calls


def expire(batch, seconds=1):
    PrintBatch.objects.filter(pk=batch.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_render_claims_the_batch_with_a_lease_and_a_second_delivery_does_nothing(queued_batch, settings):
    settings.HITOTSUBU_BATCH_LEASE_SECONDS = 120
    batch, token = batches.claim(queued_batch.pk)
    assert batch.status == PrintBatch.Status.RENDERING and len(token) == 32
    left = (batch.lease_expires_at - timezone.now()).total_seconds()
    assert 110 < left <= 120
    assert batches.claim(queued_batch.pk) is None  # the lease is live: a duplicate delivery stays out
    assert services.render_batch(queued_batch.pk).attempts == 1


def test_each_chunk_renews_the_lease(queued_batch, monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.HITOTSUBU_BATCH_LEASE_SECONDS = 60
    seen = []

    def look():
        seen.append(PrintBatch.objects.get(pk=queued_batch.pk).lease_expires_at)

    during_render(monkeypatch, before=lambda: (expire(queued_batch, 30), look()))
    services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert seen[0] < timezone.now()  # the test pushed it into the past...
    assert batch.status == PrintBatch.Status.READY  # ...and the next chunk renewed it before anyone swept
    assert (batch.lease_expires_at, batch.claim_token) == (None, "")


def test_a_reprint_during_the_render_voids_it_and_the_batch_renders_the_new_revision(
        queued_batch, monkeypatch, cast, django_capture_on_commit_callbacks):
    letter = Letter.objects.get(case=queued_batch.cases[0], kind=POSTCARD)
    calls = during_render(monkeypatch, before=lambda: services.reprint_letter(letter, cast["mailroom"]))
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert (batch.status, batch.revision, batch.rendered_revision, batch.attempts) == (
        PrintBatch.Status.READY, 2, 2, 2)
    assert calls == [2, 2]  # the first render stopped at its next chunk; the second made every page
    assert len(page_texts(batch.pdf.path)) == 4
    letter.refresh_from_db()
    assert (letter.status, letter.batch_id, letter.revision, letter.checked_revision) == (
        Letter.Status.BATCHED, batch.pk, 2, 2)
    assert services.waiting_counts()[POSTCARD] == 0  # in no other batch, now or later
    assert letter.case.events.filter(kind=Event.Kind.LETTER, data__action="requeued", data__batch=batch.pk).exists()


def test_an_address_change_after_the_last_page_voids_the_result_when_it_is_stored(
        queued_batch, monkeypatch, cast, django_capture_on_commit_callbacks):
    moving = queued_batch.cases[1]
    form = ConsumerForm(data={"postal_code": "1000005", "address": "東京都千代田区丸の内1-1-1 引越先ビル"}, partial=True)
    assert form.is_valid(), form.errors
    calls = during_render(monkeypatch, after=lambda: defects.change_consumer_address(
        moving, cast["hotline"], form.cleaned_data))
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert len(calls) == 2 and (batch.status, batch.rendered_revision) == (PrintBatch.Status.READY, 2)
    texts = page_texts(batch.pdf.path)
    assert len(texts) == 4 and sum("引越先ビル" in text for text in texts) == 1


def test_a_changed_letter_that_now_fails_the_check_leaves_the_batch_held(
        queued_batch, monkeypatch, cast, django_capture_on_commit_callbacks):
    from defects.models import Consumer

    held = queued_batch.cases[0]
    letter = Letter.objects.get(case=held, kind=POSTCARD)

    def break_the_address():
        Consumer.objects.filter(pk=held.consumer.pk).update(postal_code="", address="")
        services.reprint_letter(letter, cast["mailroom"])

    during_render(monkeypatch, before=break_the_address)
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    letter.refresh_from_db()
    assert (batch.status, batch.count, len(page_texts(batch.pdf.path))) == (PrintBatch.Status.READY, 1, 2)
    assert (letter.status, letter.batch, letter.checked_revision) == (Letter.Status.HELD, None, 2)
    assert letter.problems


def test_the_sweep_requeues_a_batch_whose_render_died_and_it_renders_once(
        queued_batch, django_capture_on_commit_callbacks):
    batches.claim(queued_batch.pk)  # ...and the worker is killed: no render, no renewal
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_batches() == {"requeued": 0, "resent": 0, "failed": 0}  # lease still live
    expire(queued_batch)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_batches()["requeued"] == 1
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert (batch.status, batch.attempts, batch.interruptions) == (PrintBatch.Status.READY, 2, 0)
    assert len(page_texts(batch.pdf.path)) == 4


def test_a_render_that_lost_its_claim_throws_its_result_away(
        queued_batch, monkeypatch, django_capture_on_commit_callbacks):
    """A render presumed dead wakes up after another render made the batch: its result is void."""
    def presumed_dead_and_replaced():
        expire(queued_batch)
        services.sweep_batches()  # queued again; the second render runs at once (tasks inline)
        assert PrintBatch.objects.get(pk=queued_batch.pk).status == PrintBatch.Status.READY

    calls = during_render(monkeypatch, before=presumed_dead_and_replaced)
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert (batch.status, batch.attempts, batch.rendered_revision, len(calls)) == (PrintBatch.Status.READY, 2, 1, 2)
    assert batch.pdf.name.endswith(".pdf") and len(page_texts(batch.pdf.path)) == 4


def test_a_batch_whose_message_never_reached_a_worker_is_sent_again_by_the_sweep(
        queued_batch, settings, django_capture_on_commit_callbacks):
    settings.HITOTSUBU_BATCH_SWEEP_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_batches()["resent"] == 0  # just sent: give the broker its minute
    later = timezone.now() + datetime.timedelta(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_batches(now=later)["resent"] == 1
    assert PrintBatch.objects.get(pk=queued_batch.pk).status == PrintBatch.Status.READY


def test_a_lost_database_connection_gives_the_claim_back_and_the_batch_renders_again(
        queued_batch, monkeypatch, django_capture_on_commit_callbacks):
    def connection_killed():
        raise OperationalError("terminating connection due to administrator command")

    during_render(monkeypatch, before=connection_killed)
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert (batch.status, batch.attempts, batch.error) == (PrintBatch.Status.READY, 2, "")


def test_a_batch_interrupted_too_often_fails_visibly_and_a_person_may_retry_it(
        queued_batch, cast, django_capture_on_commit_callbacks):
    for _ in range(MAX_INTERRUPTIONS):
        batches.claim(queued_batch.pk)
        expire(queued_batch)
        services.sweep_batches()  # on_commit sends are dropped: each render "dies" again
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert batch.status == PrintBatch.Status.FAILED and str(MAX_INTERRUPTIONS) in batch.error
    assert batch.letters.count() == 2  # no letter lost
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_batch(batch, cast["mailroom"])
    batch.refresh_from_db()
    assert (batch.status, batch.interruptions, batch.error) == (PrintBatch.Status.READY, 0, "")


def test_retry_takes_a_stuck_batch_but_not_one_that_is_rendering(queued_batch, cast, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.HITOTSUBU_BATCH_LEASE_SECONDS = 300
    batches.claim(queued_batch.pk)
    with pytest.raises(services.BatchConflict):
        services.retry_batch(queued_batch, cast["mailroom"])  # its render is alive
    expire(queued_batch)
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert batch.is_stuck
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_batch(batch, cast["mailroom"])
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.READY and not batch.is_stuck
    with pytest.raises(services.BatchConflict):
        services.retry_batch(batch, cast["mailroom"])


def test_a_queued_batch_no_worker_took_within_the_lease_is_stuck(queued_batch, settings):
    settings.HITOTSUBU_BATCH_LEASE_SECONDS = 300
    assert not queued_batch.is_stuck
    PrintBatch.objects.filter(pk=queued_batch.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=6))
    batch = PrintBatch.objects.get(pk=queued_batch.pk)
    assert batch.is_stuck and batch.stuck_since() == batch.queued_at


def test_a_reprinted_letter_of_a_printed_batch_goes_into_a_new_batch(
        queued_batch, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.render_batch(queued_batch.pk)
    services.mark_printed(queued_batch, cast["mailroom"])
    letter = Letter.objects.get(case=queued_batch.cases[0], kind=POSTCARD)
    with django_capture_on_commit_callbacks(execute=True):
        services.reprint_letter(letter, cast["mailroom"])
    printed = PrintBatch.objects.get(pk=queued_batch.pk)
    assert printed.revision == 1  # its paper exists; the new revision goes into the next batch
    letter.refresh_from_db()
    assert (letter.status, letter.batch, letter.revision) == (Letter.Status.READY, None, 2)


def test_the_sweep_is_on_the_beat_schedule_every_minute(settings):
    from config.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "letters.tasks.sweep_print_batches")
    assert entry["schedule"] == 60
    assert "letters.tasks.sweep_print_batches" in app.tasks
    # A killed worker's task is delivered again, after a visibility timeout longer than the lease.
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.HITOTSUBU_BATCH_LEASE_SECONDS


# --- the print room shows it ------------------------------------------------------------------

def mailroom_client(client, cast, language):
    from django.conf import settings

    from tests.conftest import PASSWORD

    assert client.login(username=cast["mailroom"].username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language,stuck,attention,retry", [
    ("en", "Stuck", "Batches that need attention", "Retry rendering"),
    ("ja", "停止中", "対応が必要なバッチ", "作成をやり直す"),
])
def test_the_print_room_shows_a_stuck_batch_at_the_top_with_a_retry(
        queued_batch, client, cast, language, stuck, attention, retry, django_capture_on_commit_callbacks):
    batches.claim(queued_batch.pk)
    client = mailroom_client(client, cast, language)
    assert attention not in client.get("/print-room/").content.decode()  # rendering, alive: nothing to say
    expire(queued_batch)
    page = client.get("/print-room/").content.decode()
    assert attention in page and stuck in page and f"/print-room/batches/{queued_batch.pk}/retry/" in page
    detail = client.get(f"/print-room/batches/{queued_batch.pk}/", HTTP_HX_REQUEST="true",
                        data={"part": "progress"}).content.decode()
    assert stuck in detail and retry in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/print-room/batches/{queued_batch.pk}/retry/")
    assert response.status_code == 302
    assert PrintBatch.objects.get(pk=queued_batch.pk).status == PrintBatch.Status.READY
    assert attention not in client.get("/print-room/").content.decode()


def test_a_failed_batch_shows_its_reason_in_the_print_room(queued_batch, client, cast, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("printer driver exploded")

    monkeypatch.setattr(pdf, "render_batch", broken)
    services.render_batch(queued_batch.pk)
    page = mailroom_client(client, cast, "en").get("/print-room/").content.decode()
    assert "Batches that need attention" in page and "printer driver exploded" in page


def test_the_api_says_a_batch_is_stuck(queued_batch, cast):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast["mailroom"])
    assert api.get(f"/api/print-batches/{queued_batch.pk}/").json()["stuck"] is False
    batches.claim(queued_batch.pk)
    expire(queued_batch)
    body = api.get(f"/api/print-batches/{queued_batch.pk}/").json()
    assert (body["status"], body["stuck"], body["revision"]) == ("rendering", True, 1)
    assert api.post(f"/api/print-batches/{queued_batch.pk}/retry/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "http://testserver.evil.example/"])
def test_a_reprint_form_never_sends_the_browser_off_the_site(queued_batch, client, cast, target):
    letter = Letter.objects.get(case=queued_batch.cases[0], kind=POSTCARD)
    response = mailroom_client(client, cast, "en").post(f"/print-room/letters/{letter.pk}/requeue/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/print-room/"


def test_a_reprint_form_follows_a_next_on_the_site(queued_batch, client, cast):
    letter = Letter.objects.get(case=queued_batch.cases[0], kind=POSTCARD)
    target = f"/print-room/batches/{queued_batch.pk}/"
    response = mailroom_client(client, cast, "en").post(f"/print-room/letters/{letter.pk}/requeue/", {"next": target})
    assert response.status_code == 302 and response["Location"] == target
