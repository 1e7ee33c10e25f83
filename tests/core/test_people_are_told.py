"""Issue 15, defect 10 and "People are told": a push Fortnox refuses for good tells whoever made
the change and the organization admins (bell and email, each in their language), its error-log
entry names the object, a repeat is counted on the entry instead of added, and a later push of the
object that succeeds closes it. Fortnox is the sandbox over real HTTP; the refusal is real (the
employee Brygga links to does not exist there)."""

from datetime import date

from django.core import mail
from django.urls import reverse
from django.utils import translation

from hr import actions as hr_actions
from integrations.core import outbox
from integrations.core.models import IntegrationError, OutboxEvent
from organizations.models import Notification
from tests.support.hr import employee_form_data
from tests.support.hr_sync import create_fortnox_employee, due_now, employee, link_to_fortnox


def refused_phone_change(tenant):
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "9999")  # deleted in Fortnox
    hr_actions.do_update_employee(anna, {"phone": "0701234567"}, acting_user=tenant.hr_admin)
    return anna


def test_a_refused_push_tells_the_person_who_made_the_change_and_the_admins_in_their_language(activated, tenant, client_for):
    tenant.owner.language = "sv"
    tenant.owner.save(update_fields=["language"])
    anna = employee(tenant.organization, employment_start=date(2024, 1, 1))
    link_to_fortnox(anna, "9999")
    edited = client_for(tenant.hr_admin).post(reverse("hr:employee_edit", args=[anna.pk]), employee_form_data(anna, phone="0701234567"))
    assert edited.status_code == 302
    assert OutboxEvent.objects.get().acting_user == tenant.hr_admin  # who acted is the request's user

    outbox.push_due()

    entry = IntegrationError.objects.get()
    told = {n.user: n for n in Notification.objects.all()}
    assert set(told) == {tenant.owner, tenant.hr_admin} and {m.to[0] for m in mail.outbox} == {tenant.owner.email, tenant.hr_admin.email}
    assert told[tenant.hr_admin].title == "Fortnox did not get a change: Anna Berg"
    assert "no longer exists in Fortnox" in told[tenant.hr_admin].body and told[tenant.hr_admin].level == "error"
    emails = {m.to[0]: m for m in mail.outbox}  # each in its reader's language, the bell's too
    assert emails[tenant.owner.email].subject == "Fortnox fick inte en ändring: Anna Berg"
    assert "finns inte längre i Fortnox" in emails[tenant.owner.email].body
    assert "no longer exists" not in emails[tenant.owner.email].body
    with translation.override("sv"):
        assert told[tenant.owner].title == "Fortnox fick inte en ändring: Anna Berg"
        assert "finns inte längre i Fortnox" in told[tenant.owner].body
    # Both may open the entry (the HR admin: it is about an employee) and go straight to it.
    assert {n.link for n in told.values()} == {f"{reverse('integration_errors')}#error-{entry.pk}"}
    assert "Anna Berg" in client_for(tenant.hr_admin).get(told[tenant.hr_admin].link).content.decode()


def test_a_failure_of_a_change_made_in_a_job_tells_the_admins(activated, tenant):
    refused_phone_change(tenant)  # outside a request: nobody to name as the one who acted
    outbox.push_due()
    assert set(Notification.objects.values_list("user", flat=True)) == {tenant.owner.pk}


def test_the_same_failure_again_is_counted_on_its_entry_and_not_told_twice(activated, tenant, client_for):
    anna = refused_phone_change(tenant)
    outbox.push_due()
    hr_actions.do_update_employee(anna, {"phone": "0707654321"}, acting_user=tenant.hr_admin)
    outbox.push_due()

    entry = IntegrationError.objects.get()
    assert entry.occurrences == 2 and entry.last_seen_at > entry.created_at
    assert entry.outbox_event == OutboxEvent.objects.last()  # retry sends the latest
    assert Notification.objects.count() == 1
    page = client_for(tenant.owner).get(reverse("integration_errors")).content.decode()
    assert "2 times, first" in page


def test_a_retry_that_fails_the_same_way_reopens_the_entry_and_tells_again(activated, tenant, client_for):
    refused_phone_change(tenant)
    outbox.push_due()
    entry = IntegrationError.objects.get()
    client_for(tenant.owner).post(reverse("integration_error_retry", args=[entry.pk]))
    outbox.push_due()

    entry.refresh_from_db()
    assert (entry.status, entry.occurrences, IntegrationError.objects.count()) == (IntegrationError.Status.OPEN, 2, 1)
    assert Notification.objects.count() == 2  # the admin asked for it again, and hears how it went


def test_a_later_push_of_the_object_that_succeeds_closes_its_entry(activated, fortnox, tenant):
    anna = refused_phone_change(tenant)
    outbox.push_due()
    create_fortnox_employee(fortnox, EmployeeId="9999", Email="anna@alfa.test")  # fixed in Fortnox

    hr_actions.do_update_employee(anna, {"email": "anna.berg@alfa.test"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    assert IntegrationError.objects.get().status == IntegrationError.Status.OPEN  # the phone is still not there

    hr_actions.do_update_employee(anna, {"phone": "0709999999"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    entry = IntegrationError.objects.get()
    assert entry.status == IntegrationError.Status.RESOLVED and entry.resolved_at is not None
    assert fortnox.get("/3/employees/9999")["Phone1"] == "+46709999999"


def test_a_retried_entry_closes_when_the_retry_gets_through(activated, fortnox, tenant, client_for):
    refused_phone_change(tenant)
    outbox.push_due()
    entry = IntegrationError.objects.get()
    create_fortnox_employee(fortnox, EmployeeId="9999", Email="anna@alfa.test")
    client_for(tenant.owner).post(reverse("integration_error_retry", args=[entry.pk]))
    due_now()
    outbox.push_due()
    entry.refresh_from_db()
    assert entry.status == IntegrationError.Status.RESOLVED
    page = client_for(tenant.owner).get(reverse("integration_errors") + "?status=resolved").content.decode()
    assert "Anna Berg" in page and "Resolved by a later push" in page


def test_a_retry_sends_every_change_counted_on_the_entry(activated, fortnox, tenant, client_for):
    """Two refused changes of different fields fold into one entry; its retry must send both."""
    anna = refused_phone_change(tenant)
    outbox.push_due()
    hr_actions.do_update_employee(anna, {"given_name": "Ann"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    entry = IntegrationError.objects.get()
    assert entry.occurrences == 2

    create_fortnox_employee(fortnox, EmployeeId="9999", Email="anna@alfa.test")
    client_for(tenant.owner).post(reverse("integration_error_retry", args=[entry.pk]))
    outbox.push_due()

    fortnox_anna = fortnox.get("/3/employees/9999")
    assert (fortnox_anna["Phone1"], fortnox_anna["FirstName"]) == ("+46701234567", "Ann")
    entry.refresh_from_db()
    assert entry.status == IntegrationError.Status.RESOLVED
