"""Benchmark (not a test): the employee list and the employee form with 5,000 employees.

Everything runs inside one transaction that is rolled back, so the caller's database is left
as it was. Rows are {"measure", "target", "result", "passed"} for the lead's benchmark command.
"""

import re
import statistics
import time
from datetime import date

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from hr.models import Employee
from organizations.models import Membership, Organization, User
from organizations.permissions import Role

EMPLOYEES = 5000
MAX_QUERIES = 10
MAX_MEDIAN_MS = 250
MAX_MANAGER_OPTIONS = 2  # "none" and the chosen manager; the search brings the others


class _Rollback(Exception):
    pass


def _populate() -> User:
    organization = Organization.objects.create(name="Benchmark HR AB", organisation_number="559999-9997")
    hr_admin = User.objects.create_user(email="bench-hr@benchmark.invalid", language="en")
    Membership.objects.create(user=hr_admin, organization=organization, role=Role.HR_ADMIN)
    managers = Employee.objects.bulk_create([
        Employee(organization=organization, email=f"chef{n}@benchmark.invalid", employment_id=f"M{n}",
                 given_name="Märta", family_name=f"Åström {n}", employment_start=date(2020, 1, 1))
        for n in range(50)
    ])
    Employee.objects.bulk_create([
        Employee(organization=organization, email=f"person{n}@benchmark.invalid", employment_id=str(10000 + n),
                 given_name="Erik", family_name=f"Sjöberg {n}", phone=f"+46703{n:06d}", street="Storgatan 1",
                 postal_code="11122", city="Stockholm", manager=managers[n % len(managers)],
                 employment_start=date(2021, 1, 1), active=n % 10 != 0)
        for n in range(EMPLOYEES - len(managers))
    ], batch_size=1000)
    return hr_admin


def _measure(client: Client, url: str, params: dict, repeats: int) -> tuple[int, float, str]:
    client.get(url, params)  # warm-up: template loading, caches
    timings, queries = [], 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return queries, statistics.median(timings), response.content.decode()


def _page_rows(page: str, queries: int, median_ms: float, repeats: int) -> list[dict]:
    return [{
        "measure": f"{page}, {EMPLOYEES:,} employees: queries",
        "target": f"≤ {MAX_QUERIES}", "result": str(queries), "passed": queries <= MAX_QUERIES,
    }, {
        "measure": f"{page}, {EMPLOYEES:,} employees: render time (median of {repeats})",
        "target": f"< {MAX_MEDIAN_MS} ms", "result": f"{median_ms:.0f} ms", "passed": median_ms < MAX_MEDIAN_MS,
    }]


def bench_employee_list(quick: bool) -> list[dict]:
    repeats = 5 if quick else 21
    cases = [
        ("first page", {}),
        ("search “sjöberg 49”", {"q": "sjöberg 49"}),
        ("last page", {"page": str(EMPLOYEES // 50), "status": "all"}),
    ]
    rows = []
    try:
        with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"]):
            hr_admin = _populate()
            client = Client()
            client.force_login(hr_admin)
            url = reverse("hr:employee_list")
            for label, params in cases:
                queries, median_ms, _page = _measure(client, url, params, repeats)
                rows += _page_rows(f"employee list, {label}", queries, median_ms, repeats)
            edited = Employee.objects.get(email="person1@benchmark.invalid")
            queries, median_ms, page = _measure(client, reverse("hr:employee_edit", args=[edited.pk]), {}, repeats)
            rows += _page_rows("employee form", queries, median_ms, repeats)
            options = re.search(r'<select name="manager".*?</select>', page, re.S).group().count("<option")
            rows.append({
                "measure": f"employee form, {EMPLOYEES:,} employees: options of the manager field",
                "target": f"≤ {MAX_MANAGER_OPTIONS}", "result": str(options), "passed": options <= MAX_MANAGER_OPTIONS,
            })
            raise _Rollback
    except _Rollback:
        pass
    for row in rows:
        print(f"| {row['measure']} | {row['target']} | {row['result']} | {'✅' if row['passed'] else '❌'} |")
    return rows
