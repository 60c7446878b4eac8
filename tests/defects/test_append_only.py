"""The timeline and the contact log are append-only: in the ORM, in the admin and, on PostgreSQL, in the
database itself (raw SQL included). A mistake in a contact is put right by a new contact that corrects it."""

import os

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from defects import services
from defects.models import Contact, Event, State
from tests.api.conftest import case_url, token_client


def require_postgres():
    if connection.vendor == "postgresql":
        return
    reason = f"the triggers live in PostgreSQL (database is {connection.vendor})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the postgres-marked tests on PostgreSQL")
    pytest.skip(reason)


def raw(sql, *params):
    """Run one statement in its own savepoint; return the database's error, or None if it went through."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return error
    return None


def log(case, by, summary="Promised a call back.", **extra):
    return services.log_contact(case, by, {"channel": "phone", "direction": "outbound", "summary": summary, **extra})


@pytest.mark.postgres
def test_raw_sql_update_and_delete_on_the_timeline_fail(make_case):
    require_postgres()
    case = make_case(State.AWAITING_RETURN)
    event = case.events.first()
    for sql in ("UPDATE defects_event SET note = 'rewritten' WHERE id = %s",
                "UPDATE defects_event SET at = now() WHERE id = %s",
                "DELETE FROM defects_event WHERE id = %s"):
        error = raw(sql, event.pk)
        assert error is not None, sql
        assert "Cannot update or delete rows from defects_event" in str(error)
    assert raw("DELETE FROM defects_event") is not None
    assert Event.objects.get(pk=event.pk).note == event.note
    # Appending still works.
    assert raw("INSERT INTO defects_event (case_id, at, kind, transition, from_state, to_state, note, data) "
               "VALUES (%s, now(), 'note', '', '', '', 'appended', '{}')", case.pk) is None


@pytest.mark.postgres
def test_raw_sql_cannot_rewrite_or_delete_a_contact(make_case, hotline):
    require_postgres()
    case = make_case()
    contact = log(case, hotline, follow_up_due=timezone.now(), follow_up_owner=hotline)
    for sql in ("UPDATE defects_contact SET summary = 'rewritten' WHERE id = %s",
                "UPDATE defects_contact SET at = now() - interval '1 day' WHERE id = %s",
                "UPDATE defects_contact SET follow_up_due = NULL WHERE id = %s",
                # Done together with another change is a rewrite too.
                "UPDATE defects_contact SET follow_up_done_at = now(), summary = 'x' WHERE id = %s",
                "DELETE FROM defects_contact WHERE id = %s"):
        assert raw(sql, contact.pk) is not None, sql
    # The one update allowed: the promised follow-up marked done, once.
    assert raw("UPDATE defects_contact SET follow_up_done_at = now() WHERE id = %s", contact.pk) is None
    assert raw("UPDATE defects_contact SET follow_up_done_at = now() + interval '1 hour' WHERE id = %s",
               contact.pk) is not None
    assert raw("UPDATE defects_contact SET follow_up_done_at = NULL WHERE id = %s", contact.pk) is not None
    contact.refresh_from_db()
    assert contact.summary == "Promised a call back." and contact.follow_up_done_at is not None


@pytest.mark.postgres
def test_marking_a_follow_up_done_passes_the_trigger(make_case, hotline):
    require_postgres()
    case = make_case()
    contact = log(case, hotline, follow_up_due=timezone.now(), follow_up_owner=hotline)
    done = services.complete_follow_up(contact, hotline)
    assert done.follow_up_done_at is not None
    # The summary lives apart (privacy: erasable) and refuses a rewrite in Python already ...
    with pytest.raises(PermissionError):
        done.summary = "rewritten"
    # ... and saving the whole row again with a changed column is refused by the database.
    done.channel = "email"
    with pytest.raises(DatabaseError), transaction.atomic():
        done.save()


def test_a_correction_is_a_new_contact_pointing_at_the_one_it_corrects(make_case, hotline):
    case = make_case()
    wrong = log(case, hotline, summary="Consumer will send the pack on Monday.")
    fixed = log(case, hotline, summary="Correction: on Tuesday, not Monday.", corrects=wrong.pk)
    wrong.refresh_from_db()
    assert wrong.summary == "Consumer will send the pack on Monday."  # untouched
    assert fixed.corrects == wrong and list(wrong.corrections.all()) == [fixed]
    event = Event.objects.get(contact=fixed)
    assert event.data["corrects"] == wrong.pk


def test_a_correction_must_point_at_a_contact_of_the_same_case(make_case, hotline):
    from django.core.exceptions import ValidationError

    other = log(make_case(), hotline)
    case = make_case()
    before = case.contacts.count()  # the intake call itself is the first contact
    with pytest.raises(ValidationError) as raised:
        log(case, hotline, corrects=other.pk)
    assert "corrects" in raised.value.message_dict
    assert case.contacts.count() == before


def test_the_api_logs_and_shows_corrections(make_case, cast):
    case = make_case()
    client = token_client(cast["hotline"])
    first = client.post(case_url(case, "contacts"), {"channel": "phone", "direction": "inbound",
                                                     "summary": "Bought at store A."}, format="json")
    assert first.status_code == 201 and first.json()["corrects"] is None
    second = client.post(case_url(case, "contacts"), {"channel": "phone", "direction": "inbound",
                                                      "summary": "Store B, not A.", "corrects": first.json()["id"]},
                         format="json")
    assert second.status_code == 201, second.content
    assert second.json()["corrects"] == first.json()["id"]
    listed = client.get(case_url(case, "contacts")).json()
    # The intake call is the case's first contact; then the two logged here.
    assert [c["corrects"] for c in listed] == [None, None, first.json()["id"]]
    for bad in (999999, "x", -1):
        response = client.post(case_url(case, "contacts"), {"channel": "phone", "direction": "inbound",
                                                            "summary": "?", "corrects": bad}, format="json")
        assert response.status_code == 400 and "corrects" in response.json(), bad


def test_the_case_page_shows_a_correction_and_what_it_corrects(make_case, hotline, client):
    case = make_case()
    wrong = log(case, hotline, summary="Lot code read as L1.")
    client.force_login(hotline)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert 'name="corrects"' in page and f'value="{wrong.pk}"' in page
    response = client.post(f"/cases/{case.reference}/contacts/", {
        "channel": "phone", "direction": "outbound", "summary": "Lot code is L7, not L1.", "corrects": wrong.pk})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.reference}/").content.decode()
    fixed = Contact.objects.get(corrects=wrong)
    assert f'href="#contact-{wrong.pk}"' in page and f'href="#contact-{fixed.pk}"' in page
    assert "訂正" in page  # "corrects" / "corrected by", in Japanese


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.jp", "pw-123456"))
    return client


def test_contacts_are_view_only_in_the_admin(admin_client, make_case, hotline):
    contact = log(make_case(), hotline)
    assert admin_client.get("/admin/defects/contact/").status_code == 200
    assert admin_client.get(f"/admin/defects/contact/{contact.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/defects/contact/{contact.pk}/change/", {"summary": "rewritten"}).status_code == 403
    assert admin_client.post(f"/admin/defects/contact/{contact.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/defects/contact/add/").status_code == 403
    contact.refresh_from_db()
    assert contact.summary == "Promised a call back."


def test_token_client_still_reads_contacts_after_correction_fields(make_case, cast):
    # The contact list answers the same shape for an old client: `corrects` is an added key only.
    case = make_case()
    log(case, cast["hotline"])
    row = APIClient()
    row.force_authenticate(cast["hotline"])
    assert set(row.get(case_url(case, "contacts")).json()[0]) >= {"id", "summary", "follow_up_done_at", "corrects"}
