"""The demo tells the HR story: after `load_demo`, `fortnox_demo_employees` and `sandbox_seed
--employees` (what `./brygga run` does), the demo admin's first "Synchronise users" against the
sandbox shows real conflicts, missing values, people on one side only and one who cannot be
matched — over HTTP, as the product meets Fortnox."""

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from integrations.core.models import SyncRun
from integrations.hr_sync import plan as hr_sync
from organizations.models import User
from tests.support.fortnox import path_of

# The whole demo (its data, the sandbox's company, a first synchronisation): about 45 s when quiet.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def quietly(*args, **options):
    call_command(*args, stdout=io.StringIO(), **options)


def test_the_demo_admins_first_synchronisation_has_conflicts_gaps_and_people_on_one_side(sandbox, client_for, tmp_path):
    quietly("load_demo")
    employees_file = tmp_path / "fortnox-employees.json"
    quietly("fortnox_demo_employees", output=str(employees_file))
    quietly("sandbox_seed", size=5, employees_file=str(employees_file))
    client = client_for(User.objects.get(email="admin@demo.brygga.se"))

    started = client.post(reverse("hr_setup"), {"accept": "on"})
    answer = sandbox.consent(started["Location"], {"username": "demo@fortnox.sandbox", "password": "fortnox-demo"})
    assert client.get(path_of(answer))["Location"] == reverse("hr_settings")
    client.post(reverse("hr_sync"))

    people = SyncRun.objects.get(kind=hr_sync.RUN_KIND).data["plan"]["people"]
    sections = Counter(person["section"] for person in people)
    assert sections["only_brygga"] == 3 and sections["unmatchable"] == 1
    assert sections["only_fortnox"] == 5 + 2  # the sandbox's generated people and the two payroll-only ones
    matched = [person for person in people if person["section"] == "match"]
    conflicts = Counter(field for person in matched for field in person["conflicts"])
    missing = Counter(item["field"] for person in matched for item in person["missing"])
    assert {"phone", "address", "given_name"} <= set(conflicts) and {"bank_account", "address"} <= set(missing)
    assert not any(person["problems"] for person in matched)
    assert sum(not (p["conflicts"] or p["missing"]) for p in matched) >= len(matched) // 4  # most agree


def test_sandbox_seed_explains_an_employees_file_it_cannot_use(tmp_path, db, settings):
    settings.SANDBOX_ENABLED = True
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([{"EmployeeId": "1", "FirstName": "Ada", "LastName": "Ek", "Shoe size": 41}]))
    with pytest.raises(CommandError, match="Shoe size"):
        quietly("sandbox_seed", size=1, employees_file=str(broken))
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read the employees file"):
        quietly("sandbox_seed", size=1, employees_file=str(broken))


def test_a_restarted_demo_keeps_the_sandbox_company_as_the_demo_left_it(db, settings):
    from fortnox_sandbox.models import Company, Record

    settings.SANDBOX_ENABLED = True
    quietly("sandbox_seed", size=2)
    company = Company.objects.get(name="Demobolaget Brygga AB")
    employee = Record.objects.filter(company=company, resource="employees").first()
    employee.document["Phone1"] = "070-555 00 00"  # as if the demo had pushed a change
    employee.save(update_fields=["document"])

    quietly("sandbox_seed", size=2, keep_data=True)
    employee.refresh_from_db()
    assert employee.document["Phone1"] == "070-555 00 00"
    quietly("sandbox_seed", size=2)  # without --keep-data: seeded afresh
    assert Record.objects.get(company=company, resource="employees", key=employee.key).document["Phone1"] != "070-555 00 00"
