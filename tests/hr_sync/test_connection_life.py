"""An HR edit made while Fortnox is disconnected is kept and sent once an admin connects again
(it used to fail for good and need a Retry in the error log nobody was told about)."""

from django.urls import reverse

from hr import actions as hr_actions
from integrations.connection import actions
from integrations.core import outbox
from integrations.core.models import FortnoxConnection, IntegrationError, OutboxEvent
from integrations.fortnox.client import FortnoxClient
from tests.support.fortnox import start_and_consent
from tests.support.hr_sync import WAITS, WAITS_FOR_REAUTH, create_fortnox_employee, employee, link_to_fortnox
from tests.support.tenants import form_data


def test_an_edit_made_while_disconnected_is_sent_after_re_connecting(
        activated, fortnox, tenant, sandbox, fortnox_company, client_for):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "1001")
    admin = client_for(tenant.owner)
    admin.post(reverse("fortnox_disconnect"), {"confirmed": "1"})

    hr_actions.do_update_employee(anna, {"phone": "0701234567"}, acting_user=tenant.hr_admin)
    outbox.push_due()

    waiting = IntegrationError.objects.get()
    assert "changes made meanwhile are kept and sent then" in waiting.message
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED

    back = admin.get(start_and_consent(admin, sandbox, fortnox_company), follow=True)

    assert "1 change made while Fortnox was not connected is being sent now." in back.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == IntegrationError.Status.RETRIED
    outbox.push_due()  # the job cluster's work (no cluster runs here)
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46701234567"


def test_re_connecting_leaves_failures_from_before_the_connection_was_lost_alone(
        activated, fortnox, tenant, sandbox, fortnox_company, client_for):
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "9999")  # not in Fortnox: refused while connected
    hr_actions.do_update_employee(anna, {"given_name": "Ann"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    admin = client_for(tenant.owner)
    admin.post(reverse("fortnox_disconnect"), {"confirmed": "1"})

    admin.get(start_and_consent(admin, sandbox, fortnox_company))

    assert IntegrationError.objects.get().status == IntegrationError.Status.OPEN


def save_phone(client, person, phone: str) -> str:
    url = reverse("hr:employee_edit", args=[person.pk])
    return client.post(url, form_data(client.get(url), phone=phone), follow=True).content.decode()


def test_the_person_saving_a_change_while_fortnox_is_disconnected_is_told_at_once_that_it_waits(
        activated, fortnox, tenant, client_for):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "1001")
    hr_admin = client_for(tenant.hr_admin)
    assert WAITS not in save_phone(hr_admin, anna, "0701111111")  # connected: nothing waits

    client_for(tenant.owner).post(reverse("fortnox_disconnect"), {"confirmed": "1"})
    page = save_phone(hr_admin, anna, "0702222222")

    assert "The changes to Anna Berg were saved." in page and WAITS in page


def test_a_change_saved_while_fortnox_needs_re_authorisation_is_told_so_and_sent_after_re_connecting(
        activated, fortnox, tenant, sandbox, fortnox_company, client_for):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "1001")
    actions.do_mark_needs_reauth(activated, reason="The refresh token was spent elsewhere.")

    page = save_phone(client_for(tenant.hr_admin), anna, "0703333333")
    assert WAITS_FOR_REAUTH in page
    outbox.push_due()
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED

    admin = client_for(tenant.owner)
    back = admin.get(start_and_consent(admin, sandbox, fortnox_company), follow=True).content.decode()
    assert "1 change made while Fortnox was not connected is being sent now." in back
    outbox.push_due()
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    with FortnoxClient(FortnoxConnection.objects.get(organization=tenant.organization)) as reconnected:
        assert reconnected.get("/3/employees/1001")["Phone1"] == "+46703333333"

