"""HR records for tests: valid employee values (a fresh number each time), many employees at
once, what the employee form posts, and the roles that run HR."""

from datetime import date
from itertools import count

from hr.models import Employee

ROLES = ["owner", "hr_admin", "manager", "employee", "warehouse"]
HR_ROLES = {"owner", "hr_admin"}
VALID_BANK_ACCOUNTS = [("5000", "4999622"), ("6000", "812865707"), ("9150", "6030620"), ("83279", "2786838738")]
_numbers = count(1)


def employee_values(**overrides) -> dict:
    n = next(_numbers)
    values = {
        "given_name": "Åsa", "family_name": f"Öberg{n}", "email": f"person{n}@alfa.test",
        "employment_id": f"E{n}", "phone": f"070-3{n % 1_000_000:06d}", "street": "Storgatan 1",
        "postal_code": "111 22", "city": "Stockholm", "country": "SE",
        "clearing_number": "", "account_number": "", "employment_start": date(2024, 1, 15),
    }
    values.update(overrides)
    return values


def many_employees(organization, number, **values) -> list[Employee]:
    return Employee.objects.bulk_create([
        Employee(organization=organization, email=f"many{n}@alfa.test", employment_id=f"M{n}", given_name="Lisa",
                 family_name=f"Lund {n}", **values)
        for n in range(number)
    ])


def employee_form_data(employee, **changes) -> dict:
    """What the employee form posts for `employee` as it stands, with `changes` typed over it."""
    data = {f: getattr(employee, f) or "" for f in Employee.TRACKED_FIELDS if f not in ("manager", "user", "active")}
    data.update(active="on", employment_start=employee.employment_start.isoformat(),
                manager=employee.manager_id or "")
    data.update(changes)
    return data
