"""The working-time calendar: which days are work days in Sweden, counted the way Fortnox's
working-time schedules count them, so that an absence's days in Brygga are the days Fortnox gets.

Weekends and the public holidays are days off. The eves (midsommarafton, julafton, nyårsafton)
are not: Fortnox's schedules give them a full day's hours, and an absence on them is a
transaction there (a company that closes on them sets that in its Fortnox schedule)."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int):
    return holidays.country_holidays("SE", years=year, include_sundays=False, categories=("public",))


def days_off_in(year: int) -> frozenset[date]:
    return frozenset(_public_holidays(year))


def holiday_name(day: date) -> str | None:
    return _public_holidays(day.year).get(day)


def is_work_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off_in(day.year)


def work_days_between(start: date, end: date) -> int:
    """Work days from `start` to `end`, both included (0 when end is before start). Counts by
    offset from `start`, so a period ending on the last day `date` holds never steps past it."""
    return sum(is_work_day(start + timedelta(days=offset)) for offset in range((end - start).days + 1))
