"""Letters and print batches over the API (letters/api.py): who sees them, PDFs, the batch lifecycle."""

import pytest

from defects.models import Event, State
from letters import services as letters
from letters.models import Letter, PrintBatch
from tests.api.conftest import case_url

POSTCARD = "first_notice_postcard"


@pytest.fixture
def awaiting(make_case):
    """A case whose first-notice postcard and return kit are queued (rendering waits for commit)."""
    return make_case(State.AWAITING_RETURN)


def postcard_of(case) -> Letter:
    return Letter.objects.get(case=case, kind=POSTCARD)


@pytest.fixture
def ready_postcard(awaiting):
    letter = letters.render_letter(postcard_of(awaiting).pk)
    assert letter.status == Letter.Status.READY, letter.problems
    return letter


@pytest.fixture
def batch(api, ready_postcard, django_capture_on_commit_callbacks):
    """A rendered batch of one postcard, made through the API (render_batch runs eagerly on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api("mailroom").post("/api/print-batches/", {"kind": POSTCARD}, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def batch_url(batch, *rest):
    return "/".join([f"/api/print-batches/{batch['id']}", *rest, ""])


@pytest.mark.parametrize("who", ["hotline", "mailroom", "qa_manager", "admin"])
def test_roles_that_see_personal_data_list_a_cases_letters(api, awaiting, who):
    response = api(who).get(case_url(awaiting, "letters"))
    assert response.status_code == 200
    assert [(x["kind"], x["status"], x["pdf"]) for x in response.json()] == [
        (POSTCARD, "queued", None), ("return_kit", "queued", None)]
    assert {"id", "kind", "status", "pdf"} <= set(response.json()[0])


def test_factory_users_get_403_for_their_cases_letters_and_404_for_others(api, awaiting):
    assert api("qa_kyu").get(case_url(awaiting, "letters")).status_code == 403
    assert api("qa_sai").get(case_url(awaiting, "letters")).status_code == 404
    letter = postcard_of(awaiting)
    assert api("qa_kyu").get(f"/api/letters/{letter.pk}/pdf/").status_code == 403


def test_a_letter_pdf_is_409_until_rendered_then_a_pdf(api, awaiting):
    letter = postcard_of(awaiting)
    waiting = api("hotline").get(f"/api/letters/{letter.pk}/pdf/")
    assert waiting.status_code == 409 and waiting.json()["status"] == "queued"
    letters.render_letter(letter.pk)
    listed = api("hotline").get(case_url(awaiting, "letters")).json()[0]
    assert listed["status"] == "ready" and listed["pdf"].endswith(f"/api/letters/{letter.pk}/pdf/")
    pdf = api("hotline").get(listed["pdf"], HTTP_ACCEPT="application/pdf")  # what a PDF viewer asks for
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert api("hotline").get("/api/letters/999999/pdf/").status_code == 404


def test_a_batch_is_made_rendered_and_downloadable(api, batch):
    assert batch["kind"] == POSTCARD and batch["count"] == 1
    status = api("mailroom").get(batch_url(batch))
    assert status.status_code == 200
    body = status.json()
    assert (body["status"], body["progress"], body["count"], body["attempts"]) == ("ready", 1.0, 1, 1)
    assert body["pdf"].endswith(batch_url(batch, "pdf"))
    pdf = api("mailroom").get(body["pdf"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert [b["id"] for b in api("mailroom").get("/api/print-batches/").json()] == [batch["id"]]


@pytest.mark.parametrize("body", [{"kind": "love_letter"}, {}, {"kind": ["first_notice_postcard"]}, ["x"]])
def test_an_unknown_kind_is_400(api, awaiting, body):
    response = api("mailroom").post("/api/print-batches/", body, format="json")
    assert response.status_code == 400 and "kind" in response.json()


def test_nothing_waiting_is_400(api, awaiting):
    response = api("mailroom").post("/api/print-batches/", {"kind": POSTCARD}, format="json",
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "No letters of this kind" in response.json()["kind"][0]
    assert not PrintBatch.objects.exists()


@pytest.mark.parametrize("who", ["hotline", "qa_manager", "qa_kyu"])
def test_only_the_print_room_runs_batches(api, batch, who):
    client = api(who)
    assert client.post("/api/print-batches/", {"kind": POSTCARD}, format="json").status_code == 403
    assert client.get("/api/print-batches/").status_code == 403
    assert client.get(batch_url(batch)).status_code == 403
    assert client.get(batch_url(batch, "pdf")).status_code == 403
    assert client.post(batch_url(batch, "mark-printed")).status_code == 403


def test_printed_mailed_and_told_by_each_cases_timeline(api, batch, awaiting):
    client = api("mailroom")
    printed = client.post(batch_url(batch, "mark-printed"), HTTP_ACCEPT_LANGUAGE="en")
    assert printed.status_code == 200 and printed.json()["printed_at"]
    assert postcard_of(awaiting).status == Letter.Status.PRINTED
    timeline = api("hotline").get(case_url(awaiting, "events")).json()
    lines = [e for e in timeline if e["kind"] == Event.Kind.LETTER and e["data"].get("action") == "printed"]
    assert [e["note"] for e in lines] == ["First-notice postcard printed"]
    assert lines[0]["actor"] == "mailroom" and lines[0]["data"]["batch"] == batch["id"]

    again = client.post(batch_url(batch, "mark-printed"))
    assert again.status_code == 409 and again.json()["code"] == "batch_conflict"
    mailed = client.post(batch_url(batch, "mark-mailed"))
    assert mailed.status_code == 200 and mailed.json()["mailed_at"]
    assert postcard_of(awaiting).status == Letter.Status.MAILED
    for action in ("mark-mailed", "reprint", "retry", "mark-printed"):
        assert client.post(batch_url(batch, action)).status_code == 409, action


def test_a_printed_batch_is_reprinted_as_a_fresh_pdf(api, batch, awaiting, django_capture_on_commit_callbacks):
    client = api("mailroom")
    assert client.post(batch_url(batch, "mark-mailed")).status_code == 409  # not printed yet
    client.post(batch_url(batch, "mark-printed"))
    with django_capture_on_commit_callbacks(execute=True):
        reprint = client.post(batch_url(batch, "reprint"))
    assert reprint.status_code == 200
    body = client.get(batch_url(batch)).json()
    assert (body["status"], body["printed_at"], body["attempts"]) == ("ready", None, 2)
    assert postcard_of(awaiting).status == Letter.Status.BATCHED
    assert client.post(batch_url(batch, "mark-printed")).status_code == 200


def test_a_failed_render_keeps_its_letters_and_retry_renders_it(api, ready_postcard, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from letters import pdf

    real = pdf.render_batch
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("printer font cache exploded")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_batch", fail_once)
    client = api("mailroom")
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post("/api/print-batches/", {"kind": POSTCARD}, format="json")
    assert made.status_code == 202
    batch = made.json()
    failed = client.get(batch_url(batch)).json()
    assert (failed["status"], failed["pdf"]) == ("failed", None) and "exploded" in failed["error"]
    letter = Letter.objects.get(pk=ready_postcard.pk)
    assert (letter.status, letter.batch_id) == (Letter.Status.BATCHED, batch["id"])  # still claimed
    assert client.get(batch_url(batch, "pdf")).status_code == 409
    assert client.post(batch_url(batch, "mark-printed")).status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(batch_url(batch, "retry"))
    assert retried.status_code == 200
    done = client.get(batch_url(batch)).json()
    assert (done["status"], done["progress"], done["attempts"], done["error"]) == ("ready", 1.0, 2, "")
    assert client.post(batch_url(batch, "retry")).status_code == 409  # only a failed batch is retried


def test_a_single_letter_is_sent_back_for_reprint(api, batch, awaiting):
    client = api("mailroom")
    client.post(batch_url(batch, "mark-printed"))
    letter = postcard_of(awaiting)
    assert api("hotline").post(f"/api/letters/{letter.pk}/reprint/").status_code == 403
    response = client.post(f"/api/letters/{letter.pk}/reprint/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["revision"], response.json()["batch"]) == ("queued", 2, None)
