"""The browsable API (session login in a browser) renders every page without an error."""

import pytest
from rest_framework.test import APIClient

from defects.models import State
from tests.api.conftest import case_url
from tests.conftest import PASSWORD


@pytest.mark.parametrize("who", ["hotline", "qa_kyu"])
def test_browsable_pages_render(make_case, who):
    case = make_case(State.INVESTIGATING)
    client = APIClient()
    assert client.login(username=who, password=PASSWORD)
    urls = ["/api/cases/", case_url(case), case_url(case, "events"), case_url(case, "investigation"),
            case_url(case, "investigation", "versions"), case_url(case, "shipments"), case_url(case, "replacement"),
            "/api/factories/", "/api/products/"]
    if who == "hotline":
        urls += ["/api/cases/unrouted/", "/api/redirects/", "/api/address/lookup/?postal_code=8100001"]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
    assert client.get(case_url(case, "transitions", "submit_report"), HTTP_ACCEPT="text/html").status_code == 405


def test_browsable_pages_show_factory_users_no_personal_data(make_case, cast):
    from defects import services
    from tests.api.test_personal_data import assert_no_personal_data
    from tests.conftest import DISTINCTIVE_CONSUMER

    case = make_case(State.INVESTIGATING)
    services.log_contact(case, cast["hotline"], {"channel": "phone", "direction": "inbound",
                                                 "summary": DISTINCTIVE_CONSUMER["consumer_phone"]})
    client = APIClient()
    assert client.login(username="qa_kyu", password=PASSWORD)
    for url in ("/api/cases/", case_url(case), case_url(case, "events"), case_url(case, "investigation"),
                case_url(case, "contacts")):
        assert_no_personal_data(client.get(url, HTTP_ACCEPT="text/html"))
