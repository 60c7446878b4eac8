"""The mail room prints a batch of first-notice postcards and watches the live progress bar move while
the real Celery worker renders it (PostgreSQL + Redis run; skipped or failed without them, see
tests/integration/conftest.py)."""

import time

import pytest

from defects import services
from defects.models import State
from letters.models import Kind, Letter, PrintBatch
from tests.integration.test_worker_sweep import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

# Postcards render in chunks of at least 20 (letters.rendering.batch.chunk_size_for), and progress is
# reported per chunk: 80 postcards make 4 chunks on 2 cores, so the bar has steps to show.
POSTCARDS = 80


def test_mailroom_prints_a_batch_and_the_progress_bar_moves(celery_worker, page_as, make_case, cast, settings,
                                                           screenshot):
    settings.MEDIA_ROOT = celery_worker.media_root
    for _n in range(POSTCARDS):
        case = make_case(State.RECEIVED)
        services.perform(case, "request_return", cast["hotline"], {})  # the worker checks its postcard
    postcards = Letter.objects.filter(kind=Kind.FIRST_NOTICE_POSTCARD, status=Letter.Status.READY)
    wait_for(lambda: postcards.count() == POSTCARDS, celery_worker, "the worker's letter checks")

    page = page_as("mailroom")
    page.goto("/print-room/")
    screenshot(page, "waiting")
    row = page.locator("tr", has=page.locator("button", has_text="印刷バッチを作る")).filter(
        has_text=str(POSTCARDS)).first
    with page.expect_navigation():
        row.locator("button").click()
    bar = page.locator("#batch-progress progress")
    seen, deadline = [], time.monotonic() + 240
    while time.monotonic() < deadline:
        value = float(bar.get_attribute("value") or 0)
        if not seen or seen[-1] != value:
            seen.append(value)
            if 0 < value < 1 and len([v for v in seen if 0 < v < 1]) == 1:
                screenshot(page, "rendering")
        if page.locator("#batch-progress a", has_text="PDF").count():
            break
        celery_worker.assert_alive()
        page.wait_for_timeout(100)
    batch = PrintBatch.objects.get()
    assert batch.status == PrintBatch.Status.READY, (batch.status, batch.error, seen)
    # The bar moved by itself (htmx polls the page): it showed a value between the start and the end.
    assert any(0 < value < 1 for value in seen), seen
    assert seen == sorted(seen), seen  # never backwards
    assert page.locator("#batch-progress").inner_text().count("100%") == 1
