import random
from io import StringIO

import bankkonto
from django.core.management import call_command
from stdnum.se import personnummer

from fortnox_sandbox.models import Company, Record, SandboxUser
from fortnox_sandbox.resources.absences import seed_absences
from fortnox_sandbox.resources.employees import seed_employees
from tests.support import openapi_contract as contract
from tests.support.sandbox_api import Api, approve, exchange, logged_in_browser

HR = ("employees", "absencetransactions")


def seed(size=40):
    out = StringIO()
    call_command("sandbox_seed", size=size, password="demo-pw-1", stdout=out)
    return out.getvalue()


def test_the_seed_command_prints_a_login_that_works_on_the_consent_page(db, oauth_client):
    printed = seed()
    assert "demo@fortnox.sandbox / demo-pw-1" in printed
    tokens = exchange(approve(logged_in_browser_for("demo@fortnox.sandbox", "demo-pw-1"))["code"][0]).json()
    listed = Api(tokens["access_token"]).get("3/employees", {"limit": 500})
    assert listed.json()["MetaInformation"]["@TotalResources"] == 40
    contract.assert_matches(listed, "GET", "/3/employees")


def logged_in_browser_for(username, password):
    user = SandboxUser.objects.get(username=username)
    user.set_password("sandbox-pw")
    user.save(update_fields=["password"])
    return logged_in_browser(user)


def hr_records():
    return sorted(Record.objects.filter(resource__in=HR).values_list("resource", "key", "document"))


def test_seeding_twice_gives_the_same_data_once(db):
    seed(size=10)
    first = hr_records()
    seed(size=10)
    assert Company.objects.count() == 1 and SandboxUser.objects.count() == 1
    assert hr_records() == first and len(first) > 10


def seed_hr(company, size):
    seed_employees(company, random.Random(1), size)
    seed_absences(company, random.Random(1), size)


def test_demo_people_are_swedish_and_valid(company):
    seed_hr(company, 120)
    people = [r.document for r in Record.objects.filter(resource="employees")]
    assert any(set("åäöÅÄÖ") & set(p["FirstName"] + p["LastName"]) for p in people)
    for p in people:
        bankkonto.validate(p["ClearingNo"], p["BankAccountNo"])
        assert personnummer.is_valid(p["PersonalIdentityNumber"])
        assert p["Email"].isascii() and "@" in p["Email"]
    assert {p["DatedSchedules"][0]["ScheduleId"] for p in people} == {"HEL", "DEL", "NOLL"}


def test_seeded_absences_follow_the_schedules(company):
    seed_hr(company, 60)
    absences = [r.document for r in Record.objects.filter(resource="absencetransactions")]
    assert absences and all(a["Hours"] > 0 for a in absences)
    assert len({a["id"] for a in absences}) == len(absences)


def test_new_employees_continue_after_the_seeded_ones(db, oauth_client):
    seed(size=10)
    tokens = exchange(approve(logged_in_browser_for("demo@fortnox.sandbox", "demo-pw-1"))["code"][0]).json()
    created = Api(tokens["access_token"]).post("3/employees", {"Employee": {
        "FirstName": "Ny", "LastName": "Anställd", "Email": "ny@exempel.se"}})
    assert created.json()["Employee"]["EmployeeId"] == "11"


