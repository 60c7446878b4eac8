"""What one intake costs (issue 11 item 5: intake at least half the speed of the empty view): the
queries of POST /api/cases/ stay few, and what was made cheaper still answers the same."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from defects import duplicates, roles
from defects.models import Event, PendingDispatch
from factories import masterdata
from factories.models import Line, PlantCode
from tests.api.conftest import case_body, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(settings):
    """Master data kept by the process, as on a server (the tests read the database otherwise)."""
    settings.HITOTSUBU_MASTER_DATA_SECONDS = 30
    masterdata.forget()
    yield
    masterdata.forget()


def _tables(queries):
    return [q["sql"].split('"')[1] if '"' in q["sql"] else q["sql"] for q in queries]


def test_an_intake_asks_the_database_little(api, gum, biscuit, kyu, snapshot):
    Line.objects.create(factory=kyu, code="3", name="ビスケット第3ライン")
    client = api("hotline")
    assert client.post("/api/cases/", case_body(gum), format="json").status_code == 201  # master data read
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/cases/", case_body(biscuit, lot_code="2027.05.20 KY 3"), format="json")
    assert response.status_code == 201, response.content
    sql = "\n".join(q["sql"] for q in queries)
    # The token, its user and (PostgreSQL) the user's roles in one query; no master data; knox's read
    # of all the user's tokens is gone.
    assert sum('FROM "accounts_apitoken"' in q["sql"] for q in queries) == 1
    if connection.vendor == "postgresql":
        assert "auth_user_groups" in queries[0]["sql"]
        assert sum("auth_group" in q["sql"] for q in queries) == 1
    for table in ("factories_product", "factories_plantcode", "factories_factory", "factories_line"):
        assert f'FROM "{table}"' not in sql, table
    # Both timeline lines in one INSERT, their outbox rows in another; the repeat callers in one SELECT.
    assert sql.count('INSERT INTO "defects_event"') == 1
    assert sql.count('INSERT INTO "defects_pendingdispatch"') == 1
    assert sum('"defects_consumer"."phone_digits" =' in q["sql"] for q in queries) == 1
    # A new case is the hotline's move: waiting_on asks nothing.
    assert 'FROM "defects_contact"' not in sql
    assert len(queries) <= 14, "\n".join(_tables(queries.captured_queries))


def test_the_timeline_of_a_new_case_is_in_order_and_waits_for_dispatch(api, gum):
    reference = api("hotline").post("/api/cases/", case_body(gum), format="json").json()["reference"]
    events = list(Event.objects.filter(case__reference=reference).order_by("at", "id"))
    assert [e.kind for e in events] == [Event.Kind.CREATED, Event.Kind.CONTACT]
    assert events[1].contact_id is not None and events[1].data["intake"] is True
    assert set(PendingDispatch.objects.values_list("event_id", flat=True)) >= {e.pk for e in events}


def test_a_plant_code_saved_now_routes_the_next_case(api, biscuit, sai, snapshot):
    client = api("hotline")
    assert client.post("/api/cases/", case_body(biscuit, lot_code="2027.05.20 QQ 3"), format="json").json()["factory"] is None
    # Saved in this process: the snapshot is forgotten at once (other processes: within its seconds).
    PlantCode.objects.create(product=biscuit, code="QQ", factory=sai)
    Line.objects.create(factory=sai, code="3", name="第3ライン")
    body = client.post("/api/cases/", case_body(biscuit, lot_code="2027.05.20 QQ 3"), format="json").json()
    assert (body["factory"], body["line"]) == ("SAI", "3")


def test_a_product_added_elsewhere_is_known_at_once(api, gum, snapshot, kyu):
    from factories.models import Product

    client = api("hotline")
    assert client.post("/api/cases/", case_body(gum), format="json").status_code == 201
    # As another server process would add it: no signal reaches this process's snapshot.
    Product.objects.bulk_create([Product(code="NEW-1", name="新商品", default_factory=kyu)])
    response = client.post("/api/cases/", case_body(gum, product="NEW-1"), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["product"], response.json()["factory"]) == ("NEW-1", "KYU")
    assert client.post("/api/cases/", case_body(gum, product="NOPE"), format="json").status_code == 400


def test_roles_come_with_the_token_and_follow_a_change_at_once(cast, gum):
    client = token_client(cast["hotline"])
    assert client.post("/api/cases/", case_body(gum), format="json").status_code == 201
    cast["hotline"].groups.clear()
    assert client.post("/api/cases/", case_body(gum), format="json").status_code == 403


def test_remember_adds_admin_for_a_superuser(django_user_model):
    boss = django_user_model(username="boss", is_superuser=True)
    roles.remember(boss, [roles.HOTLINE])
    assert roles.roles_of(boss) == {roles.ADMIN, roles.HOTLINE}


def test_expired_tokens_are_deleted_when_a_new_one_is_issued(cast):
    user = cast["hotline"]
    old, _ = ApiToken.objects.create(user)
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - datetime.timedelta(minutes=1))
    live, _ = ApiToken.objects.create(user)
    assert list(ApiToken.objects.filter(user=user)) == [live]


def test_a_case_matching_by_phone_and_by_name_is_listed_once_as_phone(make_case):
    first = make_case(consumer_phone="090-8765-4321")
    second = make_case(consumer_phone="03-1111-2222")  # same name and postal code (the intake data's)
    found = duplicates.possible_duplicates(phone="090-8765-4321", name=first.consumer.name,
                                           postal_code=first.consumer.postal_code)
    assert [(d["reference"], d["match"]) for d in found] == [
        (second.reference, "name_postal_code"), (first.reference, "phone")]
