"""POST /api/cases/{reference}/assign/ and the case JSON's owner and waiting_on."""

import pytest

from defects.models import Event, State
from tests.api.conftest import case_url

pytestmark = pytest.mark.django_db


def test_hotline_takes_a_case_and_the_json_names_the_owner(api, make_case, hotline):
    case = make_case()
    assert api("hotline").get(case_url(case)).json()["owner"] is None
    response = api("hotline").post(case_url(case, "assign"), {"owner": hotline.username}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == hotline.username and response.json()["waiting_on"] == "hotline"
    assert Event.objects.filter(case=case, kind=Event.Kind.OWNER, actor=hotline).count() == 1


def test_qa_manager_assigns_a_colleague(api, make_case, hotline):
    case = make_case(State.REPORT_REVIEW)
    body = api("qa_manager").post(case_url(case, "assign"), {"owner": hotline.username}, format="json").json()
    assert body["owner"] == hotline.username and body["waiting_on"] == "qa_manager"


@pytest.mark.parametrize("owner", ["no-such-user", "mailroom", "qa_kyu", ""])
def test_unknown_or_ineligible_owner_answers_400_naming_the_field(api, make_case, cast, owner):
    case = make_case()
    name = cast[owner].username if owner in cast else owner
    response = api("hotline").post(case_url(case, "assign"), {"owner": name}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["owner"]


def test_missing_or_wrongly_typed_owner_answers_400(api, make_case):
    case = make_case()
    assert list(api("hotline").post(case_url(case, "assign"), {}, format="json").json()) == ["owner"]
    response = api("hotline").post(case_url(case, "assign"), {"owner": ["hotline"]}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


@pytest.mark.parametrize("who", ["mailroom", "qa_kyu"])
def test_other_roles_get_403(api, make_case, hotline, who):
    case = make_case(State.INVESTIGATING)
    response = api(who).post(case_url(case, "assign"), {"owner": hotline.username}, format="json")
    assert response.status_code == 403
    assert not Event.objects.filter(case=case, kind=Event.Kind.OWNER).exists()


def test_another_factorys_case_is_404(api, make_case, hotline):
    case = make_case(State.INVESTIGATING)  # a KYU case
    assert api("qa_sai").post(case_url(case, "assign"), {"owner": hotline.username}, format="json").status_code == 404


def test_closed_case_answers_409_with_its_state(api, make_case, hotline):
    case = make_case(State.CLOSED)
    response = api("hotline").post(case_url(case, "assign"), {"owner": hotline.username}, format="json")
    assert response.status_code == 409 and response.json()["state"] == "closed"


def test_factory_users_see_owner_and_waiting_on_but_no_personal_data(api, make_case, hotline):
    case = make_case(State.SAMPLE_RECEIVED)
    api("hotline").post(case_url(case, "assign"), {"owner": hotline.username}, format="json")
    body = api("qa_kyu").get(case_url(case)).json()
    assert body["owner"] == hotline.username and body["waiting_on"] == "factory"
    assert "consumer" not in body


def test_the_list_carries_waiting_on_without_a_query_per_row(api, make_case, django_assert_max_num_queries):
    for state in (State.RECEIVED, State.AWAITING_RETURN, State.APPROVED):
        make_case(state)
    client = api("hotline")
    client.get("/api/cases/")  # warm the token and role caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        body = client.get("/api/cases/").json()
    assert {c["waiting_on"] for c in body["results"]} == {"hotline", "consumer", "mailroom"}
    for _ in range(4):
        make_case(State.RECEIVED)
    with CaptureQueriesContext(connection) as seven:
        client.get("/api/cases/")
    assert len(seven) == len(three)
