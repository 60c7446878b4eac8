"""Two colleagues press "Take it" on the same case at the same moment (PostgreSQL, real row locks):
the owner ends up one of them, and the timeline tells the story in order: every owner event's "from"
is the previous event's "to", with no change lost or told twice."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from defects import roles
from defects.models import DefectCase, Event
from tests.api.conftest import case_url, token_client
from tests.api.test_concurrency import require_postgres

WORKERS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_take_it_leaves_a_consistent_owner_history(make_case, django_user_model):
    require_postgres()
    case = make_case()
    hotline = Group.objects.get(name=roles.HOTLINE)
    staff = []
    for i in range(WORKERS):
        user = django_user_model.objects.create_user(f"operator{i}", password="x")
        user.groups.add(hotline)
        staff.append(user)
    clients = [token_client(user) for user in staff]
    barrier = threading.Barrier(WORKERS)

    def take(pair):
        client, user = pair
        try:
            barrier.wait(timeout=30)
            return client.post(case_url(case, "assign"), {"owner": user.username}, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(pool.map(take, zip(clients, staff)))
    assert codes == [200] * WORKERS
    events = list(Event.objects.filter(case=case, kind=Event.Kind.OWNER).order_by("id"))
    assert len(events) == WORKERS  # each take changed the owner once, under the lock
    assert events[0].data["from"] == ""
    for before, after in zip(events, events[1:]):
        assert after.data["from"] == before.data["to"]
    assert DefectCase.objects.get(pk=case.pk).owner.username == events[-1].data["to"]
