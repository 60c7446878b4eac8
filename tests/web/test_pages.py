"""Logging in, the language switch, queues per role and the case list."""

import re

import pytest
from django.test import Client

from defects.models import State
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_form_logs_in_and_lands_on_the_queue(cast):
    client = Client()
    response = client.post("/login/", {"username": "hotline", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_stays_on_the_login_page(cast):
    response = Client().post("/login/", {"username": "hotline", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_pages_need_a_login(db):
    for url in ("/", "/cases/", "/cases/new/", "/cases/D-2026-000001/"):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_logout_is_a_post(login, hotline):
    client = login(hotline)
    assert client.post("/logout/").status_code == 302
    assert Client().get("/").status_code == 302


def test_japanese_by_default_english_after_switching(login, hotline):
    client = login(hotline)
    page = client.get("/cases/").content.decode()
    assert '<html lang="ja">' in page and "案件一覧" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302 and response.url == "/cases/"
    page = client.get("/cases/").content.decode()
    assert '<html lang="en">' in page and "Cases" in page and "案件一覧" not in page


def test_login_page_switches_language_before_logging_in(db):
    client = Client()
    assert "ログイン" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").content.decode()


def _refs(response):
    # The queue's cases only: the overdue-countermeasures list (its own section) is tested apart.
    page = re.sub(r'<section class="card overdue-cms".*?</section>', "", response.content.decode(), flags=re.S)
    return set(re.findall(r"D-\d{4}-\d{6}", page))


def test_each_role_queue_shows_the_cases_waiting_for_it(make_case, chocolate, login, cast):
    received = make_case(State.RECEIVED)
    awaiting = make_case(State.AWAITING_RETURN)
    investigating = make_case(State.INVESTIGATING)
    review = make_case(State.REPORT_REVIEW)
    approved = make_case(State.APPROVED)
    sai_investigating = make_case(State.INVESTIGATING, product=chocolate)
    closed = make_case(State.CLOSED)

    def queue(user):
        response = login(cast[user]).get("/")
        assert response.status_code == 200
        return _refs(response)

    assert queue("hotline") == {received.reference}
    assert queue("qa_kyu") == {awaiting.reference, investigating.reference}
    assert queue("qa_sai") == {sai_investigating.reference}
    assert queue("qa_manager") == {review.reference}
    assert queue("mailroom") == {awaiting.reference, approved.reference}
    assert closed.reference not in queue("hotline") | queue("mailroom")


def test_queue_names_the_next_step_for_this_user(make_case, login, qa_kyu):
    make_case(State.SAMPLE_RECEIVED)
    page = login(qa_kyu).get("/").content.decode()
    assert "調査を開始する" in page  # "Start the investigation"


def test_overdue_follow_up_shows_on_the_home_page(make_case, login, hotline):
    import datetime

    from django.utils import timezone

    from defects import services

    case = make_case(State.AWAITING_RETURN)
    services.log_contact(case, hotline, {
        "channel": "phone", "direction": "outbound", "summary": "promised a call back about the return kit",
        "follow_up_due": timezone.now() - datetime.timedelta(hours=3), "follow_up_owner": hotline,
    })
    response = login(hotline).get("/")
    assert [c.case for c in response.context["overdue"]] == [case]
    assert "promised a call back about the return kit" in response.content.decode()


def test_case_list_filters_by_state_factory_category_and_urgent(make_case, chocolate, login, hotline):
    gum_received = make_case(State.RECEIVED)
    choco_urgent = make_case(State.RECEIVED, product=chocolate, health_effect=True, category="foreign_matter")
    gum_awaiting = make_case(State.AWAITING_RETURN)
    client = login(hotline)
    assert _refs(client.get("/cases/")) == {gum_received.reference, choco_urgent.reference, gum_awaiting.reference}
    assert _refs(client.get("/cases/", {"state": "awaiting_return"})) == {gum_awaiting.reference}
    assert _refs(client.get("/cases/", {"factory": "SAI"})) == {choco_urgent.reference}
    assert _refs(client.get("/cases/", {"category": "foreign_matter"})) == {choco_urgent.reference}
    assert _refs(client.get("/cases/", {"urgent": "on"})) == {choco_urgent.reference}
    assert _refs(client.get("/cases/", {"state": "open", "factory": "KYU"})) == {gum_received.reference, gum_awaiting.reference}


def test_case_list_searches_reference_name_and_phone(make_case, login, hotline):
    target = make_case(State.RECEIVED)
    other = make_case(State.RECEIVED, consumer_name="山田 太郎", consumer_name_kana="ヤマダ タロウ",
                      consumer_phone="03-1234-5678")
    client = login(hotline)
    assert _refs(client.get("/cases/", {"q": "蒼井"})) == {target.reference}
    assert _refs(client.get("/cases/", {"q": "092-555-0123"})) == {target.reference}
    assert _refs(client.get("/cases/", {"q": other.reference})) == {other.reference}


def test_bad_filter_value_answers_400_with_the_error(login, hotline):
    response = login(hotline).get("/cases/", {"state": "nonsense"})
    assert response.status_code == 400
    assert "state" in response.context["form"].errors


def test_case_list_paginates(make_case, login, hotline):
    for _ in range(27):
        make_case(State.RECEIVED)
    client = login(hotline)
    first, second = client.get("/cases/"), client.get("/cases/", {"page": 2})
    assert len(_refs(first)) == 25 and len(_refs(second)) == 2
    assert client.get("/cases/", {"page": "x"}).status_code == 200


def test_htmx_filtering_returns_only_the_results(make_case, login, hotline):
    make_case(State.RECEIVED)
    response = login(hotline).get("/cases/", {"state": "received"}, headers={"HX-Request": "true", "HX-Target": "results"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "<table" in page
