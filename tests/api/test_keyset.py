"""Every list O(page size): cursor pages, capped counts, exact references by index, no query per row."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects import keyset
from defects.models import DefectCase, Shipment, State

SEEDED = 120


@pytest.fixture
def volume(cast):
    call_command("seed_volume", cases=SEEDED, years=1, seed=7, verbosity=0)


def test_the_cursor_walks_every_case_once_newest_first(api, volume):
    client = api("hotline")
    seen, url = [], "/api/cases/?page_size=50"
    while url:
        page = client.get(url).json()
        assert page["count"] == SEEDED and page["count_capped"] is False
        seen += [c["reference"] for c in page["results"]]
        url = page["next"]
    expected = list(DefectCase.objects.order_by("-received_at", "-id").values_list("reference", flat=True))
    assert seen == expected


def test_a_filtered_cursor_walk_keeps_the_filter(api, volume):
    client = api("hotline")
    seen, url = [], "/api/cases/?page_size=7&state=closed"
    while url:
        page = client.get(url).json()
        seen += [c["reference"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(DefectCase.objects.filter(state=State.CLOSED).values_list("reference", flat=True))


def test_the_count_is_capped(api, volume, monkeypatch):
    monkeypatch.setattr(keyset.capped_count, "__defaults__", (50,))
    page = api("hotline").get("/api/cases/").json()
    assert (page["count"], page["count_capped"]) == (50, True)


@pytest.mark.parametrize("who", ["hotline", "qa_manager"])
def test_the_same_queries_at_page_size_10_and_50(api, volume, who):
    client = api(who)
    client.get("/api/cases/?page_size=10")  # warm up
    counts = []
    for size in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/cases/?page_size={size}").json()
        assert len(body["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_exact_reference_or_return_reference_finds_its_case(api, volume):
    client = api("hotline")
    case = DefectCase.objects.filter(shipments__direction="return").order_by("id").first()
    return_reference = Shipment.objects.get(case=case, direction="return").reference
    for q in (case.reference, case.reference.lower().replace("-", " "), return_reference.lower()):
        found = client.get("/api/cases/", {"q": q}).json()
        assert [c["reference"] for c in found["results"]] == [case.reference], q
