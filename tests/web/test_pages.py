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


def test_each_role_home_lists_the_work_it_can_do_now(make_case, chocolate, login, cast):
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
    assert investigating.reference in queue("qa_kyu") and awaiting.reference not in queue("qa_kyu")
    assert queue("qa_sai") == {sai_investigating.reference}
    assert queue("qa_manager") == {review.reference}
    # Not every case awaiting a return: the consumer still has those (issue 8, point 5).
    assert queue("mailroom") == {approved.reference}
    assert closed.reference not in queue("hotline") | queue("mailroom")


def test_queue_says_what_to_do_next(make_case, login, qa_kyu):
    case = make_case(State.SAMPLE_RECEIVED)
    page = login(qa_kyu).get("/").content.decode()
    section = page[page.index('id="q-samples"'):]
    assert case.reference in section.split("</section>")[0]
    assert "調査を開始" in section.split("</section>")[0]  # "start the investigation"


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
    promises = next(s for s in response.context["sections"] if s["queue"].name == "promises")
    assert [c.case for c in promises["rows"]] == [case]
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


@pytest.mark.parametrize("q", ["０９０８７６５４３２１", "09087654321", "8765-4321", "山田花子", "山田 花子",
                               "山田\u3000花子", "やまだはなこ", "ﾔﾏﾀﾞﾊﾅｺ", "天神ビル", "ミントガム"])
def test_case_list_search_forgives_how_it_is_typed(make_case, login, hotline, q):
    target = make_case(State.RECEIVED, consumer_name="山田 花子", consumer_name_kana="ヤマダ ハナコ",
                       consumer_phone="090-8765-4321", consumer_address="福岡県福岡市中央区天神2-5-8 天神ビル")
    assert target.reference in _refs(login(hotline).get("/cases/", {"q": q}))


def test_case_list_search_by_lower_case_reference_for_a_factory_user(make_case, login, qa_kyu):
    target = make_case(State.RECEIVED, consumer_name="山田 花子")
    client = login(qa_kyu)
    assert target.reference in _refs(client.get("/cases/", {"q": target.reference.lower()}))
    assert target.reference not in _refs(client.get("/cases/", {"q": "山田"}))


def test_bad_filter_value_answers_400_with_the_error(login, hotline):
    response = login(hotline).get("/cases/", {"state": "nonsense"})
    assert response.status_code == 400
    assert "state" in response.context["form"].errors


def test_case_list_paginates(make_case, login, hotline):
    for _ in range(27):
        make_case(State.RECEIVED)
    client = login(hotline)
    first = client.get("/cases/")
    # Keyset pages: "older" continues after the last row shown, "newer" goes back.
    second = client.get("/cases/", {"after": first.context["page"].older})
    assert len(_refs(first)) == 25 and len(_refs(second)) == 2
    assert not set(_refs(first)) & set(_refs(second))
    assert second.context["page"].older is None and first.context["page"].newer is None
    back = client.get("/cases/", {"before": second.context["page"].newer})
    assert _refs(back) == _refs(first)
    assert first.context["page"].count == 27 and not first.context["page"].count_capped
    # A damaged cursor shows the first page, never an error.
    assert _refs(client.get("/cases/", {"after": "x"})) == _refs(first)
    assert client.get("/cases/", {"before": "%%%"}).status_code == 200


def test_case_list_count_is_capped(make_case, login, hotline, monkeypatch):
    from defects import keyset

    monkeypatch.setattr(keyset, "CAP", 3)
    monkeypatch.setattr(keyset.capped_count, "__defaults__", (3,))
    for _ in range(5):
        make_case(State.RECEIVED)
    response = login(hotline).get("/cases/")
    assert (response.context["page"].count, response.context["page"].count_capped) == (3, True)


def test_htmx_filtering_returns_only_the_results(make_case, login, hotline):
    make_case(State.RECEIVED)
    response = login(hotline).get("/cases/", {"state": "received"}, headers={"HX-Request": "true", "HX-Target": "results"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "<table" in page
