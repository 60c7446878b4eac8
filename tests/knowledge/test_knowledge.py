"""Reviewed answers at intake: Japanese similarity, drafts never suggested, no personal data."""

import pytest
from rest_framework.test import APIClient

from defects.models import State
from knowledge import text
from knowledge.models import Article, CaseKey
from tests.conftest import DISTINCTIVE_CONSUMER


@pytest.fixture
def client_for(cast):
    def make(who):
        client = APIClient()
        client.force_login(cast[who])
        return client
    return make


def write(client, **body):
    answer = client.post("/api/knowledge/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def suggest(client, description, product=""):
    answer = client.get("/api/cases/suggestions/", {"description": description, "product": product})
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_verb_and_its_noun_form_share_keys():
    # 破れていた (verb 破れる) and 破れ (noun) meet on 破れ; particles and いる/た are no keys.
    assert {"包装", "破れ"} <= set(text.keys("包装が破れていた")) & set(text.keys("包装の破れ"))
    assert not {"が", "て", "いる", "た", "の"} & set(text.keys("包装が破れていた"))


def test_full_width_and_half_width_text_give_the_same_keys():
    assert text.keys("ＧＵＭの包装") == text.keys("gumの包装")


def test_a_paraphrase_finds_the_published_article_and_never_a_draft(client_for, gum):
    qa = client_for("qa_manager")
    torn = write(qa, title="包装の破れ", answer="包装の破れは輸送中の圧力が原因のことがあります。着払いでご返送をお願いします。",
                 product=gum.code, category="packaging")
    write(qa, title="チョコレートの白い粉", answer="ブルームと呼ばれる現象で、品質に問題はありません。")
    draft = write(qa, title="包装が破れていた場合の社内メモ", answer="包装 破れ 未確認の回答")
    hotline = client_for("hotline")

    # Nothing is published yet: nothing is suggested, drafts included.
    assert suggest(hotline, "買ったガムの包装が破れていた")["articles"] == []

    assert qa.post(f"/api/knowledge/{torn['id']}/publish/").status_code == 200
    found = suggest(hotline, "買ったガムの包装が破れていた", gum.code)["articles"]
    assert [a["id"] for a in found] == [torn["id"]]  # the draft shares the words but is never shown
    assert found[0]["title"] == "包装の破れ"
    assert draft["id"] not in [a["id"] for a in hotline.get("/api/knowledge/", {"q": "包装の破れ"}).json()]
    # The QA manager's own list holds the draft.
    assert draft["id"] in [a["id"] for a in qa.get("/api/knowledge/", {"status": "draft"}).json()]


def test_changing_a_published_article_takes_it_back_to_draft(client_for, cast):
    from knowledge import services

    qa = client_for("qa_manager")
    article = Article.objects.get(pk=write(qa, title="包装の破れ", answer="回答")["id"])
    services.publish(cast["qa_manager"], article)
    services.save_article(cast["qa_manager"], title="包装の破れ", answer="変えた回答", article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.published_by is None
    assert suggest(client_for("hotline"), "包装が破れていた")["articles"] == []


@pytest.mark.parametrize("who", ["hotline", "qa_kyu", "mailroom"])
def test_only_qa_managers_write_and_publish(client_for, who):
    article = write(client_for("qa_manager"), title="包装の破れ", answer="回答")
    client = client_for(who)
    assert client.post("/api/knowledge/", {"title": "t", "answer": "a"}, format="json").status_code == 403
    assert client.post(f"/api/knowledge/{article['id']}/publish/").status_code == 403
    assert Article.objects.get(pk=article["id"]).status == Article.Status.DRAFT


def test_an_article_needs_a_title_and_an_answer(client_for):
    answer = client_for("qa_manager").post("/api/knowledge/", {"title": "包装", "answer": ""}, format="json")
    assert answer.status_code == 400 and "answer" in answer.json()


@pytest.mark.parametrize("who,status", [("qa_kyu", 403), ("mailroom", 403), ("qa_manager", 200)])
def test_suggestions_are_for_the_hotline_and_qa_managers(client_for, who, status):
    assert client_for(who).get("/api/cases/suggestions/", {"description": "包装が破れていた"}).status_code == status


def test_past_cases_are_suggested_as_facts_without_personal_data(
        client_for, make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox writes the case's keys after commit
        approved = make_case(State.APPROVED, description="ガムの包装が破れていて、中身が見えていた")
        fresh = make_case(description="包装の破れがあった")
        make_case(description="チョコレートに白い粉が付いていた")
    assert CaseKey.objects.filter(case=approved, key="破れ").exists()
    found = suggest(client_for("hotline"), "包装が破れていた")["cases"]
    assert {c["reference"] for c in found} == {approved.reference, fresh.reference}
    by_ref = {c["reference"]: c for c in found}
    assert "worn cutting blade" in by_ref[approved.reference]["summary"]  # the approved consumer-facing summary
    assert by_ref[fresh.reference]["summary"] == ""  # nothing approved yet: no summary
    body = str(found)
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in body
    assert "中身が見えていた" not in body  # the consumer's own words stay on the case


def test_one_click_drafts_an_article_from_an_approved_case(client_for, make_case, cast):
    approved = make_case(State.APPROVED)
    qa = client_for("qa_manager")
    answer = qa.post(f"/api/knowledge/from-case/{approved.reference}/")
    assert answer.status_code == 201
    article = answer.json()
    assert article["status"] == "draft" and article["source_case"] == approved.reference
    assert "worn cutting blade" in article["answer"] and "shion" not in article["answer"].lower()
    # Not approved yet: nothing to draft from.
    received = make_case()
    assert qa.post(f"/api/knowledge/from-case/{received.reference}/").status_code == 400
    assert client_for("hotline").post(f"/api/knowledge/from-case/{approved.reference}/").status_code == 403


def test_the_case_page_offers_the_qa_manager_the_draft_button(client_for, make_case, cast):
    from django.test import Client

    from tests.conftest import PASSWORD

    approved = make_case(State.APPROVED)
    qa = Client()
    qa.login(username="qa_manager", password=PASSWORD)
    page = qa.get(f"/cases/{approved.reference}/").content.decode()
    assert f"/cases/{approved.reference}/knowledge/" in page
    answer = qa.post(f"/cases/{approved.reference}/knowledge/")
    article = Article.objects.get(source_case=approved)
    assert answer.status_code == 302 and answer["Location"] == f"/knowledge/{article.pk}/"
    assert qa.post(f"/knowledge/{article.pk}/publish/").status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_by == cast["qa_manager"]
    hotline = Client()
    hotline.login(username="hotline", password=PASSWORD)
    assert f"/cases/{approved.reference}/knowledge/" not in hotline.get(f"/cases/{approved.reference}/").content.decode()
    intake = hotline.get("/cases/new/").content.decode()
    assert 'id="knowledge-suggestions"' in intake and "js/knowledge-suggest" in intake


def test_the_edit_page_shows_the_article_product_and_saving_keeps_it(client_for, make_case, gum):
    from django.test import Client

    from tests.conftest import PASSWORD

    approved = make_case(State.APPROVED)
    qa = Client()
    qa.login(username="qa_manager", password=PASSWORD)
    qa.post(f"/cases/{approved.reference}/knowledge/")
    article = Article.objects.get(source_case=approved)
    assert article.product == gum
    page = qa.get(f"/knowledge/{article.pk}/").content.decode()
    assert f'<option value="{gum.code}" selected>' in page
    # Saving the form as shown (the browser posts the selected option) keeps the product.
    answer = qa.post(f"/knowledge/{article.pk}/", {"title": article.title, "answer": article.answer,
                                                   "product": gum.code, "category": article.category})
    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.product == gum
