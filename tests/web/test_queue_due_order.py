"""The role queues sort by the nearest due time too (?ordering=due), as the case list does: on the
queue page (a sort switch, keyset pages that carry the ordering, a query count that does not grow
with the page) and on home (the queues of cases, with the 'see all' links keeping the ordering)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects import queues, services
from defects.models import State
from tests.notifications.test_notifications import flush

from .helpers import text

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def refs(response):
    return re.findall(r'<a class="ref" href="/cases/(D-\d{4}-\d{6})/">', text(response))


@pytest.fixture
def three_new_cases(make_case, cast):
    """Received a, b, c in that order; due b (urgent: 2 h), a (8 h), c (first notice sent: only the
    80-hour resolution clock runs)."""
    with time_machine.travel(tokyo(2026, 11, 9, 9, 0), tick=False):  # Monday
        a = make_case(State.RECEIVED)
    with time_machine.travel(tokyo(2026, 11, 9, 10, 0), tick=False):
        b = make_case(State.RECEIVED, health_effect=True)
    with time_machine.travel(tokyo(2026, 11, 9, 11, 0), tick=False):
        c = make_case(State.RECEIVED)
        services.log_contact(c, cast["hotline"], {"channel": "phone", "direction": "outbound",
                                                  "summary": "Called to apologise."})
    flush()
    return a, b, c


def test_queue_page_sorts_by_the_nearest_due_time_and_pages_by_keyset(three_new_cases, login, cast, monkeypatch):
    a, b, c = three_new_cases
    client = login(cast["hotline"])
    assert refs(client.get("/queues/new/")) == [a.reference, b.reference, c.reference]
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    seen, url = [], "/queues/new/?ordering=due"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += refs(response)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', text(response))
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert url is None or "ordering=due" in url
    assert seen == [b.reference, a.reference, c.reference]


def test_queue_page_shows_the_sort_switch_and_the_due_time(three_new_cases, login_en, cast):
    a, b, c = three_new_cases
    client = login_en(cast["hotline"])
    plain = text(client.get("/queues/new/"))
    assert 'href="/queues/new/?ordering=due"' in plain and "Oldest first." in plain
    due = text(client.get("/queues/new/?ordering=due"))
    assert 'href="/queues/new/"' in due and "Nearest due time first." in due
    assert "Due 2026-11-09 12:00" in due  # b's first notice, from the annotation


def test_queue_by_due_costs_the_same_queries_whatever_the_page_size(make_case, login, cast, monkeypatch):
    for _ in range(9):
        make_case(State.RECEIVED, health_effect=True)
    flush()
    client = login(cast["hotline"])
    counts = {}
    for size in (3, 8):
        monkeypatch.setattr(queues, "PAGE_SIZE", size)
        client.get("/queues/urgent/?ordering=due")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/queues/urgent/?ordering=due")
        assert len(refs(response)) == size
        counts[size] = len(queries)
    assert counts[3] == counts[8]


def test_home_sorts_its_queues_of_cases_by_due_and_keeps_it_in_the_links(three_new_cases, login, cast):
    a, b, c = three_new_cases
    client = login(cast["hotline"])
    home = client.get("/")
    section = re.search(r'<section class="card queue[^"]*" id="q-new".*?</section>', text(home), re.S).group(0)
    assert refs_in(section) == [a.reference, b.reference, c.reference]
    assert 'href="/?ordering=due"' in text(home)
    home = client.get("/?ordering=due")
    section = re.search(r'<section class="card queue[^"]*" id="q-new".*?</section>', text(home), re.S).group(0)
    assert refs_in(section) == [b.reference, a.reference, c.reference]
    assert 'href="/queues/new/?ordering=due"' in section
    # A queue that is not of cases keeps its own (due) order and its plain link.
    promises = re.search(r'<section class="card queue[^"]*" id="q-promises".*?</section>', text(home), re.S)
    assert promises and "ordering=due" not in promises.group(0)


def refs_in(html):
    return re.findall(r'<a class="ref" href="/cases/(D-\d{4}-\d{6})/">', html)


def test_queues_without_a_due_ordering_ignore_it(make_case, login, cast):
    make_case(State.APPROVED)
    client = login(cast["qa_kyu"])
    page = client.get("/queues/countermeasures/?ordering=due")
    assert page.status_code == 200 and "ordering=due" not in text(page)
    hotline = login(cast["hotline"])
    assert hotline.get("/queues/new/?ordering=nonsense").status_code == 200
