"""The absence domain of a chaos run (`devtools.chaos`): absences registered, approved,
rejected, moved, re-graded, re-typed, cancelled and deleted at random while the sandbox injects
faults, then a day-by-day check that Fortnox holds exactly the transactions the approved
absences call for. Also the set-up both this and the absence benchmarks need."""

import random
from collections import Counter
from datetime import date, timedelta

import holidays
from django.utils import timezone

from devtools.chaos import Domain, explained_objects
from hr import actions as hr_actions
from hr.models import Absence, AbsenceStatus, AbsenceType, Employee
from integrations.absence_sync.plan import calendar_days
from integrations.absence_sync.state import EMPLOYEE_LINK, LINK_KIND, cause_codes
from integrations.core.models import ExternalLink
from integrations.hr_sync.apply import create_in_fortnox
from integrations.hr_sync.fields import RECOMMENDED_CAUSE_CODES
from integrations.hr_sync.models import HrIntegrationSettings
from integrations.hr_sync.setup import do_save_hr_settings, do_save_mapping
from organizations.models import Membership, User
from organizations.permissions import Role

DO_NOT_TRANSFER = "other"  # mapped to "Do not transfer": never reaches Fortnox
HEL_HOURS = 8


def hr_admin(organization) -> User:
    """The HR admin who registers and edits the absences (made on first use)."""
    user, _created = User.objects.get_or_create(email=f"hr-{organization.pk}@absences.test")
    Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": Role.HR_ADMIN})
    return user


def link_new_employee(client, organization, employee_id: str, given_name: str, family_name: str) -> Employee:
    """A person in Brygga, created in Fortnox through the product's client and linked, on the
    full-time schedule (HEL, 8 h Monday–Friday)."""
    person = Employee.objects.create(organization=organization, given_name=given_name, family_name=family_name,
                                     email=f"{given_name.lower()}.{employee_id}@absences.test", employment_id=employee_id)
    create_in_fortnox(client, person)
    client.put(f"/3/employees/{employee_id}", {"Employee": {"ScheduleId": "HEL"}})
    return person


def transfer_absences(organization) -> None:
    """The default absence types mapped to the recommended cause codes ("other" to "Do not
    transfer"), "Create absence in Fortnox" on and the integration activated, as an admin
    would leave the set-up wizard. Keeps the organization's other HR settings."""
    AbsenceType.objects.ensure_defaults(organization)
    settings = HrIntegrationSettings.get_or_create_for(organization)
    do_save_hr_settings(settings, create_absences=True, create_employees=settings.create_employees)
    do_save_mapping(settings, {
        absence_type: "" if absence_type.code == DO_NOT_TRANSFER else RECOMMENDED_CAUSE_CODES.get(absence_type.code, "")
        for absence_type in AbsenceType.objects.for_organization(organization)
    })
    if settings.activated_at is None:
        settings.activated_at = timezone.now()
        settings.save(update_fields=["activated_at"])


def expected_days(start: date, end: date, grade: int) -> list[tuple]:
    """(Date, Extent, Hours) Fortnox should hold on the HEL schedule: 8 h × grade on weekdays
    that are not public holidays (the sandbox's HEL; computed here, not by the product's rules)."""
    return [(day.isoformat(), float(grade), round(HEL_HOURS * grade / 100, 2))
            for day in calendar_days(start, end) if day.weekday() < 5 and day not in holidays.Sweden(years=day.year)]


def held_by_fortnox(control, company: dict) -> list[dict]:
    """The absence transactions in the sandbox's record store (its truth, not the API)."""
    return [record["document"] for record in control.records(company, "absencetransactions")]


class AbsenceChaos(Domain):
    """Absence changes of a few linked full-time employees within three weeks around Easter
    (Good Friday, Easter Monday and weekends), made by an HR admin through `hr.actions`; and
    once, first, an absence reaching into Fortnox's locked salary period (a permanent failure
    that must land in the error log)."""

    EMPLOYEES = (("8801", "Astrid"), ("8802", "Bengt"), ("8803", "Cecilia"), ("8804", "Dragan"))
    WINDOW = (date(2026, 3, 30), date(2026, 4, 19))
    LOCKED_UNTIL = date(2026, 3, 25)
    LOCKED_ABSENCE = (date(2026, 3, 23), date(2026, 3, 27))  # three days locked, two open
    TYPES = ("sick_leave", "vacation", "care_of_child", "parental_leave", DO_NOT_TRANSFER)
    GRADES = (25, 50, 75, 100)
    ACTIONS = ("register", "register", "request", "decide", "dates", "grade", "grade", "type", "type", "cancel", "delete")

    def __init__(self, organization, control, company: dict):
        self.organization, self.control, self.company = organization, control, company
        self.locked_done = False
        self.admin = None  # the HR admin who makes the changes (from `prepare`)

    def prepare(self, fortnox_client) -> None:
        for employee_id, name in self.EMPLOYEES:
            link_new_employee(fortnox_client, self.organization, employee_id, name, "Frånvarosson")
        transfer_absences(self.organization)
        self.admin = hr_admin(self.organization)
        self.control.update_company(self.company, locked_salary_until=self.LOCKED_UNTIL.isoformat())

    # --- steps -----------------------------------------------------------------------------------
    def _employees(self) -> list[Employee]:
        ids = [employee_id for employee_id, _name in self.EMPLOYEES]
        return list(Employee.objects.for_organization(self.organization).filter(employment_id__in=ids).order_by("pk"))

    def _absences(self, employee, *statuses):
        """The employee's absences in the window (never the locked one), oldest first."""
        absences = Absence.objects.with_related().filter(employee=employee, start_date__gte=self.WINDOW[0]).order_by("pk")
        return list(absences.filter(status__in=statuses) if statuses else absences)

    def _type(self, rng, other_than=None):
        codes = [code for code in self.TYPES if code != other_than]
        return AbsenceType.objects.get(organization=self.organization, code=rng.choice(codes))

    def _free_period(self, rng, employee, moving=None) -> tuple[date, date] | None:
        """Up to a week of days in the window that no other standing absence of the employee holds."""
        others = Absence.objects.filter(employee=employee).standing().exclude(pk=getattr(moving, "pk", None))
        taken = {day for absence in others for day in calendar_days(absence.start_date, absence.end_date)}
        first, last = self.WINDOW
        free = [day for day in calendar_days(first, last) if day not in taken]
        if not free:
            return None
        start = end = rng.choice(free)
        for _ in range(rng.randrange(7)):
            if end + timedelta(days=1) > last or end + timedelta(days=1) in taken:
                break
            end += timedelta(days=1)
        return start, end

    def _register(self, rng, employee, *, approved=True) -> str:
        period = self._free_period(rng, employee)
        if period is None:
            return f"no free days for {employee.employment_id}"
        absence = hr_actions.do_register_absence(employee, {
            "absence_type": self._type(rng), "start_date": period[0], "end_date": period[1],
            "grade": rng.choice(self.GRADES), "note": ""}, acting_user=self.admin, approved=approved)
        return f"{'register' if approved else 'request'} {absence.absence_type.code} {self._period(absence)}"

    @staticmethod
    def _period(absence) -> str:
        return f"{absence.employee.employment_id} {absence.start_date:%m-%d}–{absence.end_date:%m-%d} {absence.grade} %"

    def step(self, rng: random.Random, number: int) -> str:
        if not self.locked_done:
            self.locked_done = True
            employee = self._employees()[0]
            hr_actions.do_register_absence(employee, {
                "absence_type": AbsenceType.objects.get(organization=self.organization, code="vacation"),
                "start_date": self.LOCKED_ABSENCE[0], "end_date": self.LOCKED_ABSENCE[1], "grade": 100, "note": "",
            }, acting_user=self.admin)
            return f"register vacation of {employee.employment_id} in the locked salary period"
        employee = rng.choice(self._employees())
        action = rng.choice(self.ACTIONS)
        standing = self._absences(employee, AbsenceStatus.APPROVED, AbsenceStatus.REQUESTED)
        requested = self._absences(employee, AbsenceStatus.REQUESTED)
        if action == "request" or (action == "decide" and not requested):
            return self._register(rng, employee, approved=False)
        if action == "register" or not standing:
            return self._register(rng, employee)
        if action == "decide":
            absence, approve = rng.choice(requested), rng.random() < 0.7
            (hr_actions.do_approve_absence if approve else hr_actions.do_reject_absence)(absence, acting_user=self.admin)
            return f"{'approve' if approve else 'reject'} {self._period(absence)}"
        if action == "delete":
            absence = rng.choice(self._absences(employee))
            hr_actions.do_delete_absence(absence, acting_user=self.admin)
            return f"delete {absence.get_status_display().lower()} {self._period(absence)}"
        absence = rng.choice(standing)
        if action == "cancel":
            hr_actions.do_cancel_absence(absence, acting_user=self.admin)
            return f"cancel {self._period(absence)}"
        if action == "grade":
            values = {"grade": rng.choice(self.GRADES)}
        elif action == "type":
            values = {"absence_type": self._type(rng, other_than=absence.absence_type.code)}
        else:
            values = dict(zip(("start_date", "end_date"), self._free_period(rng, employee, moving=absence)))
        absence = hr_actions.do_update_absence(absence, values, acting_user=self.admin)
        return f"{action} → {absence.absence_type.code} {self._period(absence)}"

    # --- the check -------------------------------------------------------------------------------
    def _called_for(self, fortnox_ids: dict[int, str], explained: set[int]) -> Counter:
        """(EmployeeId, Date, CauseCode, Extent, Hours) of every day an approved, transferable
        absence of these employees calls for, unless an open error explains the absence."""
        codes = cause_codes(self.organization)
        wanted = Counter()
        approved = Absence.objects.filter(employee_id__in=fortnox_ids, status=AbsenceStatus.APPROVED)
        for absence in approved.exclude(pk__in=explained):
            if codes.get(absence.absence_type_id):
                wanted.update((fortnox_ids[absence.employee_id], day, codes[absence.absence_type_id], extent, hours)
                              for day, extent, hours in expected_days(absence.start_date, absence.end_date, absence.grade))
        return wanted

    def _excused_days(self, fortnox_ids: dict[int, str], explained: set[int]) -> set[tuple[str, str]]:
        """(EmployeeId, Date) of the days of absences an open error explains: the days they
        span, and the days Brygga sent for them (also for those deleted since)."""
        links = ExternalLink.links_for(self.organization, LINK_KIND, Absence).filter(object_id__in=explained)
        days = {(link.last_synced_values["EmployeeId"], link.last_synced_values["Date"]) for link in links}
        for absence in Absence.objects.filter(pk__in=explained, employee_id__in=fortnox_ids):
            days |= {(fortnox_ids[absence.employee_id], day.isoformat())
                     for day in calendar_days(absence.start_date, absence.end_date)}
        return days

    def disagreements(self) -> list[str]:
        """Every transaction Fortnox holds for these employees that no approved absence calls for
        (or holds twice), and every one called for that it lacks, unless an open error explains it."""
        fortnox_ids = dict(ExternalLink.links_for(self.organization, EMPLOYEE_LINK, Employee).filter(
            object_id__in=[employee.pk for employee in self._employees()]).values_list("object_id", "external_id"))
        explained = explained_objects(self.organization, Absence)
        excused = self._excused_days(fortnox_ids, explained)
        held = Counter(
            (d["EmployeeId"], d["Date"], d["CauseCode"], float(d["Extent"]), float(d["Hours"]))
            for d in held_by_fortnox(self.control, self.company)
            if d["EmployeeId"] in fortnox_ids.values() and (d["EmployeeId"], d["Date"]) not in excused
        )
        wanted = self._called_for(fortnox_ids, explained)
        return [f"Fortnox holds {held[key]} × {key}, the absences call for {wanted[key]}"
                for key in sorted(set(held) | set(wanted)) if held[key] != wanted[key]]
