"""The hotline's business calendar: open hours on working days, closed on Japanese public holidays
(jpholiday, substitute holidays included) and on company holidays (admin; every Dec 29 - Jan 3 by
default). Service targets are counted in these hours.

    add_business_hours(instant, hours)   # a start outside hours starts at the next opening;
                                         # a due time exactly at closing stays at closing
    business_time_between(a, b)          # the open time inside [a, b]
"""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import jpholiday
from django.conf import settings

DAY = datetime.timedelta(days=1)


def _time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def opening() -> datetime.time:
    return _time(getattr(settings, "HITOTSUBU_HOTLINE_OPENS", "09:00"))


def closing() -> datetime.time:
    return _time(getattr(settings, "HITOTSUBU_HOTLINE_CLOSES", "17:00"))


def working_weekdays() -> frozenset[int]:
    return frozenset(int(d) for d in str(getattr(settings, "HITOTSUBU_HOTLINE_WEEKDAYS", "0,1,2,3,4")).split(","))


class Calendar:
    """One read of the company holidays for a whole computation (no query per day)."""

    def __init__(self):
        from .models import CompanyHoliday

        self.every_year = set()
        self.dated = set()
        for month, day, year in CompanyHoliday.objects.values_list("month", "day", "year"):
            if year:
                self.dated.add(datetime.date(year, month, day))
            else:
                self.every_year.add((month, day))
        self.tz, self.opens, self.closes, self.weekdays = zone(), opening(), closing(), working_weekdays()

    def is_open_day(self, day: datetime.date) -> bool:
        return (day.weekday() in self.weekdays and not _public_holiday(day)
                and (day.month, day.day) not in self.every_year and day not in self.dated)

    def window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        return (datetime.datetime.combine(day, self.opens, tzinfo=self.tz),
                datetime.datetime.combine(day, self.closes, tzinfo=self.tz))

    def add(self, instant: datetime.datetime, hours: float) -> datetime.datetime:
        remaining = datetime.timedelta(hours=hours)
        t = instant.astimezone(self.tz)
        for _ in range(3700):  # ten years of days: a target that long is a configuration error
            day = t.date()
            if self.is_open_day(day):
                opens, closes = self.window(day)
                t = max(t, opens)
                if t <= closes:
                    available = closes - t
                    if remaining <= available:
                        return t + remaining
                    remaining -= available
            t = datetime.datetime.combine(day + DAY, datetime.time(0), tzinfo=self.tz)
        raise ValueError("No business hours found within ten years.")

    def between(self, a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
        if b <= a:
            return datetime.timedelta(0)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = datetime.timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_open_day(day):
                opens, closes = self.window(day)
                start, end = max(a, opens), min(b, closes)
                if end > start:
                    total += end - start
            day += DAY
        return total


@lru_cache(maxsize=4096)
def _public_holiday(day: datetime.date) -> bool:
    return jpholiday.is_holiday(day)


def add_business_hours(instant: datetime.datetime, hours: float) -> datetime.datetime:
    return Calendar().add(instant, hours)


def business_time_between(a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
    return Calendar().between(a, b)


class WallClock:
    """Day and night, every day: for targets counted in real hours (a safety review is decided within
    two hours at 3 a.m. on a holiday too). The same interface as Calendar."""

    def add(self, instant: datetime.datetime, hours: float) -> datetime.datetime:
        return instant + datetime.timedelta(hours=hours)

    def between(self, a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
        return max(b - a, datetime.timedelta(0))
