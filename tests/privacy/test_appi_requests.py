"""A consumer's request to see (export) or delete their data, served by the admin, both logged."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model

from defects import services
from defects.models import Consumer, Event, State
from privacy.masking import ERASED
from privacy.models import Erasure, PersonalDataAccess
from tests.api.conftest import case_url
from tests.conftest import DISTINCTIVE_CONSUMER, PASSWORD

PHONE = DISTINCTIVE_CONSUMER["consumer_phone"]
CHANGELIST = "/admin/privacy/consumerrecord/"


@pytest.fixture
def root(client, db):
    get_user_model().objects.create_superuser("root", "root@example.jp", PASSWORD)
    assert client.login(username="root", password=PASSWORD)
    return client


def _case_with_history(make_case, cast, api):
    case = make_case(State.AWAITING_RETURN)
    services.log_contact(case, cast["hotline"], {"channel": "phone", "direction": "inbound",
                                                 "summary": f"折り返し先 {PHONE}"})
    api("hotline").get(case_url(case))
    return case


def test_the_admin_exports_everything_held_about_the_consumer_as_json(make_case, cast, api, root):
    case = _case_with_history(make_case, cast, api)
    response = root.post(CHANGELIST, {"action": "export_json", "_selected_action": [case.consumer.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    exported = json.loads(response.content)["cases"][0]
    assert exported["case"]["reference"] == case.reference
    assert exported["consumer"]["name"] == DISTINCTIVE_CONSUMER["consumer_name"]
    assert exported["consumer"]["phone"] == PHONE
    # The intake call (the case's first contact, its summary the description), then the call logged here.
    assert [c["summary"] for c in exported["contacts"]] == [case.description, f"折り返し先 {PHONE}"]
    assert {letter["kind"] for letter in exported["letters"]} == {"first_notice_postcard", "return_kit"}
    assert ("hotline", "case_api") in {(a["user"], a["what"]) for a in exported["accesses"]}
    # Logged: an access record, and a timeline note that quotes nothing personal.
    assert PersonalDataAccess.objects.filter(case=case, what="export", user__username="root").count() == 1
    note = Event.objects.filter(case=case, kind=Event.Kind.NOTE).last()
    assert note.data["action"] == "personal_data_exported"
    assert PHONE not in note.note and "蒼井" not in note.note


def test_the_admin_exports_as_csv(make_case, cast, api, root):
    case = _case_with_history(make_case, cast, api)
    response = root.post(CHANGELIST, {"action": "export_csv", "_selected_action": [case.consumer.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["case", "section", "item", "field", "value"]
    assert [case.reference, "consumer", "1", "phone", PHONE] in rows


def test_erasure_on_request_asks_first_then_erases_and_logs(make_case, cast, api, root):
    case = _case_with_history(make_case, cast, api)
    asked = root.post(CHANGELIST, {"action": "erase", "_selected_action": [case.consumer.pk]})
    assert asked.status_code == 200 and b"confirmed" in asked.content
    assert Consumer.objects.get(case=case).name == DISTINCTIVE_CONSUMER["consumer_name"]

    done = root.post(CHANGELIST, {"action": "erase", "_selected_action": [case.consumer.pk], "confirmed": "yes"})
    assert done.status_code == 302
    consumer = Consumer.objects.get(case=case)
    assert (consumer.name, consumer.phone, consumer.email) == (ERASED, ERASED, ERASED)
    erased = Erasure.objects.get(case=case)
    assert erased.reason == Erasure.Reason.REQUEST and erased.by.username == "root"
    assert PersonalDataAccess.objects.filter(case=case, what="erasure", user__username="root").exists()
    note = Event.objects.filter(case=case, kind=Event.Kind.NOTE).last()
    assert note.data["action"] == "personal_data_erased" and PHONE not in note.note


def test_only_superusers_serve_the_requests(make_case, cast, api, client):
    case = _case_with_history(make_case, cast, api)
    staff = get_user_model().objects.create_user("clerk", password=PASSWORD, is_staff=True)
    assert staff and client.login(username="clerk", password=PASSWORD)
    assert client.get(CHANGELIST).status_code == 403
    response = client.post(CHANGELIST, {"action": "erase", "_selected_action": [case.consumer.pk], "confirmed": "yes"})
    assert response.status_code == 403
    assert Consumer.objects.get(case=case).name == DISTINCTIVE_CONSUMER["consumer_name"]


def test_viewing_consumers_in_the_admin_is_logged(make_case, cast, api, root):
    case = _case_with_history(make_case, cast, api)
    assert root.get(CHANGELIST).status_code == 200
    assert root.get(f"{CHANGELIST}{case.consumer.pk}/change/").status_code == 200
    assert PersonalDataAccess.objects.filter(case=case, what="admin", user__username="root").count() == 2
