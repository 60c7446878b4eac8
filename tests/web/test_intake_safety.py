"""Intake that is safe at typing speed: the address keeps what the operator typed, dates read as people
type them, the category is chosen, and errors are in the reader's language (pages and API)."""

import datetime

import pytest

from defects.forms import CaseIntakeForm, ConsumerForm, ShipReplacementPayload
from defects.models import DefectCase
from tests.api.conftest import api, case_body  # noqa: F401 (api: the token client fixture)
from tests.conftest import intake_data

pytestmark = pytest.mark.django_db


# --- the address and the postal code's area --------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("2-5-8", "福岡県福岡市中央区天神2-5-8"),  # the lookup answered after the house number was typed
    ("２－５－８", "福岡県福岡市中央区天神2-5-8"),
    ("中央区天神2-5-8", "福岡県福岡市中央区天神2-5-8"),
    ("福岡市中央区天神2-5-8", "福岡県福岡市中央区天神2-5-8"),
    ("福岡県福岡市中央区天神2-5-8", "福岡県福岡市中央区天神2-5-8"),  # filled, then typed after it
    ("福岡県福岡市中央区天神2-5-8 天神ビル3F", "福岡県福岡市中央区天神2-5-8　天神ビル3F"),  # pasted in full
    ("東京都千代田区千代田1-1", "東京都千代田区千代田1-1"),  # another prefecture: kept as typed
    ("大名1-1", "大名1-1"),  # another town: the operator knows better; kept as typed
])
def test_an_address_typed_without_its_area_is_saved_with_it(gum, typed, stored):
    form = CaseIntakeForm(data=intake_data(gum, consumer_postal_code="8100001", consumer_address=typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["consumer_address"] == stored


def test_the_consumer_form_completes_the_address_the_same_way():
    form = ConsumerForm(data={"postal_code": "810-0001", "address": "2-5-8"}, partial=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == "福岡県福岡市中央区天神2-5-8"


def test_the_page_saves_postal_code_and_house_number_as_one_address(login, hotline, gum):
    response = login(hotline).post("/cases/new/", intake_data(gum, consumer_postal_code="8100001",
                                                              consumer_address="2-5-8"))
    assert response.status_code == 302
    assert DefectCase.objects.get().consumer.address == "福岡県福岡市中央区天神2-5-8"


# --- category ---------------------------------------------------------------------------------

def test_the_category_has_no_default(login, hotline, gum):
    page = login(hotline).get("/cases/new/").content.decode()
    select = page[page.index('name="category"'):]
    select = select[:select.index("</select>")]
    assert 'value="" selected' in select and select.count("selected") == 1
    assert select.index('value=""') < select.index('value="packaging"')
    data = intake_data(gum)
    del data["category"]
    response = login(hotline).post("/cases/new/", data)
    assert response.status_code == 400 and "category" in response.context["form"].errors


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["2026-01-31", "2026/1/31", "20260131", "２０２６／１／３１", "２０２６０１３１",
                                   "2026年1月31日", " 2026-01-31 "])
def test_dates_are_read_as_people_type_them(gum, typed):
    form = CaseIntakeForm(data=intake_data(gum, purchased_on=typed, best_before=typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["purchased_on"] == form.cleaned_data["best_before"] == datetime.date(2026, 1, 31)


@pytest.mark.parametrize("typed", ["60131-01-31", "2026-02-30", "31/01/2026", "tomorrow", "2026013"])
def test_a_date_that_is_not_one_is_refused_never_a_year_60131(gum, typed):
    form = CaseIntakeForm(data=intake_data(gum, purchased_on=typed))
    assert not form.is_valid() and "purchased_on" in form.errors


def test_the_date_fields_are_text_boxes_not_the_browsers_picker(login, hotline):
    page = login(hotline).get("/cases/new/").content.decode()
    assert 'type="date"' not in page and 'placeholder="2026-01-31"' in page


def test_the_api_reads_dates_the_same_way(api, gum):
    response = api("hotline").post("/api/cases/", case_body(gum, purchased_on="20260131", best_before="２０２７/５/２０"),
                                   format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["purchased_on"], response.json()["best_before"]) == ("2026-01-31", "2027-05-20")
    bad = api("hotline").post("/api/cases/", case_body(gum, purchased_on="60131-01-31"), format="json",
                              HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "2026-01-31" in bad.json()["purchased_on"][0]


# --- errors in the reader's language --------------------------------------------------------

BAD_DETAILS = {"consumer_phone": "0120-ABC-DEF", "consumer_postal_code": "12-34567", "purchased_on": "2026/13/45"}


def test_intake_errors_are_japanese_on_the_japanese_page_and_one_per_field(login, hotline, gum):
    response = login(hotline).post("/cases/new/", intake_data(gum, **BAD_DETAILS))
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["consumer_phone"] == ["正しい電話番号ではありません。番号をご確認ください（例: 03-1234-5678、090-1234-5678）。"]
    assert errors["consumer_postal_code"] == ["郵便番号は7桁です（例：810-0001）。"]
    assert "日付" in errors["purchased_on"][0]


def test_intake_errors_are_english_on_the_english_page(login_en, hotline, gum):
    response = login_en(hotline).post("/cases/new/", intake_data(gum, **BAD_DETAILS))
    errors = response.context["form"].errors
    assert errors["consumer_phone"] == [
        "This is not a valid phone number. Please check the digits (e.g. 03-1234-5678 or 090-1234-5678)."]
    assert errors["consumer_postal_code"] == ["A postal code has seven digits (e.g. 810-0001)."]


def test_a_bad_phone_gets_one_error_not_also_no_way_back(gum):
    form = CaseIntakeForm(data=intake_data(gum, consumer_phone="call me", consumer_email="", consumer_address=""))
    assert not form.is_valid()
    assert len(form.errors["consumer_phone"]) == 1 and "phone" in form.errors["consumer_phone"][0]
    # With nothing given at all, the "way back" error is still there.
    form = CaseIntakeForm(data=intake_data(gum, consumer_phone="", consumer_email="", consumer_address=""))
    assert form.errors["consumer_phone"] == ["Give a phone number, an e-mail or an address."]


@pytest.mark.parametrize("language, phone_error", [
    ("ja", "正しい電話番号ではありません"), ("en", "This is not a valid phone number")])
def test_api_errors_follow_accept_language(api, gum, language, phone_error):
    body = case_body(gum, consumer={"phone": "0120-ABC-DEF", "postal_code": "999-9999"})
    response = api("hotline").post("/api/cases/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    errors = response.json()["consumer"]
    assert errors["phone"] == [next(m for m in errors["phone"] if phone_error in m)] and len(errors["phone"]) == 1
    wanted = "日本郵便の一覧にありません" if language == "ja" else "not in Japan Post's list"
    assert wanted in errors["postal_code"][0]


@pytest.mark.parametrize("language, expected", [
    ("ja", "ヤマト運輸の伝票番号は12桁（例: 1234-5678-9013）です。"),
    ("en", "A Yamato Transport tracking number has 12 digits (e.g. 1234-5678-9013)."),
])
def test_tracking_number_errors_are_in_the_readers_language(db, language, expected):
    from django.utils import translation

    with translation.override(language):
        form = ShipReplacementPayload(data={"carrier": "yamato", "tracking_number": "12345"})
        assert not form.is_valid()
        assert form.errors["tracking_number"] == [expected]
        form = ShipReplacementPayload(data={"carrier": "yamato", "tracking_number": "123456789012"})
        assert not form.is_valid()
        message = form.errors["tracking_number"][0]
    assert ("伝票をもう一度" in message) == (language == "ja") and message.endswith(expected)
