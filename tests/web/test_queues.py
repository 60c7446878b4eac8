"""Each role's queues of work it can do now: what is in them (and what is not), counts, links to the
case, and the full list paginated by keyset with a query count that does not grow with the page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from defects import queues, selectors, services
from defects.models import Shipment, State

from .helpers import text

pytestmark = pytest.mark.django_db


def _section(response, name) -> str:
    body = text(response)
    match = re.search(rf'<section class="card queue[^"]*" id="q-{name}".*?</section>', body, re.S)
    assert match, f"no queue {name} on the page"
    return match.group(0)


def _refs(html) -> set[str]:
    return set(re.findall(r"D-\d{4}-\d{6}", html))


def _count(section) -> int:
    return int(re.search(r'<span class="count">(\d+)\+?</span>', section).group(1))


def test_hotline_queues(make_case, login, hotline):
    new = make_case(State.RECEIVED)
    urgent_awaiting = make_case(State.AWAITING_RETURN, health_effect=True)  # urgent in a later stage
    plain_awaiting = make_case(State.AWAITING_RETURN)
    delivered = make_case(State.REPLACEMENT_SHIPPED)
    from tests.conftest import deliver_replacement

    deliver_replacement(delivered, hotline)
    shipped_not_delivered = make_case(State.REPLACEMENT_SHIPPED)
    now = timezone.localtime()
    due_later_today = services.log_contact(plain_awaiting, hotline, {
        "channel": "phone", "direction": "outbound", "summary": "call back this evening",
        "follow_up_due": now.replace(hour=23, minute=50), "follow_up_owner": hotline})
    services.log_contact(plain_awaiting, hotline, {
        "channel": "phone", "direction": "outbound", "summary": "call back tomorrow",
        "follow_up_due": now.replace(hour=10, minute=0) + datetime.timedelta(days=1), "follow_up_owner": hotline})
    home = login(hotline).get("/")
    assert _refs(_section(home, "new")) == {new.reference}
    assert _refs(_section(home, "urgent")) == {urgent_awaiting.reference}
    promises = _section(home, "promises")
    assert "call back this evening" in promises and "call back tomorrow" not in promises
    assert f'action="/contacts/{due_later_today.pk}/follow-up-done/"' in promises
    assert _refs(_section(home, "delivered")) == {delivered.reference}
    assert shipped_not_delivered.reference not in _section(home, "delivered")
    assert f'href="/cases/{new.reference}/"' in _section(home, "new")


def test_mailroom_sees_parcels_to_ship_and_returns_in_not_every_case_awaiting_a_return(make_case, login, mailroom):
    approved = make_case(State.APPROVED)
    awaiting = [make_case(State.AWAITING_RETURN) for _ in range(3)]
    on_its_way = awaiting[0]
    services.record_shipment_event(selectors.return_shipment(on_its_way), mailroom, "in_transit")
    home = login(mailroom).get("/")
    assert _refs(_section(home, "to_ship")) == {approved.reference}
    returns = _section(home, "returns_in")
    assert _refs(returns) == {on_its_way.reference} and _count(returns) == 1
    letters = _section(home, "letters")
    assert "/print-room/" in letters
    assert not any(c.reference in text(home) for c in awaiting[1:])


def test_factory_queues_own_plant_and_the_sent_back_report_with_the_comment(make_case, chocolate, login, cast):
    arrived = make_case(State.SAMPLE_RECEIVED)
    sent_back = make_case(State.REPORT_REVIEW)
    services.perform(sent_back, "reject_report", cast["qa_manager"], {"comment": "Explain the escape better."})
    other_plant = make_case(State.SAMPLE_RECEIVED, product=chocolate)
    from factories.models import Countermeasure

    # One action due in three days (listed), one in a month (not yet), one done (never).
    today = timezone.localdate()
    first, second = Countermeasure.objects.filter(investigation__case=sent_back).order_by("id")
    Countermeasure.objects.filter(pk=first.pk).update(due_date=today + datetime.timedelta(days=3))
    Countermeasure.objects.filter(pk=second.pk).update(due_date=today + datetime.timedelta(days=30))
    home = login(cast["qa_kyu"]).get("/")
    assert _refs(_section(home, "samples")) == {arrived.reference}
    investigations = _section(home, "investigations")
    assert _refs(investigations) == {sent_back.reference}
    assert "Explain the escape better." in investigations and 'class="sent-back"' in investigations
    countermeasures = _section(home, "countermeasures")
    assert _count(countermeasures) == 1 and first.action[:40] in countermeasures
    assert second.action[:40] not in countermeasures
    assert other_plant.reference not in text(home)


def test_factory_home_shows_no_personal_data(make_case, login, qa_kyu):
    from tests.conftest import DISTINCTIVE_CONSUMER

    make_case(State.SAMPLE_RECEIVED)
    make_case(State.INVESTIGATING)
    body = text(login(qa_kyu).get("/"))
    for value in DISTINCTIVE_CONSUMER.values():
        assert value not in body


def test_qa_manager_queues(make_case, login, qa_manager, kyu, sai):
    from factories.models import PlantCode, Product

    biscuit = Product.objects.create(code="BISCUIT-12", name="ビスケット 12枚", lot_format="YYYY.MM.DD P L")
    PlantCode.objects.create(product=biscuit, code="KY", factory=kyu)
    review = make_case(State.REPORT_REVIEW)
    urgent = make_case(State.RECEIVED, health_effect=True)
    unrouted = make_case(State.RECEIVED, product=biscuit, lot_code="2027.05.20 QQ 3")  # a plant nobody knows
    assert unrouted.factory is None
    home = login(qa_manager).get("/")
    assert _refs(_section(home, "review")) == {review.reference}
    assert _refs(_section(home, "urgent")) == {urgent.reference}
    assert _refs(_section(home, "unrouted")) == {unrouted.reference}


def test_home_shows_the_first_ten_with_the_count_and_a_link_to_the_full_list(make_case, login, hotline):
    for _ in range(12):
        make_case(State.RECEIVED)
    section = _section(login(hotline).get("/"), "new")
    assert len(_refs(section)) == 10 and _count(section) == 12
    assert 'href="/queues/new/"' in section


def test_full_list_pages_by_keyset_without_gaps_or_repeats(make_case, login, hotline, monkeypatch):
    cases = [make_case(State.RECEIVED) for _ in range(7)]
    monkeypatch.setattr(queues, "PAGE_SIZE", 3)
    client = login(hotline)
    seen, url = [], "/queues/new/"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += re.findall(r'<a class="ref" href="/cases/(D-\d{4}-\d{6})/">', text(response))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', text(response))
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == [c.reference for c in cases]  # oldest first, each once


def test_full_list_costs_the_same_queries_whatever_the_page_size(make_case, login, hotline, monkeypatch):
    for _ in range(9):
        make_case(State.RECEIVED, health_effect=True)
    client = login(hotline)
    counts = {}
    for size in (3, 8):
        monkeypatch.setattr(queues, "PAGE_SIZE", size)
        client.get("/queues/urgent/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/queues/urgent/")
        counts[size] = len(queries)
    assert counts[3] == counts[8]


def test_a_bad_cursor_shows_the_first_page(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    response = login(hotline).get("/queues/new/", {"after": "garbage~x"})
    assert response.status_code == 200 and case.reference in text(response)


@pytest.mark.parametrize("who, name", [("qa_kyu", "promises"), ("mailroom", "new"), ("hotline", "samples"),
                                       ("qa_kyu", "no-such-queue")])
def test_a_queue_of_another_role_does_not_exist(login, cast, who, name):
    assert login(cast[who]).get(f"/queues/{name}/").status_code == 404


def test_returns_in_needs_the_carrier_report(make_case, mailroom):
    case = make_case(State.AWAITING_RETURN)
    assert not queues.returns_not_scanned(mailroom).exists()
    services.record_shipment_event(selectors.return_shipment(case), mailroom, "in_transit")
    assert list(queues.returns_not_scanned(mailroom)) == [selectors.return_shipment(case)]
    services.perform(case, "receive_sample", mailroom, {"condition": "fine"})
    assert not queues.returns_not_scanned(mailroom).exists()
    assert Shipment.objects.get(pk=selectors.return_shipment(case).pk).status == Shipment.Status.RECEIVED
