"""Every HR integration page is for organization admins only, and reaches only their own
organization's runs and error log entries; HR admins also read and handle the error-log entries of
employees and absences (they are told of those failures and fix their cause)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from hr.models import Employee
from integrations.core.models import IntegrationError, OutboxEvent, SyncRun
from organizations.permissions import Role
from tests.support.hr_sync import employee

PAGES = ["integrations_index", "hr_integration", "hr_setup", "integration_errors"]
NOT_ADMINS = [Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE, Role.WAREHOUSE]
NEITHER_ADMIN = [Role.MANAGER, Role.EMPLOYEE, Role.WAREHOUSE]


def planned_run(organization, people=()):
    return SyncRun.objects.create(organization=organization, kind="hr_users", status=SyncRun.Status.PLANNED,
                                  data={"plan": {"people": list(people), "fortnox_count": 0, "brygga_count": 0}})


def open_error(organization, kind="employee_update"):
    emp = employee(organization, email=f"{kind}@alfa.test", employment_id=str(1000 + IntegrationError.objects.count()))
    event = OutboxEvent.objects.create(organization=organization, kind=kind, object_id=emp.pk,
                                       content_type=ContentType.objects.get_for_model(Employee),
                                       status=OutboxEvent.Status.FAILED)
    return IntegrationError.objects.create(organization=organization, kind=kind, message="x", outbox_event=event,
                                           content_type=event.content_type, object_id=emp.pk)


@pytest.mark.parametrize("name", PAGES)
def test_an_organization_admin_opens_every_page(tenant, client_for, name):
    assert client_for(tenant.owner).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", NOT_ADMINS)
@pytest.mark.parametrize("name", ["integrations_index", "hr_integration", "hr_setup", "hr_settings", "hr_mapping", "hr_sync"])
def test_members_without_the_settings_permission_are_refused_every_page(tenant, client_for, name, role):
    assert client_for(tenant.member(role)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("role", NEITHER_ADMIN)
def test_members_who_are_neither_organization_nor_hr_admins_are_refused_the_error_log(tenant, client_for, role):
    assert client_for(tenant.member(role)).get(reverse("integration_errors")).status_code == 403


def test_an_hr_admin_reads_and_retries_the_failures_of_employees_and_absences_but_no_others(tenant, client_for):
    hr_failure, warehouse_failure = open_error(tenant.organization), open_error(tenant.organization, "wms_fulfilment")
    client = client_for(tenant.hr_admin)
    assert client.get(reverse("hr_sync_run", args=[planned_run(tenant.organization).pk])).status_code == 403
    page = client.get(reverse("integration_errors"))
    assert [entry.pk for entry in page.context["entries"]] == [hr_failure.pk]
    assert client.post(reverse("integration_error_retry", args=[warehouse_failure.pk])).status_code == 404
    assert client.post(reverse("integration_error_dismiss", args=[warehouse_failure.pk])).status_code == 404
    assert client.post(reverse("integration_error_retry", args=[hr_failure.pk])).status_code == 302
    hr_failure.refresh_from_db()
    warehouse_failure.refresh_from_db()
    assert (hr_failure.status, warehouse_failure.status) == (IntegrationError.Status.RETRIED, IntegrationError.Status.OPEN)


@pytest.mark.parametrize("role", NEITHER_ADMIN)
def test_members_who_are_neither_admin_cannot_see_runs_or_touch_errors(tenant, client_for, role):
    client, run, error = client_for(tenant.member(role)), planned_run(tenant.organization), open_error(tenant.organization)
    assert client.get(reverse("hr_sync_review", args=[run.pk])).status_code == 403
    assert client.get(reverse("hr_sync_run", args=[run.pk])).status_code == 403
    assert client.post(reverse("integration_error_retry", args=[error.pk])).status_code == 403
    assert client.post(reverse("integration_error_dismiss", args=[error.pk])).status_code == 403
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.OPEN


def test_an_outsider_is_refused(outsider, client_for):
    assert client_for(outsider).get(reverse("hr_integration")).status_code == 403


def test_another_organizations_run_and_error_are_not_found(tenant, other_tenant, client_for):
    run, error = planned_run(other_tenant.organization), open_error(other_tenant.organization)
    client = client_for(tenant.owner)
    assert client.get(reverse("hr_sync_review", args=[run.pk])).status_code == 404
    assert client.get(reverse("hr_sync_run", args=[run.pk])).status_code == 404
    assert client.post(reverse("integration_error_retry", args=[error.pk])).status_code == 404
    assert client.post(reverse("integration_error_dismiss", args=[error.pk])).status_code == 404


def test_dismissing_an_error_closes_it_and_a_get_cannot(tenant, client_for):
    error = open_error(tenant.organization)
    client = client_for(tenant.owner)
    assert client.get(reverse("integration_error_dismiss", args=[error.pk])).status_code == 405
    client.post(reverse("integration_error_dismiss", args=[error.pk]))
    error.refresh_from_db()
    assert (error.status, error.resolved_by) == (IntegrationError.Status.DISMISSED, tenant.owner)


def test_the_conflict_page_renders_a_thousand_people_with_a_bounded_number_of_queries(tenant, client_for, django_assert_max_num_queries):
    values = {"email": "a@x.test", "employment_id": "1", "given_name": "A", "family_name": "B", "phone": "+46701234567",
              "address": ["Gatan 1", "11122", "Stockholm", "SE"], "bank_account": "", "employment_start": "", "employment_end": ""}
    people = [{"key": f"m{i}", "section": "match", "employee": i, "external_id": str(i), "name": f"Person {i}", "how": "email",
               "brygga": values, "fortnox": {**values, "given_name": "Z"}, "problems": [], "conflicts": ["given_name"],
               "missing": [], "automatic": {"brygga": [], "fortnox": []}} for i in range(1000)]
    run = planned_run(tenant.organization, people)
    client = client_for(tenant.owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hr_sync_review", args=[run.pk]))
    assert response.content.decode().count('class="conflict"') == 1000
