"""Who looked: every view of a consumer's personal data writes one access record per case, in one
insert per request; admins read the log over the API (paginated) and in the admin (view-only)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects.models import State
from privacy.models import PersonalDataAccess
from tests.api.conftest import case_url
from tests.conftest import PASSWORD


def records(case=None, **filters):
    rows = PersonalDataAccess.objects.filter(**filters)
    if case is not None:
        rows = rows.filter(case=case)
    return list(rows.order_by("id").values_list("user__username", "case__reference", "what"))


def inserts_into_the_log(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("INSERT") and "privacy_personaldataaccess" in q["sql"])


def test_the_case_page_is_logged_for_staff_and_not_for_factory_users(make_case, cast, login):
    case = make_case(State.INVESTIGATING)
    assert login(cast["hotline"]).get(f"/cases/{case.reference}/").status_code == 200
    assert login(cast["qa_kyu"]).get(f"/cases/{case.reference}/").status_code == 200
    assert records(case) == [("hotline", case.reference, "case_page")]


def test_the_api_logs_the_case_the_timeline_and_the_contacts(make_case, api):
    case = make_case(State.RECEIVED)
    for path in (case_url(case), case_url(case, "events"), case_url(case, "contacts")):
        assert api("qa_manager").get(path).status_code == 200
    assert api("qa_kyu").get(case_url(case)).status_code == 200
    assert [r[2] for r in records(case)] == ["case_api", "timeline", "contacts"]
    assert {r[0] for r in records(case)} == {"qa_manager"}


def test_a_search_hit_list_logs_every_hit_in_one_insert(make_case, api, login):
    cases = [make_case(State.RECEIVED) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert api("hotline").get("/api/cases/?q=蒼井").status_code == 200
    assert inserts_into_the_log(queries.captured_queries) == 1
    assert sorted(r[1] for r in records(what="case_list")) == sorted(c.reference for c in cases)

    with CaptureQueriesContext(connection) as queries:
        assert login(user_named("mailroom")).get("/cases/?q=蒼井").status_code == 200
    assert inserts_into_the_log(queries.captured_queries) == 1
    assert len(records(what="case_list", user__username="mailroom")) == 3


def user_named(username):
    return get_user_model().objects.get(username=username)


def test_the_consumer_change_and_the_parcel_match_are_logged(make_case, api):
    case = make_case(State.AWAITING_RETURN)
    assert api("hotline").patch(case_url(case, "consumer"), {"phone": "03-1234-5678"}, format="json").status_code == 200
    assert api("mailroom").get("/api/parcels/match/?q=アオイ").status_code == 200
    assert [(r[0], r[2]) for r in records(case)] == [("hotline", "consumer_api"), ("mailroom", "parcel_match")]


def _letter_with_pdf(case):
    from letters.models import Letter

    letter = Letter.objects.filter(case=case).exclude(status=Letter.Status.CANCELLED).first()
    letter.pdf.save(f"{case.reference}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    letter.pdf_revision = letter.revision
    letter.status = Letter.Status.READY
    letter.save()
    return letter


def test_a_letter_pdf_download_is_logged(make_case, api, login):
    case = make_case(State.AWAITING_RETURN)
    letter = _letter_with_pdf(case)
    assert api("mailroom").get(f"/api/letters/{letter.pk}/pdf/").status_code == 200
    assert login(user_named("hotline")).get(f"/print-room/letters/{letter.pk}/pdf/").status_code == 200
    assert records(case) == [("mailroom", case.reference, "letter_pdf"), ("hotline", case.reference, "letter_pdf")]


# --- reading the log ------------------------------------------------------------------------------

def test_admins_read_the_log_of_a_case_newest_first_paginated(make_case, api, login):
    case, other = make_case(State.RECEIVED), make_case(State.RECEIVED)
    for _ in range(3):
        api("hotline").get(case_url(case))
    api("qa_manager").get(case_url(case))
    api("hotline").get(case_url(other))
    answer = api("admin").get(f"/api/audit/personal-data/?case={case.reference.lower()}")
    assert answer.status_code == 200
    body = answer.json()
    assert [(r["user"], r["case"], r["what"]) for r in body["results"]] == (
        [("qa_manager", case.reference, "case_api")] + [("hotline", case.reference, "case_api")] * 3)
    assert set(body) >= {"next", "previous", "results"}


def test_the_log_pages_by_cursor(make_case, api, settings):
    from privacy.api import NewestFirst

    case = make_case(State.RECEIVED)
    for _ in range(NewestFirst.page_size + 2):
        api("hotline").get(case_url(case))
    first = api("admin").get(f"/api/audit/personal-data/?case={case.reference}").json()
    assert len(first["results"]) == NewestFirst.page_size and first["next"]
    second = api("admin").get(first["next"]).json()
    assert len(second["results"]) == 2 and not second["next"]


@pytest.mark.parametrize("who", ["hotline", "qa_manager", "qa_kyu", "mailroom"])
def test_only_admins_read_the_log(make_case, api, who):
    case = make_case(State.RECEIVED)
    assert api(who).get(f"/api/audit/personal-data/?case={case.reference}").status_code == 403


@pytest.mark.parametrize("query", ["", "?case=", "?case=not-a-reference", "?case=" + "9" * 500])
def test_a_missing_or_malformed_case_is_a_400_naming_the_field(api, query, db):
    answer = api("admin").get(f"/api/audit/personal-data/{query}")
    assert answer.status_code == 400 and "case" in answer.json()


def test_the_admin_shows_the_log_and_nobody_can_change_it(make_case, api, client, db):
    case = make_case(State.RECEIVED)
    api("hotline").get(case_url(case))
    get_user_model().objects.create_superuser("root", "root@example.jp", PASSWORD)
    assert client.login(username="root", password=PASSWORD)
    listing = client.get("/admin/privacy/personaldataaccess/")
    assert listing.status_code == 200 and case.reference in listing.content.decode()
    row = PersonalDataAccess.objects.get()
    assert client.get(f"/admin/privacy/personaldataaccess/{row.pk}/change/").status_code == 200
    assert client.get("/admin/privacy/personaldataaccess/add/").status_code == 403
    assert client.post(f"/admin/privacy/personaldataaccess/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.filter(pk=row.pk).exists()
