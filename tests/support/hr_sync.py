"""The HR integration's world: an organization connected through the set-up wizard and the
sandbox's consent page (the integration active or not yet), Fortnox employees created through the
product's own client, Brygga employees linked to them, and the outbox driven by the test."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from hr.models import Employee
from integrations.core.models import ExternalLink, FortnoxConnection, OutboxEvent, SyncRun
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync import fields as hr_fields
from integrations.hr_sync.links import link_employee
from integrations.hr_sync.models import HrIntegrationSettings
from integrations.hr_sync.pull import do_queue_pull, execute_pull

from .fortnox import FortnoxCompany, path_of

# What a person reads after saving a change Fortnox cannot take now.
WAITS = "Fortnox is not connected right now: this change is kept and sent to Fortnox when an organization admin connects it again."
WAITS_FOR_REAUTH = "Fortnox must be re-connected before it accepts changes again: this change is kept and sent"


def employee(organization, **values) -> Employee:
    defaults = {"given_name": "Anna", "family_name": "Berg", "email": "anna@alfa.test", "employment_id": "1001"}
    return Employee.objects.create(organization=organization, **{**defaults, **values})


def wizard_connect(client, sandbox, company: FortnoxCompany, action="approve"):
    """Tick the Terms of Service in the wizard, answer Fortnox's consent page, follow the callback."""
    started = client.post(reverse("hr_setup"), {"accept": "on"})
    assert started.status_code == 302, started.content
    return client.get(path_of(sandbox.consent(started["Location"], company.user, action)))


@pytest.fixture
def connected(sandbox, tenant, fortnox_company, client_for):
    """The tenant's owner has set up and connected Fortnox (settings not saved yet)."""
    response = wizard_connect(client_for(tenant.owner), sandbox, fortnox_company)
    assert response.status_code == 302 and response["Location"] == reverse("hr_settings"), response.content
    return FortnoxConnection.objects.get(organization=tenant.organization)


@pytest.fixture
def fortnox(connected) -> FortnoxClient:
    """The product's client on the connected sandbox company (for arranging Fortnox data)."""
    with FortnoxClient(connected) as client:
        yield client


@pytest.fixture
def activated(connected, tenant):
    HrIntegrationSettings.objects.update_or_create(organization=tenant.organization, defaults={
        "terms_accepted_at": connected.connected_at, "settings_saved_at": connected.connected_at,
        "activated_at": connected.connected_at,
    })
    return connected


def create_fortnox_employee(fortnox: FortnoxClient, **fields) -> dict:
    return fortnox.post("/3/employees", {"Employee": {"FirstName": "Nils", "LastName": "Ek", **fields}})


def link_to_fortnox(emp: Employee, external_id: str) -> ExternalLink:
    """`emp` linked to the Fortnox employee `external_id`, as a synchronisation leaves them."""
    return ExternalLink.objects.create(organization=emp.organization, kind="employee", external_id=external_id,
                                       content_type=ContentType.objects.get_for_model(Employee), object_id=emp.pk)


def due_now() -> None:
    """Skip the backoff: every pending event is due (the test, not the clock, decides when)."""
    from django.utils import timezone

    OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).update(next_attempt_at=timezone.now())


def review_then_apply(client, review_url: str, choices: dict):
    """Post the conflict page's choices, read back the summary it shows, then apply exactly those
    choices (the page applies only choices whose summary was shown). Returns (summary page, answer)."""
    summary = client.post(review_url, choices)
    assert summary.status_code == 200 and summary.context["digest"], summary.content.decode()[:2000]
    return summary, client.post(review_url, {**choices, "apply": summary.context["digest"]})


@pytest.fixture
def three_people_in_conflict(connected, fortnox, tenant):
    """Anna differs in given name, phone and address; Bo in given name and phone; Cecilia in her
    given name only. Nothing is missing on either side."""
    org = tenant.organization
    people = {
        "anna": employee(org, phone="+46701111111", street="Lillgatan 2", postal_code="22233", city="Lund"),
        "bo": employee(org, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001", phone="+46702222222"),
        "cecilia": employee(org, given_name="Cecilia", family_name="Ek", email="cecilia@alfa.test", employment_id="3001"),
    }
    create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Annika", LastName="Berg", Email="anna@alfa.test",
                            Phone1="0708888888", Address1="Storgatan 1", PostCode="111 22", City="Stockholm", Country="Sverige")
    create_fortnox_employee(fortnox, EmployeeId="2001", FirstName="Bosse", LastName="Lind", Email="bo@alfa.test",
                            Phone1="0709999999")
    create_fortnox_employee(fortnox, EmployeeId="3001", FirstName="Cilla", LastName="Ek", Email="cecilia@alfa.test")
    return people


def linked(organization, fortnox: FortnoxClient, **values) -> Employee:
    """A Brygga employee and their Fortnox twin holding the same values, linked as a
    synchronisation leaves them (both sides last agreed on everything)."""
    emp = employee(organization, **{"phone": "+46701111111", "city": "Lund", **values})
    agreed = hr_fields.employee_values(emp)
    fortnox.post("/3/employees", {"Employee": hr_fields.fortnox_document(agreed, creating=True)})
    link_employee(emp, emp.employment_id, agreed)
    return emp


def pull(organization) -> SyncRun:
    run = do_queue_pull(organization, trigger=SyncRun.Trigger.SCHEDULED)
    assert run is not None, "a pull was refused"
    execute_pull(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, (run.status, run.error, run.log)
    return run
