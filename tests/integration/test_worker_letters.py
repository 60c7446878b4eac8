"""Letters through the real pipeline: an action commits, the worker checks the letters it queued,
the print room claims them, and the worker renders the batch into one PDF."""

import pypdfium2
import pytest

from config.celery import app as celery_app
from defects import services
from defects.models import State
from letters import services as letters
from letters.models import Kind, Letter, PrintBatch
from tests.integration.test_worker_sweep import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_checks_letters_after_commit_and_renders_the_print_batch(celery_worker, make_case, cast, settings):
    assert not celery_app.conf.task_always_eager
    settings.MEDIA_ROOT = celery_worker.media_root
    cases = [make_case(State.RECEIVED, consumer_postal_code=code) for code in ("9000015", "0600001", "8100001")]
    for case in cases:
        services.perform(case, "request_return", cast["hotline"], {})  # commits; render_letter goes to Redis

    postcards = Letter.objects.filter(kind=Kind.FIRST_NOTICE_POSTCARD)
    wait_for(lambda: postcards.filter(status=Letter.Status.READY).count() == 3, celery_worker,
             "the worker's letter checks")

    batch = letters.create_batch(Kind.FIRST_NOTICE_POSTCARD, cast["mailroom"])
    assert PrintBatch.objects.get(pk=batch.pk).status in ("queued", "rendering")  # not rendered in this process
    wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).status == PrintBatch.Status.READY, celery_worker,
             "the worker's batch render")
    batch.refresh_from_db()
    assert (batch.count, batch.progress, batch.attempts) == (3, 1.0, 1)
    document = pypdfium2.PdfDocument(batch.pdf.path)
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    assert len(texts) == 6
    in_order = sorted(cases, key=lambda c: c.consumer.postal_code)
    assert [c.reference for c in in_order] == [
        next(c.reference for c in cases if c.reference in text) for text in texts[1::2]
    ]
