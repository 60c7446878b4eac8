"""A repeat caller is recognised: POST /api/cases/ names the caller's other cases, and the intake page
shows them while the operator types. Only the hotline sees them."""

import datetime

import pytest
from django.utils import timezone

from defects import duplicates
from defects.models import DefectCase, State
from tests.api.conftest import case_body

pytestmark = pytest.mark.django_db


def test_a_second_intake_with_the_same_phone_names_the_first(api, gum):
    client = api("hotline")
    first = client.post("/api/cases/", case_body(gum, consumer={"phone": "090-8765-4321"}), format="json").json()
    assert first["possible_duplicates"] == []
    # Same number typed another way, by another name and postal code.
    body = case_body(gum, consumer={"phone": "０９０８７６５４３２１", "name": "別人 太郎", "postal_code": "1000001",
                                    "address": "東京都千代田区千代田1-1"})
    second = client.post("/api/cases/", body, format="json")
    assert second.status_code == 201
    [dup] = second.json()["possible_duplicates"]
    assert (dup["reference"], dup["state"], dup["match"]) == (first["reference"], "received", "phone")
    assert dup["received_at"] == first["received_at"]


def test_the_same_name_and_postal_code_is_a_possible_duplicate(api, gum):
    client = api("hotline")
    first = client.post("/api/cases/", case_body(gum, consumer={"name": "山田 花子", "phone": "03-1111-2222"}),
                        format="json").json()
    body = case_body(gum, consumer={"name": "山田花子", "phone": "03-3333-4444"})
    [dup] = client.post("/api/cases/", body, format="json").json()["possible_duplicates"]
    assert (dup["reference"], dup["match"]) == (first["reference"], "name_postal_code")
    # The same name at another postal code is another person.
    body = case_body(gum, consumer={"name": "山田花子", "phone": "03-5555-6666", "postal_code": "1000001",
                                    "address": "東京都千代田区千代田1-1"})
    assert client.post("/api/cases/", body, format="json").json()["possible_duplicates"] == []


def test_closed_cases_older_than_a_year_are_not_duplicates(make_case, cast):
    old = make_case(State.RECEIVED, consumer_phone="090-8765-4321")
    DefectCase.objects.filter(pk=old.pk).update(received_at=timezone.now() - datetime.timedelta(days=400))
    # Still open after 400 days: listed.
    assert [d["reference"] for d in duplicates.possible_duplicates(phone="09087654321")] == [old.reference]
    DefectCase.objects.filter(pk=old.pk).update(state=State.CLOSED)
    assert duplicates.possible_duplicates(phone="09087654321") == []
    # Closed but within the year: listed.
    DefectCase.objects.filter(pk=old.pk).update(received_at=timezone.now() - datetime.timedelta(days=300))
    assert [d["reference"] for d in duplicates.possible_duplicates(phone="09087654321")] == [old.reference]


def test_a_half_typed_phone_matches_nothing(make_case):
    make_case(State.RECEIVED, consumer_phone="090-8765-4321")
    assert duplicates.possible_duplicates(phone="090-8765") == []
    assert duplicates.possible_duplicates(phone="not a phone") == []


def test_factory_users_cannot_create_so_never_see_possible_duplicates(api, gum):
    response = api("qa_kyu").post("/api/cases/", case_body(gum), format="json")
    assert response.status_code == 403 and "possible_duplicates" not in response.content.decode()
