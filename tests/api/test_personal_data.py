"""Factory QA never receive the consumer's personal data, whichever endpoint they ask."""

import json

import pytest

from defects import services
from defects.forms import ContactForm
from defects.models import State
from tests.api.conftest import case_url
from tests.conftest import COMPLETE_REPORT, DISTINCTIVE_CONSUMER

PHONE_DIGITS = "".join(ch for ch in DISTINCTIVE_CONSUMER["consumer_phone"] if ch.isdigit())
SECRETS = [*DISTINCTIVE_CONSUMER.values(), PHONE_DIGITS, DISTINCTIVE_CONSUMER["consumer_name"].split()[0]]


def assert_no_personal_data(response):
    text = response.content.decode()
    for secret in SECRETS:
        # Also the \\u-escaped form, should a renderer ever switch to ASCII-only JSON.
        for form in {secret, json.dumps(secret)[1:-1]}:
            assert form not in text, (response.request["PATH_INFO"], secret)


@pytest.fixture
def case_with_history(make_case, cast):
    """A case at the factory whose timeline holds a call quoting the consumer's name and phone."""
    case = make_case(State.SAMPLE_RECEIVED)
    summary = (f"{DISTINCTIVE_CONSUMER['consumer_name']}様より入電。折り返し先 {DISTINCTIVE_CONSUMER['consumer_phone']}"
               f" ({PHONE_DIGITS})、{DISTINCTIVE_CONSUMER['consumer_email']}")
    form = ContactForm(data={"channel": "phone", "direction": "inbound", "summary": summary})
    assert form.is_valid(), form.errors
    services.log_contact(case, cast["hotline"], form.cleaned_data)
    return case


def test_factory_user_sees_no_personal_data_anywhere(case_with_history, api):
    case, qa = case_with_history, api("qa_kyu")
    name, kana = DISTINCTIVE_CONSUMER["consumer_name"], DISTINCTIVE_CONSUMER["consumer_name_kana"]
    responses = [
        qa.get(case_url(case)),
        qa.get("/api/cases/"),
        qa.get("/api/cases/", {"state": State.SAMPLE_RECEIVED}),
        qa.get(case_url(case, "events")),
        qa.get(case_url(case, "investigation")),
        qa.get(case_url(case, "contacts")),
        qa.post(case_url(case, "transitions", "start_investigation"), {}, format="json"),
        qa.put(case_url(case, "investigation"), COMPLETE_REPORT, format="json"),
        qa.post(case_url(case, "transitions", "submit_report"), {}, format="json"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 403, 200, 200, 200]
    detail = responses[0].json()
    assert "consumer" not in detail and "consumer" not in responses[1].json()["results"][0]
    for response in responses:
        assert_no_personal_data(response)

    # Searching by what only personal data could match finds nothing (and echoes nothing).
    for q in (name, kana, DISTINCTIVE_CONSUMER["consumer_phone"], PHONE_DIGITS, DISTINCTIVE_CONSUMER["consumer_email"]):
        found = qa.get("/api/cases/", {"q": q})
        assert found.status_code == 200 and found.json()["count"] == 0, q
        assert_no_personal_data(found)
    assert qa.get("/api/cases/", {"q": case.reference}).json()["count"] == 1


def test_factory_user_sees_that_a_call_happened_but_not_what_was_said(case_with_history, api):
    events = api("qa_kyu").get(case_url(case_with_history, "events")).json()
    contact = [e for e in events if e["kind"] == "contact"]
    # The intake call and the later call: both visible as lines, neither says what was said.
    assert len(contact) == 2 and all(c["note"] == "" and c["actor"] == "hotline" for c in contact)
    sample = [e for e in events if e["transition"] == "receive_sample"]
    assert sample[0]["note"] == "wrapper torn at one end"  # the factory's own working notes stay


def test_roles_that_may_see_personal_data_do(case_with_history, api):
    # The control for the test above: the data is there to leak, and these roles do get it.
    for who in ("hotline", "qa_manager", "mailroom", "admin"):
        client = api(who)
        assert client.get(case_url(case_with_history)).json()["consumer"]["phone"] == "092-555-0123", who
        notes = [e["note"] for e in client.get(case_url(case_with_history, "events")).json()]
        assert any(PHONE_DIGITS in note for note in notes), who
        found = client.get("/api/cases/", {"q": DISTINCTIVE_CONSUMER["consumer_name"]}).json()
        assert found["count"] == 1, who
