"""What Fortnox should hold for an absence, and the smallest set of changes that gets it there.

Pure functions over plain values (no database, no HTTP), so the rules can be read and tested on
their own:

- `day_plan`: one transaction per day on which the Fortnox working-time schedule has hours,
  `Extent` = the absence's grade, `Hours` = the scheduled hours × grade; for an absence in hours
  (one day) `Hours` = its hours and `Extent` their share of the day.
- `diff`: compares the plan with what Brygga knows it holds in Fortnox (its links) and returns
  the creates, updates and deletes for exactly the affected days.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Day:
    """One absence transaction as Fortnox keeps it (Fortnox's field names)."""

    Date: str
    CauseCode: str
    Extent: float
    Hours: float

    def document(self, employee_id: str) -> dict:
        return {"EmployeeId": employee_id, "CauseCode": self.CauseCode, "Date": self.Date,
                "Extent": self.Extent, "Hours": self.Hours}

    def values(self) -> dict:
        return {"Date": self.Date, "CauseCode": self.CauseCode, "Extent": self.Extent, "Hours": self.Hours}


@dataclass(frozen=True)
class Held:
    """A transaction Brygga created for the absence (an `ExternalLink`'s id and last values)."""

    link_id: int
    transaction_id: str
    Date: str
    CauseCode: str
    Extent: float
    Hours: float


@dataclass
class Changes:
    create: list[Day] = field(default_factory=list)
    update: list[tuple[Held, Day]] = field(default_factory=list)
    delete: list[Held] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.create) + len(self.update) + len(self.delete)


def calendar_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def day_plan(cause_code: str, grade: int, scheduled_hours: dict[date, float], hours=None) -> dict[str, Day]:
    """The transactions an absence calls for, keyed by ISO date: days with scheduled hours only.
    An absence in hours (`hours`, one day) sends them as `Hours`, with `Extent` their share of the
    day's scheduled hours (at most 100: a schedule cut since the absence was registered leaves
    Fortnox to judge the hours)."""
    if hours is not None:
        return {
            day.isoformat(): Day(Date=day.isoformat(), CauseCode=cause_code,
                                 Extent=min(100.0, round(float(hours) / scheduled * 100, 2)), Hours=float(hours))
            for day, scheduled in sorted(scheduled_hours.items()) if scheduled > 0
        }
    return {
        day.isoformat(): Day(Date=day.isoformat(), CauseCode=cause_code, Extent=float(grade),
                             Hours=round(hours * grade / 100, 2))
        for day, hours in sorted(scheduled_hours.items()) if hours > 0
    }


def diff(plan: dict[str, Day], held: list[Held]) -> Changes:
    """Creates, updates and deletes that turn `held` (Brygga's transactions under the current
    cause code) into `plan`. One held transaction per day is kept (changed if its values
    differ); any further ones on the same day are deleted, so Fortnox ends with exactly one."""
    changes = Changes()
    by_date = defaultdict(list)
    for transaction in sorted(held, key=lambda h: h.link_id):
        by_date[transaction.Date].append(transaction)
    for day_key, transactions in by_date.items():
        wanted = plan.get(day_key)
        keep, extra = (transactions[0], transactions[1:]) if wanted else (None, transactions)
        changes.delete += extra
        if keep is not None and (keep.CauseCode, keep.Extent, keep.Hours) != (wanted.CauseCode, wanted.Extent, wanted.Hours):
            changes.update.append((keep, wanted))
    changes.create = [day for key, day in plan.items() if key not in by_date]
    return changes
