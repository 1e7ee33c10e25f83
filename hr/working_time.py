"""How many hours a person is scheduled to work on a day: the limit of an absence in hours.

`hr` knows no payroll system: a system that keeps working-time schedules (Fortnox) registers a
`Schedules` source when it loads, and answers for the people it knows. For everyone else
Brygga's own work-day calendar (`hr.calendar`) counts: `FULL_DAY_HOURS` on a work day (the eves
included, as Fortnox's schedules count them), none on weekends and public holidays."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from . import calendar

FULL_DAY_HOURS = Decimal("8")
CALENDAR = _("Brygga's work-day calendar: 8 hours on weekdays that are not public holidays")


@dataclass(frozen=True)
class ScheduledDay:
    hours: Decimal
    source: object  # where the hours come from, in words (a lazy text)


class Schedules(Protocol):
    def day_of(self, employee, day: date) -> ScheduledDay | None:
        """The day's hours in this system's schedule for `employee`; None when it has none for them
        (not linked, not connected, or not reachable now)."""


SOURCES: list[Schedules] = []


def register(source: Schedules) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def scheduled_day(employee, day: date) -> ScheduledDay:
    for source in SOURCES:
        found = source.day_of(employee, day)
        if found is not None:
            return found
    return ScheduledDay(FULL_DAY_HOURS if calendar.is_work_day(day) else Decimal(0), CALENDAR)


class ScheduleList(Protocol):
    def schedule_codes(self, organization) -> list[str]:
        """The working-time schedule codes this system knows for the organization (may be empty)."""


SCHEDULE_LISTS: list[ScheduleList] = []


def register_schedule_list(source: ScheduleList) -> None:
    if source not in SCHEDULE_LISTS:
        SCHEDULE_LISTS.append(source)


def schedule_codes(organization) -> list[str]:
    """What the employee form offers for the schedule: the codes of every registered system."""
    return sorted({code for source in SCHEDULE_LISTS for code in source.schedule_codes(organization) if code})
