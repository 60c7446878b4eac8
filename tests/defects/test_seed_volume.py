"""seed_volume: realistic cases in volume, consistent with what the services would have written."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from defects.models import Consumer, Contact, DefectCase, Event, ReferenceCounter, Shipment, State
from factories.models import Factory, Investigation
from letters.models import Letter

pytestmark = pytest.mark.django_db


def test_seed_volume_writes_cases_with_their_timeline_parcels_and_letters(cast):
    call_command("seed_volume", cases=400, years=2, chunk=150, seed=3, verbosity=0)
    assert DefectCase.objects.count() == 400
    assert Factory.objects.count() == 5
    assert Consumer.objects.count() == 400
    states = dict(DefectCase.objects.values_list("state").annotate(n=Count("id")))
    # Most of a file several years deep is closed; the young cases are spread over the open states.
    assert states[State.CLOSED] > 0.7 * 400
    assert {State.RECEIVED, State.AWAITING_RETURN, State.INVESTIGATING} & set(states)
    # Every case starts its timeline with 'created' and has its transitions in order.
    assert Event.objects.filter(kind="created").count() == 400
    per_case = Event.objects.count() / 400
    assert 4 <= per_case <= 12
    closed = DefectCase.objects.filter(state=State.CLOSED).first()
    path = list(closed.events.filter(kind="transition").order_by("at", "id").values_list("to_state", flat=True))
    assert path[-1] == State.CLOSED and closed.closed_at is not None
    assert Letter.objects.filter(case=closed, kind="apology_letter", status="mailed").exists()
    assert Shipment.objects.filter(case=closed, direction="replacement", status="delivered").exists()
    assert Investigation.objects.filter(case=closed).exists()
    # Some promises are still open and late: the follow-up sweep has work.
    assert Contact.objects.filter(follow_up_due__isnull=False, follow_up_done_at__isnull=True).exists()
    # References are unique, per year, and the counters are ahead of them: the next intake gets a new one.
    refs = list(DefectCase.objects.values_list("reference", flat=True))
    assert len(set(refs)) == 400
    for counter in ReferenceCounter.objects.all():
        used = DefectCase.objects.filter(reference__startswith=f"D-{counter.year}-").count()
        assert counter.last >= used
    # Consumers look like people: a Japanese name with an ideographic space, kana, a 7-digit postal code.
    consumer = Consumer.objects.first()
    assert "\u3000" in consumer.name and consumer.name_kana and len(consumer.postal_code) == 7


def test_a_case_opened_after_seeding_gets_a_fresh_reference(cast, make_case):
    call_command("seed_volume", cases=50, years=1, verbosity=0)
    before = set(DefectCase.objects.values_list("reference", flat=True))
    case = make_case(State.RECEIVED)
    assert case.reference not in before


def test_seed_volume_refuses_nonsense():
    with pytest.raises(CommandError):
        call_command("seed_volume", cases=0, verbosity=0)


def test_sweeps_with_nothing_due_cost_the_same_over_years_of_closed_cases(cast):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from defects import followups

    # Nothing due in the past: the sweeps read their partial indexes and find nothing, in a fixed
    # number of queries however many closed cases (and their timelines) lie behind.
    long_ago = datetime.date(2000, 1, 1)
    call_command("seed_volume", cases=300, years=3, seed=5, verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        assert followups.flag_overdue_returns(today=long_ago) == []
        assert followups.flag_overdue_follow_ups(now=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)) == []
    assert len(queries) == 2
    # The late-return sweep reads the parcels' flag column, never the timeline.
    assert "defects_event" not in queries.captured_queries[0]["sql"]


def test_the_late_return_sweep_flags_each_parcel_once_by_its_column(cast):
    from defects import followups

    call_command("seed_volume", cases=300, years=1, seed=5, verbosity=0)
    late = list(followups.overdue_returns())
    assert late, "the seeded data has late returns"
    written = followups.flag_overdue_returns()
    assert len(written) == len(late)
    assert all(s.overdue_flagged_at for s in Shipment.objects.filter(pk__in=[s.pk for s in late]))
    assert followups.flag_overdue_returns() == []
    assert list(followups.overdue_returns()) == []
