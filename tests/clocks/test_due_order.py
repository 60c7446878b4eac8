"""?ordering=due pages in two keyset segments (defects.due_order): the cases with a running clock,
nearest due first, then every case without one (closed, or never clocked), newest first. Walked page
by page forwards and back on the case list page, the API and a queue, the order is the same and no
case is shown twice or lost; the queries do not grow with the page size."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects import due_order
from defects.models import DefectCase, State
from defects.views import pages
from tests.api.conftest import token_client
from tests.notifications.test_notifications import flush

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def mixed(make_case):
    """Six cases received a day apart: three with a running clock (due in another order than
    received), two closed and one whose clocks were never started (no due time)."""
    made = []
    for day, state in enumerate([State.RECEIVED, State.CLOSED, State.RECEIVED, State.RECEIVED,
                                 State.CLOSED, State.RECEIVED]):
        with time_machine.travel(datetime.datetime(2026, 11, 2 + day, 9, 0, tzinfo=TOKYO), tick=False):
            made.append(make_case(state))
    flush()
    # The closed ones' clocks have stopped (make_case sets the state directly).
    DefectCase.objects.filter(pk__in=[made[1].pk, made[4].pk, made[5].pk]).update(next_due_at=None)
    DefectCase.objects.filter(pk=made[2].pk).update(next_due_at=datetime.datetime(2026, 12, 1, tzinfo=TOKYO))
    dues = dict(DefectCase.objects.filter(next_due_at__isnull=False).values_list("pk", "next_due_at"))
    running = sorted((c for c in made if c.pk in dues), key=lambda c: (dues[c.pk], c.pk))
    rest = sorted((c for c in made if c.pk not in dues), key=lambda c: (c.received_at, c.pk), reverse=True)
    assert len(running) == 3 and len(rest) == 3
    return [c.reference for c in running + rest]


def page_refs(html):
    return list(dict.fromkeys(re.findall(r'href="/cases/(D-\d{4}-\d{6})/"', html)))


def test_the_case_list_page_walks_forwards_and_back_in_due_order(mixed, cast, client, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    client.force_login(cast["hotline"])
    seen, pages_html, url = [], [], "/cases/?ordering=due"
    while url:
        html = client.get(url).content.decode()
        pages_html.append(html)
        seen.append(page_refs(html))
        nxt = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
        url = "/cases/" + nxt.group(1).replace("&amp;", "&") if nxt else None
    assert [ref for refs in seen for ref in refs] == mixed
    assert [len(refs) for refs in seen] == [2, 2, 2]
    # Back from the last page: the pages before it, in the same order.
    back = re.search(r'href="(\?[^"]*before=[^"]+)"', pages_html[-1]).group(1).replace("&amp;", "&")
    assert page_refs(client.get("/cases/" + back).content.decode()) == seen[1]


def test_the_api_walks_forwards_and_back_in_due_order(mixed, cast):
    client = token_client(cast["hotline"])
    seen, bodies, url = [], [], "/api/cases/?ordering=due&page_size=2"
    while url:
        body = client.get(url).json()
        bodies.append(body)
        seen.append([row["reference"] for row in body["results"]])
        url = body["next"]
    assert [ref for refs in seen for ref in refs] == mixed
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None
    assert bodies[0]["count"] == 6
    assert [row["reference"] for row in client.get(bodies[-1]["previous"]).json()["results"]] == seen[1]
    assert [row["reference"] for row in client.get(bodies[1]["previous"]).json()["results"]] == seen[0]


def test_a_damaged_cursor_shows_the_first_page(mixed, cast):
    client = token_client(cast["hotline"])
    for cursor in ("nonsense", "d", "r!!", "-zz"):
        answer = client.get(f"/api/cases/?ordering=due&page_size=2&cursor={cursor}")
        assert answer.status_code == 200, cursor
        assert [row["reference"] for row in answer.json()["results"]] == mixed[:2], cursor


def test_the_new_cases_queue_pages_in_due_order(mixed, cast, client, monkeypatch):
    from defects import queues

    monkeypatch.setattr(queues, "PAGE_SIZE", 1)
    client.force_login(cast["hotline"])
    expected = [ref for ref in mixed if DefectCase.objects.get(reference=ref).state == State.RECEIVED]
    seen, url = [], "/queues/new/?ordering=due"
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r'<a class="ref" href="/cases/(D-\d{4}-\d{6})/">', html)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == expected


def test_a_save_of_the_case_keeps_the_due_time_the_clocks_wrote(mixed):
    case = DefectCase.objects.get(reference=mixed[0])
    stale = DefectCase.objects.get(pk=case.pk)
    later = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=TOKYO)
    DefectCase.objects.filter(pk=case.pk).update(next_due_at=later)  # as clocks.services.refresh_due
    stale.store = "another store"
    stale.save()
    case.refresh_from_db()
    assert case.next_due_at == later and case.store == "another store"


def test_rows_after_costs_one_query_per_segment_whatever_the_size(mixed):
    cases = DefectCase.objects.all()
    for size in (2, 5):
        with CaptureQueriesContext(connection) as captured:
            rows = due_order.rows_after(cases, None, size)
        assert len(captured) == (1 if size <= 3 else 2)
        assert [row.reference for row in rows] == mixed[:size]
