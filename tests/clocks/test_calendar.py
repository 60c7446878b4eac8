"""The hotline's calendar: business hours, public holidays (jpholiday), the company's new year."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clocks.calendar import add_business_hours, business_time_between
from clocks.models import CompanyHoliday

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


@pytest.mark.django_db
@pytest.mark.parametrize("start,due", [
    (tokyo(2026, 11, 20, 15, 0), tokyo(2026, 11, 24, 15, 0)),   # Friday; Monday 11-23 is a holiday
    (tokyo(2026, 11, 2, 16, 30), tokyo(2026, 11, 4, 16, 30)),   # Tuesday 11-03 is a holiday
    (tokyo(2026, 11, 7, 10, 0), tokyo(2026, 11, 9, 17, 0)),     # Saturday: from Monday's opening, due at closing
    (tokyo(2026, 11, 10, 20, 0), tokyo(2026, 11, 11, 17, 0)),   # after hours: from the next opening
    (tokyo(2025, 12, 26, 16, 0), tokyo(2026, 1, 5, 16, 0)),     # over the new-year closure
])
def test_eight_business_hours(start, due):
    assert add_business_hours(start, 8) == due
    assert business_time_between(start, due) == datetime.timedelta(hours=8)


@pytest.mark.django_db
def test_a_due_time_at_closing_stays_at_closing():
    assert add_business_hours(tokyo(2026, 11, 9, 9, 0), 8) == tokyo(2026, 11, 9, 17, 0)
    assert add_business_hours(tokyo(2026, 11, 9, 16, 0), 1) == tokyo(2026, 11, 9, 17, 0)


@pytest.mark.django_db
def test_company_holidays_from_the_admin_count():
    start = tokyo(2026, 11, 12, 9, 0)  # Thursday
    assert add_business_hours(start, 16) == tokyo(2026, 11, 13, 17, 0)
    CompanyHoliday.objects.create(month=11, day=13, year=2026, name="創立記念日")
    assert add_business_hours(start, 16) == tokyo(2026, 11, 16, 17, 0)


@pytest.mark.django_db
def test_time_between_counts_only_open_hours():
    assert business_time_between(tokyo(2026, 11, 20, 16, 0), tokyo(2026, 11, 24, 10, 0)) == datetime.timedelta(hours=2)
    assert business_time_between(tokyo(2026, 11, 24, 10, 0), tokyo(2026, 11, 20, 16, 0)) == datetime.timedelta(0)
