"""The working-time calendar: which days are work days in Sweden.

Weekends, the public holidays and the de facto holidays (midsommarafton, julafton,
nyårsafton — the Annual Leave Act treats them like Sundays) are days off."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def days_off_in(year: int) -> frozenset[date]:
    swedish = holidays.country_holidays("SE", years=year, include_sundays=False, categories=("public", "de_facto"))
    return frozenset(swedish)


def holiday_name(day: date) -> str | None:
    swedish = holidays.country_holidays("SE", years=day.year, include_sundays=False, categories=("public", "de_facto"))
    return swedish.get(day)


def is_work_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off_in(day.year)


def work_days_between(start: date, end: date) -> int:
    """Work days from `start` to `end`, both included (0 when end is before start)."""
    count = 0
    day = start
    while day <= end:
        count += is_work_day(day)
        day += timedelta(days=1)
    return count
