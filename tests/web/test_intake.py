"""The hotline's intake form: creates a case and shows its reference; bad input comes back as 400."""

import pytest

from defects.models import DefectCase, Event
from tests.conftest import DISTINCTIVE_CONSUMER, intake_data

pytestmark = pytest.mark.django_db


def test_intake_page_is_keyboard_ready(login, hotline, gum):
    response = login(hotline).get("/cases/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="consumer_name"' in page and "autofocus" in page
    # The product is picked by code and name.
    assert '<option value="GUM-MINT-9">GUM-MINT-9 ミントガム 9枚</option>' in page


def test_hotline_intake_creates_the_case_and_shows_its_reference(login, hotline, gum):
    client = login(hotline)
    response = client.post("/cases/new/", intake_data(gum))
    case = DefectCase.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.reference}/"
    assert case.consumer.name == DISTINCTIVE_CONSUMER["consumer_name"]
    assert [e.kind for e in case.events.all()] == [Event.Kind.CREATED, Event.Kind.CONTACT]
    page = client.get(response.url).content.decode()
    assert 'class="msg msg-success msg-reference"' in page and case.reference in page


def test_illness_makes_the_case_urgent(login, hotline, gum):
    login(hotline).post("/cases/new/", intake_data(gum, health_effect="on"))
    assert DefectCase.objects.get().urgent


@pytest.mark.parametrize("field, value", [
    ("consumer_name", "名" * 10_000),
    ("consumer_name", "蒼井\x07紫苑"),
    ("description", "wrapped badly\x00"),
    ("consumer_phone", "call me maybe"),
    ("product", "NO-SUCH-PRODUCT"),
    ("description", ""),
])
def test_bad_input_rerenders_the_form_with_the_field_error(login, hotline, gum, field, value):
    data = intake_data(gum)
    data[field] = value
    response = login(hotline).post("/cases/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert not DefectCase.objects.exists()


def test_no_way_back_to_the_consumer_is_refused(login, hotline, gum):
    response = login(hotline).post("/cases/new/", intake_data(
        gum, consumer_phone="", consumer_email="", consumer_address=""))
    assert response.status_code == 400 and not DefectCase.objects.exists()


@pytest.mark.parametrize("who", ["qa_kyu", "qa_manager", "mailroom"])
def test_only_the_hotline_opens_cases(login, cast, gum, who):
    client = login(cast[who])
    assert client.get("/cases/new/").status_code == 403
    assert client.post("/cases/new/", intake_data(gum)).status_code == 403
    assert not DefectCase.objects.exists()
