"""An HR edit made while Fortnox is disconnected is kept and sent once an admin connects again
(it used to fail for good and need a Retry in the error log nobody was told about)."""

from django.urls import reverse

from hr import actions as hr_actions
from integrations import outbox
from integrations.sync_models import IntegrationError, OutboxEvent
from tests.fortnox_client.conftest import start_and_consent

from .conftest import create_fortnox_employee, employee
from .test_sandbox_sync import outbox_link


def test_an_edit_made_while_disconnected_is_sent_after_re_connecting(
        activated, fortnox, tenant, sandbox, fortnox_company, client_for):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    outbox_link(anna, "1001")
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
    outbox_link(anna, "9999")  # not in Fortnox: refused while connected
    hr_actions.do_update_employee(anna, {"given_name": "Ann"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    admin = client_for(tenant.owner)
    admin.post(reverse("fortnox_disconnect"), {"confirmed": "1"})

    admin.get(start_and_consent(admin, sandbox, fortnox_company))

    assert IntegrationError.objects.get().status == IntegrationError.Status.OPEN
