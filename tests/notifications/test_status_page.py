"""The consumer's own status page: the right pair shows the stage, nothing personal; every wrong pair
looks the same; the 11th wrong try within an hour from one address answers 429."""

import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from defects.models import State
from tests.conftest import DISTINCTIVE_CONSUMER


@pytest.fixture
def address():
    """Each test its own client address: the counter lives in a cache other test processes may share.
    Never cache.clear() here: with REDIS_URL the cache may share its Redis database with the broker,
    and clearing it would drop a worker's queued tasks."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    yield address
    cache.delete_many([f"status-failures:{address}", f"status-failures:{address}-other"])


def ask(address, reference, last4):
    return APIClient(REMOTE_ADDR=address).post("/api/status/", {"reference": reference, "phone_last4": last4},
                                              format="json")


def test_the_right_pair_shows_the_stage_and_its_dates_and_nothing_personal(make_case, address):
    case = make_case(State.SAMPLE_RECEIVED)
    answer = ask(address, case.reference.lower(), "0123")  # 092-555-0123
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == "sample_received" and body["state_label"]
    assert set(body["dates"]) == {"received", "sample_arrived", "report_ready", "replacement_sent"}
    assert body["dates"]["received"] and body["dates"]["sample_arrived"] and body["dates"]["report_ready"] is None
    text = answer.content.decode()
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in text


def test_wrong_pairs_all_look_the_same(make_case, address):
    case = make_case()
    wrong_phone = ask(address, case.reference, "9999")
    no_such_case = ask(address, "D-2026-999999", "0123")
    malformed = ask(address, "", "12")
    assert wrong_phone.status_code == no_such_case.status_code == malformed.status_code == 404
    assert wrong_phone.json() == no_such_case.json() == malformed.json()


def test_the_eleventh_wrong_try_within_an_hour_answers_429(make_case, address):
    case = make_case()
    for _ in range(10):
        assert ask(address, case.reference, "0000").status_code == 404
    assert ask(address, case.reference, "0000").status_code == 429
    assert ask(address, case.reference, "0123").status_code == 429  # even the right pair, for the hour
    assert ask(address + "-other", case.reference, "0123").status_code == 200  # another address is not blocked


def test_the_page_works_for_anyone_in_japanese_and_english(make_case, client, address):
    case = make_case(State.AWAITING_RETURN)
    page = client.get("/status/")
    assert page.status_code == 200 and "phone_last4" in page.content.decode()
    answer = client.post("/status/", {"reference": case.reference, "phone_last4": "0123"}, REMOTE_ADDR=address)
    text = answer.content.decode()
    assert answer.status_code == 200 and "status-dates" in text
    assert "お送りいただく" in text or "待って" in text
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in text
    english = client.post("/status/", {"reference": case.reference, "phone_last4": "0123"}, REMOTE_ADDR=address,
                          HTTP_ACCEPT_LANGUAGE="en")
    wrong = client.post("/status/", {"reference": case.reference, "phone_last4": "1111"}, REMOTE_ADDR=address)
    assert wrong.status_code == 404 and "status-dates" not in wrong.content.decode()
    assert english.status_code == 200


@pytest.mark.parametrize("kind,sample", [("first_notice_postcard", "postcard"), ("return_kit", "return_kit")])
def test_the_postcard_and_the_return_kit_print_the_status_address_and_the_reference(settings, kind, sample):
    from letters import pdf
    from letters.content import hotline_sender
    from tests.letters import samples

    settings.HITOTSUBU_STATUS_URL = "https://status.example.jp/status/"
    context = getattr(samples, sample)(sender=hotline_sender())
    html = pdf.render_html(kind, context)
    assert "https://status.example.jp/status/" in html
    assert context["reference"] in html
