"""Consumers who asked for e-mail updates get a short message at sample arrival and when the
replacement is sent, in their language, each logged as an outbound contact on the timeline."""

from django.core import mail

from defects.forms import CaseIntakeForm
from defects.models import Contact, Event, State
from notifications import consumer
from tests.api.conftest import case_body, token_client
from tests.conftest import intake_data
from tests.notifications.test_notifications import flush


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flush()


def test_consenting_consumer_gets_two_updates_logged_as_contacts(make_case, django_capture_on_commit_callbacks):
    case = make_case(State.REPLACEMENT_SHIPPED, consumer_email_updates=True)
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks)  # a second dispatch sends nothing more
    assert consumer.sweep_unsent() == 0
    assert [m.to for m in mail.outbox] == [["shion.aoi@example.jp"]] * 2
    assert all(case.reference in m.subject for m in mail.outbox)
    assert "到着" in mail.outbox[0].body and "発送" in mail.outbox[1].body  # Japanese, the consumer's language
    contacts = Contact.objects.filter(case=case, direction="outbound", channel="email")
    assert contacts.count() == 2
    assert Event.objects.filter(case=case, kind=Event.Kind.CONTACT, contact__in=contacts).count() == 2


def test_english_speakers_get_english(make_case, django_capture_on_commit_callbacks):
    make_case(State.SAMPLE_RECEIVED, consumer_email_updates=True, consumer_language="en")
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and "has arrived" in mail.outbox[0].body


def test_no_consent_no_email(make_case, django_capture_on_commit_callbacks):
    case = make_case(State.REPLACEMENT_SHIPPED)
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Contact.objects.filter(case=case, channel="email", direction="outbound").exists()


def test_consent_needs_an_address_in_the_form_and_the_api(gum, cast):
    form = CaseIntakeForm(data=intake_data(gum, consumer_email="", consumer_email_updates=True))
    assert not form.is_valid() and "consumer_email_updates" in form.errors
    answer = token_client(cast["hotline"]).post(
        "/api/cases/", case_body(gum, consumer={"email": "", "email_updates": True}), format="json")
    assert answer.status_code == 400 and "email_updates" in str(answer.json())
    ok = token_client(cast["hotline"]).post(
        "/api/cases/", case_body(gum, consumer={"email_updates": True}), format="json")
    assert ok.status_code == 201 and ok.json()["consumer"]["email_updates"] is True
