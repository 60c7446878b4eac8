"""Factory QA never see the consumer: not on any page, not even hidden in the HTML."""

import datetime

import pytest
from django.utils import timezone

from defects import services
from defects.models import State
from tests.conftest import DISTINCTIVE_CONSUMER

pytestmark = pytest.mark.django_db


def _assert_no_personal_data(response):
    page = response.content.decode()
    for field, value in DISTINCTIVE_CONSUMER.items():
        for part in value.split(" ") if field.startswith("consumer_name") else []:
            assert part not in page, f"{field} leaked"
        assert value not in page, f"{field} leaked"
        assert value.replace("-", "") not in page, f"{field} leaked"
    assert "810-0001" not in page


def test_factory_pages_carry_no_personal_data(make_case, login, hotline, qa_kyu, complete_report):
    case = make_case(State.INVESTIGATING)
    # What the hotline heard on the phone may repeat the consumer's details.
    services.log_contact(case, hotline, {
        "channel": "phone", "direction": "inbound",
        "summary": f"{DISTINCTIVE_CONSUMER['consumer_name']} called from {DISTINCTIVE_CONSUMER['consumer_phone']}",
        "follow_up_due": timezone.now() - datetime.timedelta(hours=1), "follow_up_owner": hotline,
    })
    client = login(qa_kyu)
    urls = ["/", "/queue/", "/cases/", f"/cases/{case.reference}/", f"/cases/{case.reference}/investigation/",
            "/cases/?q=" + DISTINCTIVE_CONSUMER["consumer_name"], "/cases/?q=" + DISTINCTIVE_CONSUMER["consumer_phone"],
            "/cases/?q=" + DISTINCTIVE_CONSUMER["consumer_email"], "/cases/?q=" + DISTINCTIVE_CONSUMER["consumer_name_kana"]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_personal_data(response)
    # ... and the error pages that re-render the case.
    for response in (client.post(f"/cases/{case.reference}/transitions/close/", {}),
                     client.post(f"/cases/{case.reference}/transitions/submit_report/", {})):
        assert response.status_code in (400, 403, 409)
        _assert_no_personal_data(response)


def test_factory_search_by_consumer_name_finds_nothing(make_case, login, qa_kyu):
    make_case(State.INVESTIGATING)
    response = login(qa_kyu).get("/cases/", {"q": DISTINCTIVE_CONSUMER["consumer_name"]})
    assert response.context["page"].count == 0


def test_hotline_sees_the_consumer(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    page = login(hotline).get(f"/cases/{case.reference}/").content.decode()
    for field, value in DISTINCTIVE_CONSUMER.items():
        if field == "consumer_postal_code":
            value = "810-0001"  # shown as 〒810-0001
        # Names may be stored with an ideographic space between family and given name.
        for part in value.split(" ") if field.startswith("consumer_name") else [value]:
            assert part in page, field
