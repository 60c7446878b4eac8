"""A consumer who never sends the product back: the case must not wait in silence."""

import datetime

from django.utils import timezone

from defects import followups, services
from defects.models import Event, Shipment, State
from tests.conftest import PASSWORD


def late(case, days=1):
    kit = case.shipments.get(direction=Shipment.Direction.RETURN)
    Shipment.objects.filter(pk=kit.pk).update(expected_by=timezone.localdate() - datetime.timedelta(days=days))
    return kit


def flags(case):
    return case.events.filter(kind=Event.Kind.NOTE, data__has_key=followups.OVERDUE_RETURN_KEY)


def test_a_late_return_is_flagged_once_on_the_timeline(make_case):
    case = make_case(State.AWAITING_RETURN)
    on_time = make_case(State.AWAITING_RETURN)
    kit = late(case)
    assert [e.case for e in followups.flag_overdue_returns()] == [case]
    assert followups.flag_overdue_returns() == []  # a second sweep writes nothing
    note = flags(case).get()
    assert kit.reference in note.note and note.actor is None and note.data["return_reference"] == kit.reference
    assert not flags(on_time).exists()


def test_an_arrived_or_abandoned_return_is_not_flagged(make_case, cast):
    arrived = make_case(State.SAMPLE_RECEIVED)
    late(arrived)
    without = make_case(State.AWAITING_RETURN)
    late(without)
    services.perform(without, "investigate_without_sample", cast["hotline"], {"reason": "consumer ate the rest"})
    assert followups.flag_overdue_returns() == []


def test_the_hotline_home_lists_late_returns_and_factory_users_do_not_see_them(client, make_case, cast):
    case = make_case(State.AWAITING_RETURN)
    kit = late(case, days=3)
    assert client.login(username="hotline", password=PASSWORD)
    page = client.get("/").content.decode()
    assert case.reference in page and kit.reference in page
    client.logout()
    assert client.login(username="qa_kyu", password=PASSWORD)
    assert kit.reference not in client.get("/").content.decode()


def test_the_sweep_task_returns_how_many_it_flagged(make_case):
    from defects.tasks import sweep_overdue_returns

    late(make_case(State.AWAITING_RETURN))
    assert sweep_overdue_returns.apply().get() == 1
    assert sweep_overdue_returns.apply().get() == 0


def test_a_late_return_of_a_withdrawn_case_is_settled_once_and_never_read_again(make_case, cast):
    from defects import services
    from defects.models import Shipment

    case = make_case(State.AWAITING_RETURN)
    Shipment.objects.filter(case=case).update(expected_by=timezone.localdate() - datetime.timedelta(days=3))
    services.withdraw(case, cast["hotline"], "お客様のご都合")
    assert followups.flag_overdue_returns() == []  # nobody waits for it: no note
    assert Shipment.objects.get(case=case, direction="return").overdue_flagged_at is not None
    assert not followups._unflagged_late_returns().exists()  # the next sweeps read nothing
