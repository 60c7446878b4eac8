"""The intake page shows a repeat caller's other cases while the operator types (hotline only)."""

import pytest

from defects.models import State

pytestmark = pytest.mark.django_db


def test_the_intake_page_shows_the_repeat_caller_while_typing(login, make_case, hotline):
    first = make_case(State.AWAITING_RETURN, consumer_phone="090-8765-4321")
    client = login(hotline)
    response = client.get("/cases/new/duplicates/", {"consumer_phone": "09087654321", "consumer_name": "",
                                                     "consumer_postal_code": ""}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{first.reference}/"' in page and "同じ電話番号" in page and "返送待ち" in page
    nothing = client.get("/cases/new/duplicates/", {"consumer_phone": "03-9999-9999"}).content.decode()
    assert first.reference not in nothing
    assert 'hx-get="/cases/new/duplicates/"' in client.get("/cases/new/").content.decode()


@pytest.mark.parametrize("who", ["qa_kyu", "qa_manager", "mailroom"])
def test_only_the_hotline_asks_for_repeat_callers(login, make_case, cast, who):
    first = make_case(State.RECEIVED, consumer_phone="090-8765-4321")
    response = login(cast[who]).get("/cases/new/duplicates/", {"consumer_phone": "09087654321"})
    assert response.status_code == 403 and first.reference not in response.content.decode()
