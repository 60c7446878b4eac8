"""The print room end to end: letters made by the actions, checked, claimed into batches in postal
order, rendered into one PDF, printed, mailed, reprinted, and every case's timeline told."""

import pypdfium2
import pytest
from django.core.exceptions import ValidationError

from defects import services as defects
from defects.forms import ConsumerForm
from defects.models import Event, State
from letters import services
from letters.models import Kind, Letter, PrintBatch

POSTAL_CODES = ["9000015", "8100001", "0600001", "5300001", "1000005", "7300011", "3300063", "4600008",
                "2310023", "9800811"]


def check_all():
    for pk in Letter.objects.filter(status=Letter.Status.QUEUED).values_list("pk", flat=True):
        services.render_letter(pk)


def page_texts(path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def make_batch(kind, by, capture):
    with capture(execute=True):
        batch = services.create_batch(kind, by)
    return PrintBatch.objects.get(pk=batch.pk)


def test_two_hundred_postcards_make_one_four_hundred_page_pdf_in_postal_order(
        make_case, cast, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    cases = [make_case(State.AWAITING_RETURN, consumer_postal_code=POSTAL_CODES[i % len(POSTAL_CODES)],
                       consumer_name=f"試験 {chr(0x4E00 + i)}子") for i in range(200)]
    check_all()
    assert Letter.objects.filter(kind=Kind.FIRST_NOTICE_POSTCARD, status=Letter.Status.READY).count() == 200

    batch = make_batch(Kind.FIRST_NOTICE_POSTCARD, cast["mailroom"], django_capture_on_commit_callbacks)
    assert (batch.status, batch.count, batch.progress) == (PrintBatch.Status.READY, 200, 1.0)
    texts = page_texts(batch.pdf.path)
    assert len(texts) == 400

    # Message sides (every second page) carry the references: their cases' postal codes never go down.
    postal_by_reference = {c.reference: c.consumer.postal_code for c in cases}
    order = []
    for text in texts[1::2]:
        found = [ref for ref in postal_by_reference if ref in text]
        assert len(found) == 1, text[:200]
        order.append(found[0])
    assert sorted(order) == sorted(postal_by_reference)
    codes = [postal_by_reference[ref] for ref in order]
    assert codes == sorted(codes)

    # Not one query per letter: a batch may hold thousands (the 11th: one INSERT of their outbox rows).
    with django_assert_max_num_queries(11):
        services.mark_printed(batch, cast["mailroom"])
    for case in cases:
        printed = case.events.filter(kind=Event.Kind.LETTER, data__action="printed",
                                     data__kind=Kind.FIRST_NOTICE_POSTCARD)
        assert printed.count() == 1
        assert printed.get().actor == cast["mailroom"]
    assert not Letter.objects.filter(kind=Kind.FIRST_NOTICE_POSTCARD).exclude(status=Letter.Status.PRINTED).exists()


def test_a_letter_is_never_in_two_batches(make_case, cast, django_capture_on_commit_callbacks):
    for _ in range(3):
        make_case(State.AWAITING_RETURN)
    check_all()
    first = make_batch(Kind.RETURN_KIT, cast["mailroom"], django_capture_on_commit_callbacks)
    assert first.count == 3
    with pytest.raises(ValidationError):
        services.create_batch(Kind.RETURN_KIT, cast["mailroom"])
    assert set(Letter.objects.filter(kind=Kind.RETURN_KIT).values_list("batch", flat=True)) == {first.pk}


def test_a_failed_render_loses_no_letter_and_can_be_retried(make_case, cast, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    from letters import pdf

    for _ in range(2):
        make_case(State.AWAITING_RETURN)
    check_all()
    real = pdf.render_batch

    def broken(*args, **kwargs):
        raise RuntimeError("printer driver exploded")

    monkeypatch.setattr(pdf, "render_batch", broken)
    batch = make_batch(Kind.FIRST_NOTICE_POSTCARD, cast["mailroom"], django_capture_on_commit_callbacks)
    assert batch.status == PrintBatch.Status.FAILED and "exploded" in batch.error
    assert batch.letters.count() == 2

    with pytest.raises(services.BatchConflict):
        services.mark_printed(batch, cast["mailroom"])
    monkeypatch.setattr(pdf, "render_batch", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_batch(batch, cast["mailroom"])
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, len(page_texts(batch.pdf.path))) == (PrintBatch.Status.READY, 2, 4)


def test_render_is_idempotent(make_case, cast, django_capture_on_commit_callbacks):
    make_case(State.AWAITING_RETURN)
    check_all()
    batch = make_batch(Kind.RETURN_KIT, cast["mailroom"], django_capture_on_commit_callbacks)
    name = batch.pdf.name
    again = services.render_batch(batch.pk)
    assert (again.status, again.pdf.name, again.attempts) == (PrintBatch.Status.READY, name, 1)
    letter = Letter.objects.get(kind=Kind.RETURN_KIT)
    assert services.render_letter(letter.pk).status == Letter.Status.BATCHED


def test_printed_then_mailed_then_reprinted(make_case, cast, django_capture_on_commit_callbacks):
    case = make_case(State.AWAITING_RETURN)
    check_all()
    mailroom = cast["mailroom"]
    batch = make_batch(Kind.FIRST_NOTICE_POSTCARD, mailroom, django_capture_on_commit_callbacks)
    with pytest.raises(services.BatchConflict):
        services.mark_mailed(batch, mailroom)
    services.mark_printed(batch, mailroom)
    with pytest.raises(services.BatchConflict):
        services.mark_printed(batch, mailroom)
    with django_capture_on_commit_callbacks(execute=True):
        services.reprint_batch(batch, mailroom)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.READY and batch.printed_at is None
    services.mark_printed(batch, mailroom)
    services.mark_mailed(batch, mailroom)
    actions = list(case.events.filter(kind=Event.Kind.LETTER).values_list("data__action", flat=True))
    assert actions == ["printed", "reprint", "printed", "mailed"]
    assert Letter.objects.get(case=case, kind=Kind.FIRST_NOTICE_POSTCARD).status == Letter.Status.MAILED


def test_one_letter_reprinted_joins_the_next_batch(make_case, cast, django_capture_on_commit_callbacks):
    make_case(State.AWAITING_RETURN)
    check_all()
    mailroom = cast["mailroom"]
    batch = make_batch(Kind.RETURN_KIT, mailroom, django_capture_on_commit_callbacks)
    services.mark_printed(batch, mailroom)
    letter = Letter.objects.get(kind=Kind.RETURN_KIT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reprint_letter(letter, mailroom)
    letter.refresh_from_db()
    assert (letter.status, letter.revision, letter.batch) == (Letter.Status.READY, 2, None)
    second = make_batch(Kind.RETURN_KIT, mailroom, django_capture_on_commit_callbacks)
    assert list(second.letters.all()) == [letter] and second.status == PrintBatch.Status.READY


def test_address_change_keeps_the_letter_in_its_unprinted_batch_which_renders_the_new_revision(
        make_case, cast, django_capture_on_commit_callbacks):
    moving = make_case(State.AWAITING_RETURN)
    make_case(State.AWAITING_RETURN)
    check_all()
    mailroom = cast["mailroom"]
    batch = make_batch(Kind.FIRST_NOTICE_POSTCARD, mailroom, django_capture_on_commit_callbacks)
    assert (batch.revision, batch.rendered_revision) == (1, 1)
    form = ConsumerForm(data={"postal_code": "1000005", "address": "東京都千代田区丸の内1-1-1 新住所ビル9階"},
                        partial=True)
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        defects.change_consumer_address(moving, cast["hotline"], form.cleaned_data)
    batch.refresh_from_db()
    assert (batch.status, batch.count, batch.revision, batch.rendered_revision, batch.attempts) == (
        PrintBatch.Status.READY, 2, 2, 2, 2)
    texts = page_texts(batch.pdf.path)
    assert len(texts) == 4
    assert sum("新住所ビル" in text for text in texts) == 1
    letter = Letter.objects.get(case=moving, kind=Kind.FIRST_NOTICE_POSTCARD)
    assert (letter.batch, letter.status, letter.revision, letter.checked_revision) == (
        batch, Letter.Status.BATCHED, 2, 2)
    assert "新住所ビル" in letter.context["consumer"]["address"]
    # It waits for no other batch: nothing of its kind is left to print.
    assert services.waiting_counts()[Kind.FIRST_NOTICE_POSTCARD] == 0


def test_a_letter_that_fails_the_check_is_held_with_the_reason(make_case, cast):
    case = make_case(State.AWAITING_RETURN, consumer_postal_code="", consumer_address="")
    check_all()
    held = Letter.objects.get(case=case, kind=Kind.FIRST_NOTICE_POSTCARD)
    assert held.status == Letter.Status.HELD and held.problems
    assert case.events.filter(kind=Event.Kind.LETTER, data__action="held").exists()
    assert services.waiting_counts()[Kind.FIRST_NOTICE_POSTCARD] == 0


# --- the pages --------------------------------------------------------------------------------

def login(client, user):
    from tests.conftest import PASSWORD

    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_print_room_pages_for_the_mail_room(client, make_case, cast, django_capture_on_commit_callbacks):
    case = make_case(State.AWAITING_RETURN)
    check_all()
    login(client, cast["mailroom"])
    page = client.get("/print-room/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/print-room/batches/", {"kind": Kind.FIRST_NOTICE_POSTCARD})
    batch = PrintBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/print-room/batches/{batch.pk}/")
    page = client.get(f"/print-room/batches/{batch.pk}/")
    assert page.status_code == 200 and case.reference in page.content.decode()
    pdf = client.get(f"/print-room/batches/{batch.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # "Download" downloads: an attachment with a file name, not a PDF opened in the tab.
    assert pdf["Content-Disposition"] == f'attachment; filename="batch-{batch.pk}-first_notice_postcard.pdf"'
    assert client.post(f"/print-room/batches/{batch.pk}/mark-printed/").status_code == 302
    assert client.post(f"/print-room/batches/{batch.pk}/mark-printed/").status_code == 409
    assert case.events.filter(kind=Event.Kind.LETTER, data__action="printed").exists()
    letter = Letter.objects.get(case=case, kind=Kind.FIRST_NOTICE_POSTCARD)
    single = client.get(f"/print-room/letters/{letter.pk}/pdf/")
    assert single.status_code == 200 and single["Content-Type"] == "application/pdf"
    assert single["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("who", ["qa_kyu", "qa_sai"])
def test_factory_users_never_reach_the_print_room(client, make_case, cast, who):
    case = make_case(State.AWAITING_RETURN)
    check_all()
    letter = Letter.objects.filter(case=case).first()
    login(client, cast[who])
    assert client.get("/print-room/").status_code == 403
    assert client.post("/print-room/batches/", {"kind": Kind.RETURN_KIT}).status_code == 403
    assert client.get(f"/print-room/letters/{letter.pk}/pdf/").status_code == 403
    assert client.get("/print-room/preview/first_notice_postcard/").status_code == 403


def test_hotline_sees_the_print_room_but_cannot_run_batches(client, cast):
    login(client, cast["hotline"])
    assert client.get("/print-room/").status_code == 200
    assert client.post("/print-room/batches/", {"kind": Kind.RETURN_KIT}).status_code == 403


@pytest.mark.parametrize("kind", Kind.values)
def test_preview_per_kind_with_sample_data(client, cast, kind):
    login(client, cast["mailroom"])
    page = client.get(f"/print-room/preview/{kind}/")
    assert page.status_code == 200
    pdf = client.get(f"/print-room/preview/{kind}/?format=pdf&language=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("language,phrase", [("ja", "包装の不良があり"), ("en", "a packaging defect")])
def test_the_apology_letter_tells_the_approved_consumer_summary(make_case, cast, language, phrase):
    import io

    import pdfplumber

    from letters import pdf
    from letters.content import context_for
    from tests.conftest import COMPLETE_REPORT

    case = make_case(State.APPROVED, consumer_language=language)
    letter = Letter.objects.get(case=case, kind=Kind.APOLOGY_LETTER)
    assert services.render_letter(letter.pk).status == Letter.Status.READY
    with pdfplumber.open(io.BytesIO(pdf.render_one(letter.kind, context_for(letter)))) as document:
        text = "".join("".join(page.extract_text().split()) for page in document.pages)
    for field in ("consumer_cause", "consumer_escape", "consumer_prevention"):
        assert "".join(COMPLETE_REPORT[field].split()) in text
    assert COMPLETE_REPORT["cause_of_occurrence"] not in text  # the internal analysis never goes out
    assert case.factory.name in text and "".join(phrase.split()) in text


def test_the_case_page_tells_printing_in_the_readers_language(client, make_case, cast,
                                                              django_capture_on_commit_callbacks):
    case = make_case(State.AWAITING_RETURN)
    check_all()
    batch = make_batch(Kind.FIRST_NOTICE_POSTCARD, cast["mailroom"], django_capture_on_commit_callbacks)
    services.mark_printed(batch, cast["mailroom"])  # the note is written in English (tests run in English)
    login(client, cast["hotline"])
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "印刷済み" in page and "First-notice postcard printed" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "printed" in page


@pytest.mark.parametrize("kind", [Kind.APOLOGY_LETTER, Kind.PACKING_SLIP, Kind.RETURN_KIT])
def test_a_batch_reads_its_letters_contexts_without_a_query_per_letter(make_case, cast, kind,
                                                                       django_assert_max_num_queries):
    from letters.content import context_for

    cases = [make_case(State.APPROVED) for _ in range(8)]
    check_all()
    batch = services.create_batch(kind, cast["mailroom"])  # not rendered: on_commit never fires here
    with django_assert_max_num_queries(8):
        contexts = [context_for(letter) for letter in services.batch_letters(batch)]
    assert len(contexts) == len(cases)
    if kind == Kind.RETURN_KIT:
        assert all(c["return_reference"] for c in contexts)
    else:
        assert all(c["items"][0]["name"] == cases[0].product.name for c in contexts)
        assert all(c["summary"]["prevention"] for c in contexts)
