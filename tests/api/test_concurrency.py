"""Twenty clicks on the same button at once: exactly one transition happens, the rest get 409.

Only PostgreSQL shows this for real (row locks, real parallel transactions). SQLite serialises
every writer on one file lock and the test database is in memory, so there is nothing to race.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from defects.models import DefectCase, Event, State
from tests.api.conftest import case_url, token_client

WORKERS = 20


def require_postgres():
    if connection.vendor == "postgresql":
        return
    reason = f"needs PostgreSQL for real row locks (database is {connection.vendor})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the postgres-marked tests on PostgreSQL")
    pytest.skip(reason)


@pytest.mark.postgres
# serialized_rollback: a transactional test flushes the tables, and the role groups come from a
# migration; without it the cast cannot be built (and later tests would lose them too).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name,who,payload,state,after", [
    ("request_return", "hotline", {"carrier": "yamato"}, State.RECEIVED, State.AWAITING_RETURN),
    ("approve_report", "qa_manager", {"comment": "ok"}, State.REPORT_REVIEW, State.APPROVED),
])
def test_simultaneous_requests_run_a_transition_exactly_once(make_case, cast, name, who, payload, state, after):
    require_postgres()
    case = make_case(state)
    events_before = Event.objects.filter(case=case).count()
    clients = [token_client(cast[who]) for _ in range(WORKERS)]  # one client (and connection) per thread
    barrier = threading.Barrier(WORKERS)
    url = case_url(case, "transitions", name)

    def click(client):
        try:
            barrier.wait(timeout=30)
            response = client.post(url, payload, format="json")
            return response.status_code, response.json()
        finally:
            connection.close()  # each thread opened its own connection; give it back

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(click, clients))

    codes = sorted(code for code, _body in results)
    assert codes == [200] + [409] * (WORKERS - 1), results
    assert all(body["state"] == after for code, body in results if code == 409)
    case = DefectCase.objects.get(pk=case.pk)
    assert case.state == after
    # One new stage change; the winner's follow-up lines (a letter queued ...) may come with it.
    new_events = Event.objects.filter(case=case).order_by("id")[events_before:]
    assert [e.transition for e in new_events if e.kind == Event.Kind.TRANSITION] == [name]
