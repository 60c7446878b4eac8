"""Free text staff wrote reaches factory QA with the consumer's personal data masked (pages and API);
staff read it whole, and it is stored whole. The operator is warned before saving."""

from defects import services
from defects.models import DefectCase, State
from privacy.masking import MASK
from tests.api.conftest import case_body, case_url
from tests.conftest import DISTINCTIVE_CONSUMER
from tests.web.helpers import text

PHONE = DISTINCTIVE_CONSUMER["consumer_phone"]  # 092-555-0123
DESCRIPTION = "包装が破れていた。折り返しは ０９２－５５５－０１２３ まで（蒼井様）。"


def test_a_description_holding_the_consumers_phone_shows_masks_to_factory_qa_page_and_api(make_case, cast, login,
                                                                                          api):
    case = make_case(State.INVESTIGATING, description=DESCRIPTION)
    assert DefectCase.objects.get(pk=case.pk).description == DESCRIPTION  # stored whole

    page = text(login(cast["qa_kyu"]).get(f"/cases/{case.reference}/"))
    assert "包装が破れていた。折り返しは ●●● まで（●●●様）。" in page
    assert "５５５" not in page and "蒼井" not in page

    detail = api("qa_kyu").get(case_url(case)).json()
    assert detail["description"] == f"包装が破れていた。折り返しは {MASK} まで（{MASK}様）。"
    listed = api("qa_kyu").get("/api/cases/").json()["results"]
    assert [c["description"] for c in listed if c["reference"] == case.reference] == [detail["description"]]

    report_page = text(login(cast["qa_kyu"]).get(f"/cases/{case.reference}/investigation/"))
    assert "●●●" in report_page and "５５５" not in report_page


def test_staff_read_the_text_whole(make_case, cast, login, api):
    case = make_case(State.INVESTIGATING, description=DESCRIPTION)
    assert DESCRIPTION in text(login(cast["hotline"]).get(f"/cases/{case.reference}/"))
    assert api("qa_manager").get(case_url(case)).json()["description"] == DESCRIPTION


def test_a_no_sample_reason_and_a_rejection_comment_are_masked_for_the_factory(make_case, cast, login, api):
    case = make_case(State.RECEIVED)
    case = services.perform(case, "investigate_without_sample", cast["hotline"],
                            {"reason": f"蒼井紫苑様は既に廃棄済み（{PHONE}）"})
    page = text(login(cast["qa_kyu"]).get(f"/cases/{case.reference}/"))
    assert f"{MASK}様は既に廃棄済み（{MASK}）" in page and PHONE not in page
    notes = [e["note"] for e in api("qa_kyu").get(case_url(case, "events")).json()]
    assert f"{MASK}様は既に廃棄済み（{MASK}）" in notes
    assert not any("蒼井" in n or PHONE in n for n in notes)
    hotline_notes = [e["note"] for e in api("hotline").get(case_url(case, "events")).json()]
    assert f"蒼井紫苑様は既に廃棄済み（{PHONE}）" in hotline_notes


def test_store_is_masked_too(make_case, cast, api):
    case = make_case(State.INVESTIGATING, store="コンビニ天神店（蒼井様の近所）")
    assert api("qa_kyu").get(case_url(case)).json()["store"] == f"コンビニ天神店（{MASK}様の近所）"


# --- the warning before saving -------------------------------------------------------------------

def _intake_post(gum, **overrides):
    from tests.conftest import intake_data

    return intake_data(gum, **overrides)


def test_the_intake_page_asks_once_before_saving_personal_data_in_the_description(cast, gum, login_en):
    client = login_en(cast["hotline"])
    post = _intake_post(gum, description=f"Wrapper torn. Call back on {PHONE}.")
    first = client.post("/cases/new/", post)
    assert first.status_code == 200 and DefectCase.objects.count() == 0
    body = text(first)
    assert "personal data" in body and "phone number" in body and 'name="personal_data_confirmed"' in body
    # The form keeps what was typed.
    assert f"Call back on {PHONE}." in body

    confirmed = client.post("/cases/new/", {**post, "personal_data_confirmed": "1"})
    assert confirmed.status_code == 302 and DefectCase.objects.count() == 1
    assert DefectCase.objects.get().description == f"Wrapper torn. Call back on {PHONE}."


def test_a_corrected_text_saves_without_asking(cast, gum, login_en):
    client = login_en(cast["hotline"])
    assert client.post("/cases/new/", _intake_post(gum, description=f"Call {PHONE}")).status_code == 200
    response = client.post("/cases/new/", _intake_post(gum, description="Wrapper torn at one end."))
    assert response.status_code == 302 and DefectCase.objects.count() == 1


def test_the_intake_page_does_not_warn_about_plain_product_facts(cast, gum, login_en):
    response = login_en(cast["hotline"]).post("/cases/new/", _intake_post(gum))
    assert response.status_code == 302


def test_the_api_accepts_the_text_and_answers_with_warnings(api, gum):
    body = case_body(gum, description=f"蒼井様より。電話 {PHONE}")
    response = api("hotline").post("/api/cases/", body, format="json")
    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert [(w["field"], w["kinds"]) for w in warnings] == [("description", ["name", "phone"])]
    assert warnings[0]["message"]
    assert DefectCase.objects.get(reference=response.json()["reference"]).description == f"蒼井様より。電話 {PHONE}"

    clean = api("hotline").post("/api/cases/", case_body(gum), format="json")
    assert clean.status_code == 201 and clean.json()["warnings"] == []


def test_a_transition_comment_gets_warnings_for_staff_but_never_for_the_factory(make_case, api):
    case = make_case(State.RECEIVED)
    answer = api("hotline").post(case_url(case, "transitions/investigate_without_sample"),
                                 {"reason": f"電話 {PHONE} で確認、廃棄済み"}, format="json")
    assert answer.status_code == 200
    assert [w["kinds"] for w in answer.json()["warnings"]] == [["phone"]]

    case = make_case(State.AWAITING_RETURN)
    answer = api("qa_kyu").post(case_url(case, "transitions/receive_sample"),
                                {"condition": f"伝票に {PHONE} と蒼井様"}, format="json")
    # A factory user's answer is no oracle for the consumer's phone; what they wrote is masked anyway.
    assert answer.status_code == 200 and answer.json()["warnings"] == []
