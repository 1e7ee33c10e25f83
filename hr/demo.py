"""Demo HR data: about forty employees of Demo AB with Swedish names, valid bank accounts and
personal identity numbers, managers, and absences in every status. Idempotent: employees are
found by employment ID, and absences are only added to employees who have none."""

import random
import unicodedata
from datetime import date, timedelta

from django.utils import timezone
from stdnum import luhn

from organizations.models import User

from . import actions
from .models import Absence, AbsenceStatus, AbsenceType, Employee, Origin
from .validators import validate_bank_account

# employment ID, given name, family name, demo login (see organizations.demo), manager's employment ID
PEOPLE = [
    ("1001", "Astrid", "Lindqvist", "admin@demo.brygga.se", None),
    ("1002", "Håkan", "Öberg", "hr@demo.brygga.se", "1001"),
    ("1003", "Märta", "Åström", "chef@demo.brygga.se", "1001"),
    ("1004", "Erik", "Sjöberg", "anstalld@demo.brygga.se", "1003"),
    ("1005", "Göran", "Bäckström", None, "1001"),
    ("1006", "Lena", "Ek", "lager@demo.brygga.se", "1005"),
]
MORE_NAMES = [
    ("Åsa", "Nyström"), ("Björn", "Hägglund"), ("Maja", "Fjällström"), ("Sören", "Ängquist"), ("Linnéa", "Öhman"),
    ("Jörgen", "Söderlund"), ("Elsa", "Kärrman"), ("Kjell", "Västlund"), ("Ingrid", "Sjögren"), ("Måns", "Åberg"),
    ("Saga", "Löfgren"), ("Anders", "Hallström"), ("Annika", "Dahlén"), ("Örjan", "Björklund"), ("Frida", "Hörnell"),
    ("Nils", "Ekström"), ("Ebba", "Blomqvist"), ("Olle", "Strömberg"), ("Karin", "Lindén"), ("Tore", "Wåhlin"),
    ("Sofia", "Granström"), ("Gösta", "Nordén"), ("Ylva", "Sundström"), ("Pär", "Holmén"), ("Hedda", "Rönnberg"),
    ("Lars", "Engström"), ("Vera", "Sjödin"), ("Åke", "Forsgren"), ("Tuva", "Wikström"), ("Stig", "Lundqvist"),
    ("Signe", "Bergström"), ("Ulf", "Näslund"), ("Moa", "Hedlund"), ("Rune", "Sandén"),
]
ADDRESSES = [
    ("Drottninggatan", "11151", "Stockholm"), ("Kungsportsavenyen", "41136", "Göteborg"),
    ("Stortorget", "21122", "Malmö"), ("Östra Ågatan", "75322", "Uppsala"), ("Storgatan", "90326", "Umeå"),
    ("Ågatan", "58222", "Linköping"), ("Järnvägsgatan", "25224", "Helsingborg"), ("Kungsgatan", "70211", "Örebro"),
]
# Clearing numbers of a few big banks; account numbers are drawn until the bank's rules accept one.
CLEARING_NUMBERS = ["5000", "6000", "3300", "1100", "9150", "83279"]


def _bank_account(rng: random.Random) -> tuple[str, str]:
    clearing = rng.choice(CLEARING_NUMBERS)
    length = 10 if clearing in ("3300", "83279") else 9 if clearing == "6000" else 7
    while True:
        account = "".join(rng.choice("0123456789") for _ in range(length))
        if not validate_bank_account(clearing, account):
            return clearing, account


def _personal_identity_number(rng: random.Random, birth: date) -> str:
    body = birth.strftime("%y%m%d") + f"{rng.randrange(1000):03d}"
    return f"{birth.year}{body[2:6]}-{body[6:]}{luhn.calc_check_digit(body)}"


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()


def _people():
    people = list(PEOPLE)
    managers = ["1001", "1003", "1005", "1002"]
    for number, (given, family) in enumerate(MORE_NAMES, start=1007):
        people.append((str(number), given, family, None, managers[number % len(managers)]))
    return people


JOB_TITLES = ("Ekonom", "Lagerarbetare", "Säljare", "Projektledare", "Utvecklare", "Kundtjänst")


def _employee_values(rng: random.Random, index: int, employment_id, given, family, login) -> dict:
    street, postal_code, city = ADDRESSES[index % len(ADDRESSES)]
    clearing, account = _bank_account(rng)
    birth = date(1960 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29))
    return {
        "employment_id": employment_id, "given_name": given, "family_name": family,
        "email": login or f"{_ascii(given)}.{_ascii(family)}@demo.brygga.se",
        "phone": f"+46701{index:03d}{rng.randrange(1000):03d}",
        "street": f"{street} {rng.randrange(1, 80)}", "postal_code": postal_code, "city": city, "country": "SE",
        "clearing_number": clearing, "account_number": account,
        "employment_start": date(2015 + index % 10, 1 + index % 12, 1),
        "personal_identity_number": _personal_identity_number(rng, birth),
        # Payroll details by position in the list (not drawn: the other values stay as they were).
        "job_title": JOB_TITLES[index % len(JOB_TITLES)],
        "employment_form": "fixed_term" if index % 7 == 6 else "permanent",
        "salary_form": "hourly" if index % 10 == 9 else "monthly",
        "personnel_type": "worker" if index % 10 == 9 else "salaried",
        "tax_table": str(30 + index % 5), "tax_column": 1,
        # Full time, as the demo's Fortnox side has them, so transferred absences count hours.
        "schedule": "HEL",
        "user": User.objects.filter(email__iexact=login).first() if login else None,
    }


def _add_absences(employee: Employee, index: int, types: dict, decider):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    plans = [
        ("vacation", monday + timedelta(weeks=3 + index % 5), 4, AbsenceStatus.REQUESTED),
        ("sick_leave", monday - timedelta(weeks=2 + index % 3), 1, AbsenceStatus.APPROVED),
        ("care_of_child", monday - timedelta(weeks=6), 0, AbsenceStatus.APPROVED),
        ("compensatory_leave", monday + timedelta(weeks=10), 0, AbsenceStatus.REJECTED),
        ("vacation", monday + timedelta(weeks=12), 2, AbsenceStatus.CANCELLED),
    ]
    for code, start, length, status in plans[: 2 + index % 4]:
        absence = actions.do_register_absence(
            employee, {"absence_type": types[code], "start_date": start, "end_date": start + timedelta(days=length),
                       "grade": 100 if index % 3 else 50},
            acting_user=decider, approved=False,
        )
        if status == AbsenceStatus.APPROVED:
            actions.do_approve_absence(absence, acting_user=decider)
        elif status == AbsenceStatus.REJECTED:
            actions.do_reject_absence(absence, acting_user=decider)
        elif status == AbsenceStatus.CANCELLED:
            actions.do_cancel_absence(absence, acting_user=decider)


def load(organization, stdout=None):
    AbsenceType.objects.ensure_defaults(organization)
    types = {t.code: t for t in AbsenceType.objects.for_organization(organization)}
    hr_admin = User.objects.filter(email__iexact="hr@demo.brygga.se").first()
    rng = random.Random(5)  # the same demo every time
    existing = {e.employment_id: e for e in Employee.objects.for_organization(organization)}
    created = 0
    for index, (employment_id, given, family, login, manager_id) in enumerate(_people()):
        values = _employee_values(rng, index, employment_id, given, family, login)
        if employment_id not in existing:
            values["manager"] = existing.get(manager_id)
            existing[employment_id] = actions.do_create_employee(
                organization, values, acting_user=None, origin=Origin.SYSTEM,
            )
            created += 1
    with_absences = set(Absence.objects.for_organization(organization).values_list("employee_id", flat=True))
    for index, employee in enumerate(existing.values()):
        if employee.pk not in with_absences and hr_admin is not None:
            _add_absences(employee, index, types, hr_admin)
    if stdout is not None:
        stdout.write(f"HR: {created} employees added, {len(existing)} in total.\n")
