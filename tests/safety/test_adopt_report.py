"""One investigation for a whole lot: adopt_report gives a second case its own apology letter, from the
first case's approved consumer-facing summary, addressed to its own consumer, and its own replacement."""

import io

import pdfplumber
import pytest

from defects import selectors
from defects.models import Event, State
from letters import pdf, services as letters
from letters.content import context_for
from letters.models import Kind, Letter
from tests.api.conftest import token_client
from tests.conftest import COMPLETE_REPORT

SECOND_CONSUMER = {"consumer_name": "山田\u3000花子", "consumer_name_kana": "ヤマダ\u3000ハナコ",
                   "consumer_postal_code": "1000005", "consumer_address": "東京都千代田区丸の内2-2-2",
                   "consumer_phone": "03-5555-0199", "consumer_email": ""}


def adopt(user, case, body):
    return token_client(user).post(f"/api/cases/{case.reference}/transitions/adopt_report/", body, format="json")


def text_of(letter) -> str:
    with pdfplumber.open(io.BytesIO(pdf.render_one(letter.kind, context_for(letter)))) as document:
        return "".join("".join(page.extract_text().split()) for page in document.pages)


@pytest.mark.parametrize("state", [State.RECEIVED, State.AWAITING_RETURN, State.INVESTIGATING])
def test_adopt_report_gives_the_second_case_its_own_letter_with_the_first_cause(make_case, cast, state):
    first = make_case(State.APPROVED, lot_code="KY2611A")
    second = make_case(state, lot_code="ky 2611a", **SECOND_CONSUMER)
    answer = adopt(cast["qa_manager"], second, {"from_case": first.reference.lower(),
                                                "reason": "Same lot, same wrapper fault."})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "approved" and answer.json()["adopted_from"] == first.reference
    second.refresh_from_db()
    assert second.adopted_from_id == first.pk and second.approved_at is not None
    # Why no separate investigation, and who decided: on the timeline.
    event = second.events.get(kind=Event.Kind.TRANSITION, transition="adopt_report")
    assert event.actor == cast["qa_manager"] and event.data["from_case"] == first.reference
    # Written in the language of the request (Japanese by default): no separate investigation, because ...
    assert "個別調査なし" in event.note and first.reference in event.note
    assert "Same lot, same wrapper fault." in event.note
    # Its own apology letter, to its own consumer, with the first case's cause.
    letter = Letter.objects.get(case=second, kind=Kind.APOLOGY_LETTER)
    assert letters.render_letter(letter.pk).status == Letter.Status.READY
    text = text_of(letter)
    for field in ("consumer_cause", "consumer_prevention"):
        assert "".join(COMPLETE_REPORT[field].split()) in text
    assert "山田花子" in text and "蒼井紫苑" not in text
    assert COMPLETE_REPORT["cause_of_occurrence"] not in text  # the internal analysis never goes out
    # And its own replacement parcel and packing slip.
    assert selectors.replacement_shipment(second) is not None
    assert Letter.objects.filter(case=second, kind=Kind.PACKING_SLIP).exists()


def test_a_case_that_adopted_passes_on_the_original_report(make_case, cast):
    first = make_case(State.APPROVED, lot_code="KY2611A")
    second = make_case(lot_code="KY2611A")
    adopt(cast["qa_manager"], second, {"from_case": first.reference})
    third = make_case(lot_code="KY2611A", **SECOND_CONSUMER)
    assert adopt(cast["qa_manager"], third, {"from_case": second.reference}).status_code == 200
    third.refresh_from_db()
    assert third.adopted_from_id == first.pk


@pytest.mark.parametrize("source,message", [  # in Japanese, the API's default language
    ("other_product", "別の商品"),
    ("other_category", "別の種類の不具合"),
    ("not_approved", "まだ承認されていません"),
    ("unknown", "この番号の案件はありません。"),
    ("itself", "自分自身"),
])
def test_bad_from_case_is_400_naming_the_field(make_case, cast, chocolate, source, message):
    second = make_case()
    reference = {
        "other_product": lambda: make_case(State.APPROVED, product=chocolate).reference,
        "other_category": lambda: make_case(State.APPROVED, category="foreign_matter"
                                            if second.category != "foreign_matter" else "packaging").reference,
        "not_approved": lambda: make_case(State.INVESTIGATING).reference,
        "unknown": lambda: "D-2026-999999",
        "itself": lambda: second.reference,
    }[source]()
    answer = adopt(cast["qa_manager"], second, {"from_case": reference})
    assert answer.status_code == 400 and list(answer.json()) == ["from_case"], answer.json()
    assert message in answer.json()["from_case"][0]
    second.refresh_from_db()
    assert second.state == State.RECEIVED and second.adopted_from_id is None


def test_missing_from_case_is_400(make_case, cast):
    answer = adopt(cast["qa_manager"], make_case(), {})
    assert answer.status_code == 400 and "from_case" in answer.json()


def test_only_qa_managers_adopt_and_only_before_review(make_case, cast):
    first = make_case(State.APPROVED)
    second = make_case()
    for who in ("hotline", "qa_kyu", "mailroom"):
        assert adopt(cast[who], second, {"from_case": first.reference}).status_code == 403, who
    in_review = make_case(State.REPORT_REVIEW)
    assert adopt(cast["qa_manager"], in_review, {"from_case": first.reference}).status_code == 409


@pytest.mark.parametrize("state,thanks", [(State.RECEIVED, False), (State.INVESTIGATING, True)])
def test_the_adopted_letter_says_whose_product_was_examined(make_case, cast, state, thanks):
    # This consumer's own product was not what the plant examined: the letter must not say so, and
    # thanks them for sending it only if they did.
    first = make_case(State.APPROVED, lot_code="KY2611A")
    second = make_case(state, lot_code="KY2611A", **SECOND_CONSUMER)
    assert adopt(cast["qa_manager"], second, {"from_case": first.reference}).status_code == 200
    letter = Letter.objects.get(case=second, kind=Kind.APOLOGY_LETTER)
    text = text_of(letter)
    assert "同じ製品について寄せられたお申し出を受けて当工場にて調査を行い" in text
    assert "お送りいただいた製品を当工場にて調査いたしました" not in text
    assert ("製品をお送りいただきましたご協力に" in text) is thanks
    # The first consumer's own letter still reads as an examination of the product they sent.
    own = text_of(Letter.objects.get(case=first, kind=Kind.APOLOGY_LETTER))
    assert "お送りいただいた製品を当工場にて調査いたしました" in own and "製品をお送りいただきましたご協力に" in own
