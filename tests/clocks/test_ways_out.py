"""close_without_delivery and reopen: the ways out real cases need, on the timeline and the clocks."""

import pytest
from django.core.exceptions import PermissionDenied

from clocks.models import Clock
from defects import services
from defects.models import Event, State
from tests.api.conftest import case_url, token_client
from tests.notifications.test_notifications import flush


def test_a_shipped_replacement_that_came_back_closes_with_the_reason(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    with pytest.raises(PermissionDenied):
        services.perform(case, "close_without_delivery", cast["mailroom"], {"reason": "returned"})
    client = token_client(cast["hotline"])
    answer = client.post(case_url(case, "transitions", "close_without_delivery"), {}, format="json")
    assert answer.status_code == 400 and "reason" in str(answer.json())
    answer = client.post(case_url(case, "transitions", "close_without_delivery"),
                         {"reason": "Parcel returned: addressee unknown."}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == State.CLOSED
    event = Event.objects.filter(case=case, transition="close_without_delivery").get()
    assert event.note == "Parcel returned: addressee unknown." and event.from_state == State.REPLACEMENT_SHIPPED
    flush()
    assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()


def test_a_closed_case_reopens_to_received_and_its_clocks_run_again(make_case, cast):
    case = make_case(State.CLOSED)
    flush()
    case = services.perform(case, "reopen", cast["hotline"], {"reason": "The consumer called again."})
    assert case.state == State.RECEIVED
    assert Event.objects.filter(case=case, transition="reopen", note="The consumer called again.").exists()
    flush()
    assert Clock.objects.get(case=case, name="resolution").state() == "running"
    assert Clock.objects.get(case=case, name="first_notice").state() == "running"
    assert "request_return" in services.available_transitions(case, cast["hotline"])


def test_reopen_needs_a_reason_and_a_closed_case(make_case, cast):
    case = make_case(State.APPROVED)
    with pytest.raises(services.TransitionConflict):
        services.perform(case, "reopen", cast["hotline"], {"reason": "x"})
    closed = make_case(State.CLOSED)
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        services.perform(closed, "reopen", cast["hotline"], {"reason": ""})
