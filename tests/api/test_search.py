"""`q` forgives how people type: widths, spaces, kana, hyphens, case (defects.search), and factory
users' queries never match on the consumer's personal data."""

import pytest

from defects import search
from defects.models import Consumer, DefectCase, State
from tests.api.conftest import case_body

pytestmark = pytest.mark.django_db

YAMADA = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "phone": "090-8765-4321",
          "postal_code": "8100001", "address": "福岡県福岡市中央区天神2-5-8 天神ビル3F",
          "email": "Hanako.Yamada@Example.jp"}


@pytest.fixture
def yamada(make_case):
    """Awaiting its return (so it has a return reference), and another case that must not match."""
    case = make_case(State.AWAITING_RETURN, **{f"consumer_{k}": v for k, v in YAMADA.items()})
    make_case(State.RECEIVED)  # 蒼井 紫苑, 092-555-0123: the control
    return case


def found(client, q):
    response = client.get("/api/cases/", {"q": q})
    assert response.status_code == 200, response.content
    return {c["reference"] for c in response.json()["results"]}


def test_the_stored_keys_fold_widths_spaces_kana_and_case():
    assert search.normalise("山田\u3000花子") == search.normalise("山田 花子") == "山田花子"
    assert search.normalise("ﾔﾏﾀﾞ ﾊﾅｺ") == search.normalise("ヤマダ　ハナコ") == "やまだはなこ"
    assert search.normalise("ｄ－２０２６") == "d-2026"
    assert search.compact("D-2026-000123") == "d2026000123"
    assert search.digits("０９０－８７６５－４３２１") == "09087654321"
    assert search.is_phone_like("8765-4321") and not search.is_phone_like("天神2-5-8")
    assert not search.is_phone_like("123")  # fewer than 4 digits


def test_q_finds_the_same_case_however_it_is_typed(api, yamada):
    client = api("hotline")
    return_reference = yamada.shipments.get(direction="return").reference
    assert "-" in return_reference
    queries = [
        "０９０８７６５４３２１", "09087654321", "8765-4321", "4321",
        "山田花子", "山田 花子", "山田\u3000花子",
        "やまだ", "ﾔﾏﾀﾞ", "ヤマダハナコ",
        yamada.reference.lower(), yamada.reference.replace("-", ""), yamada.reference[-6:],
        return_reference.replace("-", ""), return_reference.lower(),
        "ミントガム", "gum-mint", "ＧＵＭ－ＭＩＮＴ",
        "2026.11.20 KY3", "ky3",
        "hanako.yamada@example", "天神ビル", "天神２－５－８", "中央区 天神",
    ]
    for q in queries:
        assert yamada.reference in found(client, q), q


def test_q_does_not_match_what_is_not_there(api, yamada):
    client = api("hotline")
    assert found(client, "佐藤") == set()
    assert found(client, "0000-0000") == set()
    # The control case is found by its own consumer, not by Yamada's.
    control = DefectCase.objects.exclude(pk=yamada.pk).get()
    assert found(client, "蒼井紫苑") == {control.reference}


def test_factory_users_never_match_on_personal_data(api, yamada):
    client = api("qa_kyu")
    for q in ["山田", "やまだ", "ﾔﾏﾀﾞ", "8765-4321", "09087654321", "hanako", "天神ビル", "example.jp"]:
        assert found(client, q) == set(), q
    # What is not personal still finds the case for them.
    assert found(client, yamada.reference.lower()) == {yamada.reference}
    assert yamada.reference in found(client, "ミントガム")


def test_keys_follow_the_consumers_changes(api, yamada, hotline):
    from defects import services

    services.change_consumer_address(yamada, hotline, {"name": "山田 花子", "postal_code": "1000001",
                                                        "address": "東京都千代田区千代田1-1", "phone": "03-1234-5678"})
    client = api("hotline")
    assert yamada.reference in found(client, "千代田1-1")
    assert yamada.reference in found(client, "1234-5678")
    assert yamada.reference not in found(client, "天神ビル")
    assert yamada.reference not in found(client, "8765-4321")


def test_a_save_with_update_fields_writes_the_key_too(yamada):
    consumer = yamada.consumer
    consumer.name = "佐藤 一郎"
    consumer.save(update_fields=["name"])
    assert Consumer.objects.get(pk=consumer.pk).name_key == "佐藤一郎"


def test_an_intake_through_the_api_is_searchable_at_once(api, gum):
    body = case_body(gum, consumer={"phone": "０９０－１２３４－５６７８"})
    reference = api("hotline").post("/api/cases/", body, format="json").json()["reference"]
    assert found(api("hotline"), "12345678") == {reference}
