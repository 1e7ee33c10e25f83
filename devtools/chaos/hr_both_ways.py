"""HR both ways under faults (`devtools.chaos`): linked people edited at random in Brygga (through
the `hr` actions, so changes go out through the outbox) and in Fortnox (through the sandbox's
control API: "edited in Fortnox", no token and no fault), some of one person's field on both
sides between two pulls; the scheduled pull's job runs after every batch. Afterwards the open
conflicts are resolved (alternately keeping each side) and the check is:

- 0 lost edits: a field edited on one side only holds its latest edit on both sides;
- 0 silent overwrites: no field holds anything but its latest edit or the value its resolved
  conflict kept;
- every two-sided change (one side edited while the other side's edit had not yet crossed) is
  exactly one conflict in the inbox, showing both sides as they were, and no other conflict exists.

A side's edit "has crossed" when both sides hold the same value: read from Brygga's database and
from the sandbox's own store at every edit, so the driver needs no model of the faults.
"""

import random
from dataclasses import dataclass, field

from devtools.chaos import Domain, drain
from hr import actions as hr_actions
from hr.models import Employee
from integrations.core.models import SyncRun
from integrations.hr_sync import fields as hr_fields
from integrations.hr_sync.links import link_employee
from integrations.hr_sync.models import EmployeeConflict
from integrations.hr_sync.pull import do_resolve_conflict, scheduled_pull

BRYGGA, FORTNOX = "Brygga", "Fortnox"
# Free-text fields every person has on both sides; each edit writes a value no one had before.
EDITED = {
    "phone": lambda number, side: f"+4670{'2' if side == BRYGGA else '3'}{number:06d}",
    "family_name": lambda number, side: f"{side} {number}",
    "job_title": lambda number, side: f"{side[0]}-titel {number}",
}


@dataclass
class FieldHistory:
    """One person's field: the edits in order (side, value), whose edit has not crossed yet, and
    whether one side was edited while the other's edit was still on its way."""

    edits: list = field(default_factory=list)
    waiting: set = field(default_factory=set)
    two_sided: bool = False


class HrBothWaysChaos(Domain):
    """`size` people linked on both sides; each step edits one person's field on one side, or
    (`both_rate` of the steps) on both."""

    def __init__(self, organization, control, company: dict, *, size: int = 100, both_rate: float = 0.3):
        self.organization, self.control, self.company = organization, control, company
        self.size, self.both_rate = size, both_rate
        self.histories: dict[tuple[int, str], FieldHistory] = {}
        self.kept: dict[tuple[int, str], object] = {}
        self.pulls: list[str] = []
        self.conflicts_seen: list[EmployeeConflict] = []
        self.shown_wrong: list[str] = []
        self.figures: dict[str, int] = {}

    def prepare(self, fortnox_client) -> None:
        """People created on both sides holding the same values and linked, as a synchronisation
        leaves them (made in Fortnox through the control API: arranging, not under test)."""
        for number in range(self.size):
            person = Employee.objects.create(
                organization=self.organization, given_name="Båda", family_name=f"Håll {number}",
                email=f"bada{number}@both.test", employment_id=f"{8000 + number}", phone=f"+4670100{number:04d}",
                job_title="Lagerarbetare")
            agreed = hr_fields.employee_values(person)
            status, answer = self._in_fortnox("POST", "3/employees",
                                              {"Employee": hr_fields.fortnox_document(agreed, creating=True)})
            if status != 201:
                raise RuntimeError(f"the sandbox did not create {person.employment_id}: {status} {answer}")
            link_employee(person, person.employment_id, agreed)
        self.people = list(Employee.objects.for_organization(self.organization).filter(
            employment_id__startswith="8").order_by("pk").values_list("pk", flat=True))

    # --- the steps -------------------------------------------------------------------------

    def step(self, rng: random.Random, number: int) -> str:
        person = Employee.objects.get(pk=rng.choice(self.people))
        name = rng.choice(sorted(EDITED))
        sides = rng.sample([BRYGGA, FORTNOX], 2) if rng.random() < self.both_rate else [rng.choice([BRYGGA, FORTNOX])]
        for side in sides:
            self._edit(person, name, side, EDITED[name](number, side))
        return f"{name} of {person.employment_id} in {' then '.join(sides)}"

    def _edit(self, person, name: str, side: str, value) -> None:
        history = self.histories.setdefault((person.pk, name), FieldHistory())
        if self._brygga_value(person.pk, name) == self._fortnox_value(person.employment_id, name):
            history.waiting.clear()
        if history.waiting - {side}:
            history.two_sided = True
        history.waiting.add(side)
        history.edits.append((side, value))
        if side == BRYGGA:
            hr_actions.do_update_employee(Employee.objects.get(pk=person.pk), hr_fields.employee_changes({name: value}),
                                          acting_user=None)
        else:
            status, answer = self._in_fortnox("PUT", f"3/employees/{person.employment_id}",
                                              {"Employee": hr_fields.fortnox_document({name: value})})
            if status != 200:
                raise RuntimeError(f"Fortnox refused the edit of {person.employment_id}: {status} {answer}")

    def after_batch(self) -> None:
        """The schedule's job (`scheduled_pull`), under the batch's faults."""
        run_id = scheduled_pull(self.organization.pk)
        self.pulls.append(SyncRun.objects.get(pk=run_id).status if run_id else "skipped")

    def settle(self) -> None:
        """With the faults off: one pull to find what is still to find, then every open conflict
        resolved (alternately keeping Brygga's and Fortnox's value), pushed and read again."""
        scheduled_pull(self.organization.pk)
        self.conflicts_seen = list(EmployeeConflict.objects.for_organization(self.organization).order_by("pk"))
        for index, conflict in enumerate(EmployeeConflict.objects.for_organization(self.organization).open().order_by("pk")
                                         .select_related("employee")):
            now = (self._brygga_value(conflict.employee_id, conflict.field),
                   self._fortnox_value(conflict.employee.employment_id, conflict.field))
            if (conflict.brygga_value, conflict.fortnox_value) != now:
                self.shown_wrong.append(f"conflict {conflict} shows {conflict.brygga_value!r} / {conflict.fortnox_value!r}, "
                                        f"the sides hold {now[0]!r} / {now[1]!r}")
            keep = EmployeeConflict.BRYGGA if index % 2 == 0 else EmployeeConflict.FORTNOX
            self.kept[conflict.employee_id, conflict.field] = now[0] if keep == EmployeeConflict.BRYGGA else now[1]
            do_resolve_conflict(conflict, keep, acting_user=None)
        drain(self.organization)
        scheduled_pull(self.organization.pk)

    # --- the check -------------------------------------------------------------------------

    def disagreements(self) -> list[str]:
        problems = list(self.shown_wrong)
        conflicts: dict[tuple[int, str], int] = {}
        for conflict in self.conflicts_seen:
            conflicts[conflict.employee_id, conflict.field] = conflicts.get((conflict.employee_id, conflict.field), 0) + 1
        ids = dict(Employee.objects.filter(pk__in=self.people).values_list("pk", "employment_id"))
        lost = overwritten = missing = extra = 0
        for (pk, name), history in sorted(self.histories.items()):
            found = conflicts.pop((pk, name), 0)
            if history.two_sided and found != 1:
                missing += 1
                problems.append(f"{ids[pk]} {name}: changed on both sides, {found} conflicts (edits {history.edits})")
            elif not history.two_sided and found:
                extra += 1
                problems.append(f"{ids[pk]} {name}: a conflict though only one side's edit was on its way "
                                f"(edits {history.edits})")
            expected = self.kept.get((pk, name), history.edits[-1][1])
            earlier = {value for _side, value in history.edits[:-1]}
            for side, held in ((BRYGGA, self._brygga_value(pk, name)), (FORTNOX, self._fortnox_value(ids[pk], name))):
                if held == expected:
                    continue
                if held in earlier or (pk, name) in self.kept:
                    overwritten += 1
                    problems.append(f"{ids[pk]} {name}: {side} holds {held!r}, an overwritten value, not {expected!r} "
                                    f"(edits {history.edits})")
                else:
                    lost += 1
                    problems.append(f"{ids[pk]} {name}: {side} holds {held!r}, the edit {expected!r} was lost "
                                    f"(edits {history.edits})")
        extra += len(conflicts)
        problems += [f"{ids.get(pk, pk)} {name}: a conflict on a field no one edited" for pk, name in conflicts]
        self.figures = {
            "edits": sum(len(h.edits) for h in self.histories.values()),
            "two_sided": sum(h.two_sided for h in self.histories.values()),
            "conflicts": len(self.conflicts_seen), "lost": lost, "overwritten": overwritten,
            "missing_conflicts": missing, "extra_conflicts": extra, "pulls_failed": self.pulls.count(SyncRun.Status.FAILED),
        }
        return problems

    def _brygga_value(self, pk: int, name: str):
        return hr_fields.BY_NAME[name].from_employee(Employee.objects.get(pk=pk))

    def _fortnox_value(self, employment_id: str, name: str):
        status, answer = self._in_fortnox("GET", f"3/employees/{employment_id}")
        return hr_fields.BY_NAME[name].from_fortnox(answer["Employee"]) if status == 200 else None

    def _in_fortnox(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        answer = self.control.in_fortnox(self.company["database_number"], method, path, body)
        return answer["status"], answer["body"]
