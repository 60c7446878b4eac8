"""Staff hear about work that arrives for them: once per person and fact, in the app and/or by e-mail."""

import datetime

from django.core import mail
from django.utils import timezone

from defects import outbox, services
from defects.models import State
from notifications import services as notify
from notifications.models import Kind, Notification
from tests.api.conftest import token_client
from tests.conftest import DISTINCTIVE_CONSUMER, _user, fill_report
from defects import roles


def flush():
    """Run every pending dispatch now, as the task sent on commit (or the sweep) would; twice, to
    show a second run adds nothing."""
    later = timezone.now() + datetime.timedelta(days=1)
    outbox.redispatch_undelivered(later)
    from defects.models import Event
    for pk in Event.objects.values_list("pk", flat=True):
        outbox.dispatch(pk)


def kinds_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_submitted_report_reaches_each_qa_manager_once(make_case, cast):
    second_manager = _user("qa_manager_2", roles.QA_MANAGER)
    case = make_case(State.INVESTIGATING)
    fill_report(case, cast["qa_kyu"])
    services.perform(case, "submit_report", cast["qa_kyu"], {})
    flush()
    flush()
    for manager in (cast["qa_manager"], second_manager):
        notes = Notification.objects.filter(recipient=manager, kind=Kind.REPORT_SUBMITTED)
        assert notes.count() == 1
        assert case.reference in notes.get().message
    assert not Notification.objects.filter(kind=Kind.REPORT_SUBMITTED, recipient__in=[
        cast["qa_kyu"], cast["qa_sai"], cast["hotline"], cast["mailroom"]]).exists()


def test_a_rejection_tells_the_factorys_qa_with_the_comment_and_not_the_other_plant(make_case, cast):
    case = make_case(State.REPORT_REVIEW)
    services.perform(case, "reject_report", cast["qa_manager"], {"comment": "Add the retained-sample result."})
    flush()
    note = Notification.objects.get(recipient=cast["qa_kyu"], kind=Kind.REPORT_REJECTED)
    assert "Add the retained-sample result." in note.message
    assert not Notification.objects.filter(recipient=cast["qa_sai"]).exists()


def test_routing_sample_and_approval_go_to_the_right_people(make_case, cast):
    case = make_case(State.APPROVED)
    flush()
    assert Kind.CASE_ROUTED in kinds_for(cast["qa_kyu"])
    assert Kind.SAMPLE_RECEIVED in kinds_for(cast["qa_kyu"])
    assert kinds_for(cast["mailroom"]) == [Kind.REPORT_APPROVED]
    assert kinds_for(cast["qa_sai"]) == []


def test_factory_messages_hold_no_personal_data(make_case, cast):
    make_case(State.REPORT_REVIEW)
    flush()
    messages = " ".join(Notification.objects.filter(recipient=cast["qa_kyu"]).values_list("message", flat=True))
    assert messages
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in messages


def test_the_delivered_replacement_tells_the_owner_or_else_the_hotline(make_case, cast):
    make_case(State.CLOSED)
    flush()
    assert Kind.REPLACEMENT_DELIVERED in kinds_for(cast["hotline"])


def test_email_when_chosen_once_even_when_the_task_runs_twice(make_case, cast, django_capture_on_commit_callbacks):
    manager = cast["qa_manager"]
    manager.email = "manager@example.jp"
    manager.save()
    notify.set_preference(manager, Kind.REPORT_SUBMITTED, in_app=False, email=True)
    case = make_case(State.INVESTIGATING)
    fill_report(case, cast["qa_kyu"])
    services.perform(case, "submit_report", cast["qa_kyu"], {})
    with django_capture_on_commit_callbacks(execute=True):
        flush()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["manager@example.jp"] and case.reference in mail.outbox[0].subject
    note = Notification.objects.get(recipient=manager, kind=Kind.REPORT_SUBMITTED)
    assert notify.send_email(note.pk) is False  # a second run sends nothing
    assert notify.sweep_unsent_emails() == 0
    assert len(mail.outbox) == 1
    assert notify.unread_count(manager) == 0  # not shown in the app: the manager chose e-mail only


def test_api_lists_the_callers_own_and_marks_read(make_case, cast):
    case = make_case(State.REPORT_REVIEW)
    flush()
    client = token_client(cast["qa_manager"])
    body = client.get("/api/notifications/").json()
    assert [r["kind"] for r in body["results"]] == [Kind.REPORT_SUBMITTED]
    row = body["results"][0]
    assert set(row) == {"id", "kind", "case", "message", "created_at", "read"}
    assert row["case"] == case.reference and row["read"] is False
    # Someone else's notification is not found.
    assert token_client(cast["qa_kyu"]).post(f"/api/notifications/{row['id']}/read/").status_code == 404
    answer = client.post(f"/api/notifications/{row['id']}/read/")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert notify.unread_count(cast["qa_manager"]) == 0


def test_the_bell_shows_the_unread_count_and_the_list_page(make_case, cast, client):
    make_case(State.REPORT_REVIEW)
    flush()
    client.force_login(cast["qa_manager"])
    page = client.get("/notifications/").content.decode()
    assert 'class="bell-count">1<' in page
    assert "bell" in client.get("/").content.decode()
