"""Case numbers on PostgreSQL come from a sequence per year (issue 11 item 5: no lock shared by
concurrent intakes); they stay unique, yearly, and after every number already used."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from defects.models import DefectCase, ReferenceCounter
from defects.services import intake

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(f"sequences are PostgreSQL's (database is {connection.vendor})")


def number(case):
    return int(case.reference.rsplit("-", 1)[1])


def test_the_years_first_case_starts_after_the_counter_and_the_stored_cases(make_case):
    year = timezone.localtime().year
    assert year not in intake.last_reference_numbers()  # made in this test's transaction only
    ReferenceCounter.objects.update_or_create(year=year, defaults={"last": 41})
    first = make_case()
    assert number(first) == 42
    # A number stored without the counter (an import, seed_volume) is skipped too... once the
    # sequence exists it is the sequence that counts: sync_reference_sequences moves it on.
    intake.sync_reference_sequences({year: 100})
    second, third = make_case(), make_case()
    assert (number(second), number(third)) == (101, 102)
    assert ReferenceCounter.objects.get(year=year).last == 41  # the counter is SQLite's now
    assert intake.last_reference_numbers()[year] == 102


def test_stored_numbers_beyond_the_counter_are_not_handed_out_again(make_case):
    year = timezone.localtime().year
    first = make_case()
    # As if the sequence had never been made (another database restored): it is made again after
    # the highest number stored.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE {intake._sequence_name(year)}")
    DefectCase.objects.filter(pk=first.pk).update(reference=f"D-{year}-000777")
    assert number(make_case()) == 778


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_years_first_intakes_at_once_all_get_a_number():
    """Eight first intakes of a year at once: one makes the sequence, the others wait for it and
    use it; none fails (to_regclass() after the advisory lock read a stale catalog: 500s)."""
    year, n = 2031, 8
    barrier = threading.Barrier(n)
    numbers, errors = [], []

    def first_intake():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                numbers.append(intake._sequence_next(year))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_intake) for _ in range(n)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert sorted(numbers) == list(range(1, n + 1))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {intake._sequence_name(year)}")
