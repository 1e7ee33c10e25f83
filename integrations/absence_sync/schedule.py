"""Hours of an employee's Fortnox working-time schedule per day (`/3/scheduletimes`), cached.

Fortnox has no range read: one GET per employee and day. The answers are kept in the shared
cache, one entry per employee and month, for `SCHEDULE_CACHE_SECONDS`, so editing an absence
(or a job continuing a long one) reads only days it has not seen lately. The key includes the
connection and the moment it was made, so re-connecting (perhaps to another Fortnox company)
never reuses another company's schedule."""

from datetime import date, timedelta

from django.core.cache import cache

SCHEDULE_CACHE_SECONDS = 6 * 3600


class OutOfBudget(Exception):
    """This job has spent its share of calls; the rest continues in another job."""


def _key(connection, employee_id: str, month: str) -> str:
    stamp = connection.connected_at.timestamp() if connection.connected_at else 0
    return f"fortnox-schedule:{connection.pk}:{stamp:.0f}:{employee_id}:{month}"


def scheduled_hours(client, employee_id: str, days: list[date], budget, progress=None) -> dict[date, float]:
    """Hours per day (from the cache, else from Fortnox); `progress(n)` after each day. Raises
    `OutOfBudget` when the calls left in this job run out; what was read so far stays cached."""
    hours = {}
    for month in sorted({day.strftime("%Y-%m") for day in days}):
        key = _key(client.connection, employee_id, month)
        known = cache.get(key) or {}
        try:
            for day in (d for d in days if d.strftime("%Y-%m") == month):
                if day.isoformat() not in known:
                    budget.spend()
                    answer = client.get(f"/3/scheduletimes/{employee_id}/{day.isoformat()}")
                    known[day.isoformat()] = float(answer.get("Hours") or 0)
                hours[day] = known[day.isoformat()]
                if progress is not None:
                    progress(len(hours))
        finally:
            cache.set(key, known, SCHEDULE_CACHE_SECONDS)
    return hours


def forget(connection, employee_id: str, first: date, last: date) -> None:
    """Read these months from Fortnox again next time (after someone changed the schedule there)."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month.strftime("%Y-%m"))
        month = (month + timedelta(days=31)).replace(day=1)
    cache.delete_many([_key(connection, employee_id, month) for month in months])


def day_hours(client, employee_id: str, day: date) -> float:
    """One day's hours, for checking an absence in hours as it is registered. A cached 0 is read
    again: it is what a person gets before their Fortnox schedule is set (a new employee's 0-hour
    schedule), and the admin may have set it since."""
    key = _key(client.connection, employee_id, day.strftime("%Y-%m"))
    known = cache.get(key) or {}
    if known.get(day.isoformat()) == 0:
        del known[day.isoformat()]
        cache.set(key, known, SCHEDULE_CACHE_SECONDS)
    return scheduled_hours(client, employee_id, [day], Budget(client, 1))[day]


class Budget:
    """At most `calls` Fortnox calls (retries included) for one job."""

    def __init__(self, client, calls: int):
        self.counter = client.call_counter
        self.limit = self.counter.total + calls
        self.start = self.counter.total

    def spend(self) -> None:
        if self.counter.total >= self.limit:
            raise OutOfBudget

    @property
    def used(self) -> int:
        return self.counter.total - self.start
