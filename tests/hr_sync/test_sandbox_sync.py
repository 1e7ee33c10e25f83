"""The HR integration against the sandbox over real HTTP, through the product's client, with a
real job cluster where jobs must run."""

import pytest
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import AbsenceType, Employee
from integrations.core import outbox
from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent, SyncRun
from integrations.hr_sync.models import AbsenceTypeMapping, HrIntegrationSettings
from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox, review_then_apply, wizard_connect
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow


def test_denied_consent_in_the_wizard_is_explained_and_nothing_is_connected(sandbox, tenant, fortnox_company, client_for):
    response = wizard_connect(client_for(tenant.owner), sandbox, fortnox_company, action="deny")
    assert response.status_code == 400 and not ExternalLink.objects.exists()
    assert HrIntegrationSettings.objects.get(organization=tenant.organization).terms_accepted_by == tenant.owner


def test_the_wizard_needs_the_terms_of_service_ticked(tenant, client_for):
    response = client_for(tenant.owner).post(reverse("hr_setup"), {})
    assert response.status_code == 200 and "Tick the box to accept the Terms of Service" in response.content.decode()


def test_the_settings_and_mapping_steps_save_and_recommend_sjk_for_both_kinds_of_sickness(connected, tenant, client_for):
    AbsenceType.objects.ensure_defaults(tenant.organization)
    client = client_for(tenant.owner)
    response = client.post(reverse("hr_settings"), {"create_absences": "on"})
    assert response["Location"] == reverse("hr_mapping")
    page = client.get(reverse("hr_mapping"))
    assert "SJK — Sjukfrånvaro" in page.content.decode() and "Do not transfer" in page.content.decode()
    types = {t.code: t for t in AbsenceType.objects.for_organization(tenant.organization)}
    recommended = {code: page.context["form"].fields[f"type_{t.pk}"].initial for code, t in types.items()}
    assert recommended["sick_leave"] == recommended["self_certification"] == "SJK"
    assert (recommended["vacation"], recommended["care_of_child"], recommended["parental_leave"]) == ("SEM", "VAB", "FPE")
    form = {f"type_{t.pk}": "" for t in types.values()}
    form |= {f"type_{types['sick_leave'].pk}": "SJK", f"type_{types['self_certification'].pk}": "SJK",
             f"type_{types['vacation'].pk}": "SEM"}
    assert client.post(reverse("hr_mapping"), form)["Location"] == reverse("hr_sync")
    mapped = dict(AbsenceTypeMapping.objects.values_list("absence_type__code", "cause_code"))
    assert mapped["sick_leave"] == mapped["self_certification"] == "SJK" and mapped["other"] == ""


def field_values(emp: Employee) -> dict:
    return {"Email": emp.email, "FirstName": emp.given_name, "LastName": emp.family_name, "Phone1": emp.phone}


def test_end_to_end_plan_resolve_create_both_ways_then_push_in_real_time(connected, fortnox, tenant, client_for, cluster, sandbox, fortnox_company):
    org = tenant.organization
    anna = employee(org, phone="+46701234567")
    bo = employee(org, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001")
    create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Annika", LastName="Berg", Email="ANNA@alfa.test",
                            Phone1="070-123 45 67", City="Stockholm", Address1="Storgatan 1", PostCode="111 22", Country="Sverige")
    create_fortnox_employee(fortnox, EmployeeId="3001", FirstName="Cecilia", LastName="Ek", Email="cecilia@alfa.test",
                            Phone1="0703333333")
    create_fortnox_employee(fortnox, EmployeeId="3002", FirstName="Dan", LastName="Nyman", Email="dan@alfa.test")
    fortnox.put("/3/employees/3002", {"Employee": {"Email": "API_BLANK"}})  # Fortnox requires it only on creation
    client = client_for(tenant.owner)
    assert client.post(reverse("hr_settings"), {"create_employees": ""})["Location"] == reverse("hr_sync")

    planned = client.post(reverse("hr_sync"))
    run = SyncRun.objects.get(organization=org)
    assert planned["Location"] == reverse("hr_sync_review", args=[run.pk]) and run.api_calls <= 3
    page = client.get(planned["Location"]).content.decode()
    assert "Annika" in page and "Storgatan 1" in page and "no email address" in page and "0-hour" in page

    undecided = client.post(planned["Location"], {})
    assert "choose which Given name to keep" in undecided.content.decode()
    _summary, decided = review_then_apply(client, planned["Location"], {
        f"field-m{anna.pk}-given_name": "fortnox", f"fill-m{anna.pk}-address": "1",
        "create-f3001": "1", f"create-b{bo.pk}": "1",
    })
    assert decided["Location"] == reverse("hr_sync_run", args=[run.pk])
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert run.counts == {"updated": 1, "created_in_brygga": 1, "created_in_fortnox": 1, "skipped": 1}
    progress = client.get(reverse("hr_sync_run", args=[run.pk]), headers={"HX-Request": "true"})
    assert "3 of 3" in progress.content.decode() and "<html" not in progress.content.decode()
    assert tenant.owner.notifications.filter(title__icontains="synchronisation").exists()

    anna.refresh_from_db()
    assert (anna.given_name, anna.street, anna.postal_code, anna.country) == ("Annika", "Storgatan 1", "11122", "SE")
    cecilia = Employee.objects.get(organization=org, email="cecilia@alfa.test")
    assert (cecilia.employment_id, cecilia.phone) == ("3001", "+46703333333")
    in_fortnox = {doc["EmployeeId"]: doc for doc in fortnox.iterate("/3/employees")}
    assert in_fortnox["2001"]["Email"] == "bo@alfa.test" and in_fortnox["2001"]["LastName"] == "Lind"
    for emp, external_id in ((anna, "1001"), (bo, "2001"), (cecilia, "3001")):
        emp.refresh_from_db()
        doc = in_fortnox[external_id]
        assert doc["Email"].lower() == emp.email and doc["FirstName"] == emp.given_name and doc["LastName"] == emp.family_name

    # Real-time push: a phone edited in Brygga is in the sandbox within seconds.
    hr_actions.do_update_employee(anna, {"phone": "070-555 66 77"}, acting_user=tenant.hr_admin)
    wait_for(lambda: fortnox.get("/3/employees/1001")["Phone1"] == "+46705556677", seconds=30)
    # A change that came from Fortnox is not pushed back.
    before = OutboxEvent.objects.count()
    hr_actions.update_from_external(Employee.objects.get(pk=anna.pk), {"city": "Uppsala"})
    assert OutboxEvent.objects.count() == before

    # The second run compares three ways: Fortnox changed the family name only → taken without asking.
    fortnox.put("/3/employees/1001", {"Employee": {"LastName": "Bergström"}})
    second = client.post(reverse("hr_sync"))
    run2 = SyncRun.objects.filter(organization=org).first()
    match = next(p for p in run2.data["plan"]["people"] if p["key"] == f"m{anna.pk}")
    assert match["conflicts"] == [] and "family_name" in match["automatic"]["brygga"] and "address" in match["automatic"]["fortnox"]
    review_then_apply(client, second["Location"], {})
    wait_for(lambda: SyncRun.objects.get(pk=run2.pk).is_finished)
    anna.refresh_from_db()
    assert anna.family_name == "Bergström" and fortnox.get("/3/employees/1001")["City"] == "Uppsala"
    assert "Bergström" not in str(OutboxEvent.objects.values_list("payload", flat=True))


def test_a_new_employee_is_created_in_fortnox_automatically_when_that_is_on(activated, fortnox, tenant, cluster):
    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(create_employees=True)
    emp = hr_actions.do_create_employee(tenant.organization, {
        "given_name": "Eva", "family_name": "Sund", "email": "eva@alfa.test", "employment_id": "4001"},
        acting_user=tenant.hr_admin)
    wait_for(lambda: ExternalLink.objects.filter(object_id=emp.pk, kind="employee").exists())
    assert fortnox.get("/3/employees/4001")["Email"] == "eva@alfa.test"


def test_a_change_rolled_back_leaves_no_outbox_event(activated, tenant):
    from django.db import transaction

    emp = employee(tenant.organization)
    link_to_fortnox(emp, "1001")
    with pytest.raises(RuntimeError), transaction.atomic():
        hr_actions.do_update_employee(emp, {"given_name": "Ann"}, acting_user=tenant.hr_admin)
        raise RuntimeError
    assert not OutboxEvent.objects.exists()


def test_a_transient_failure_is_retried_with_backoff_and_then_succeeds(activated, fortnox, tenant, sandbox, fortnox_company, settings):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    emp = employee(tenant.organization)
    link_to_fortnox(emp, "1001")
    sandbox.update_company(fortnox_company.data, fault_error_rate=1.0, fault_error_status=503)
    hr_actions.do_update_employee(emp, {"phone": "0701234567"}, acting_user=tenant.hr_admin)
    assert outbox.push_due() == 1
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.PENDING and event.attempts == 1 and "503" in event.attempt_log
    assert event.next_attempt_at > event.created_at
    sandbox.update_company(fortnox_company.data, fault_error_rate=0)
    OutboxEvent.objects.update(next_attempt_at=event.created_at)
    assert outbox.push_due() == 1
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DONE and event.attempts == 2
    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46701234567"
    assert not IntegrationError.objects.exists()


def test_a_refused_push_lands_in_the_error_log_and_retry_sends_it_again(activated, fortnox, tenant, client_for):
    emp = employee(tenant.organization)
    link_to_fortnox(emp, "9999")
    hr_actions.do_update_employee(emp, {"given_name": "Ann"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    error = IntegrationError.objects.get()
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED
    assert error.subject == "Ann Berg" and error.request_path == "/3/employees/9999" and error.sent == {"Employee": {"FirstName": "Ann"}}
    page = client_for(tenant.owner).get(reverse("integration_errors")).content.decode()
    assert "no longer exists in Fortnox" in page and "Retry" in page
    assert '<summary><code>PUT /3/employees/9999</code></summary><pre class="sent">{\n  &quot;Employee&quot;: {\n    &quot;FirstName&quot;: &quot;Ann&quot;' in page

    create_fortnox_employee(fortnox, EmployeeId="9999", Email="anna@alfa.test")
    response = client_for(tenant.owner).post(reverse("integration_error_retry", args=[error.pk]))
    assert response.status_code == 302
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.RETRIED
    outbox.push_due()
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    assert fortnox.get("/3/employees/9999")["FirstName"] == "Ann"


def test_a_synchronisations_log_and_summary_say_who_was_skipped_and_why(activated, fortnox, tenant):
    """Issue 15, defect 6: the log said "Skipped 1" and nothing else."""
    from django.core import mail

    from integrations.hr_sync.apply import apply_user_sync, do_start_user_sync
    from integrations.hr_sync.plan import do_plan_user_sync

    create_fortnox_employee(fortnox, EmployeeId="3002", FirstName="Dan", LastName="Nyman", Email="dan@alfa.test")
    fortnox.put("/3/employees/3002", {"Employee": {"Email": "API_BLANK"}})  # Fortnox requires it only on creation
    run = do_plan_user_sync(tenant.organization, acting_user=tenant.owner)
    do_start_user_sync(run, {"winners": {}, "fill": {}, "create": [p["key"] for p in run.data["plan"]["people"]]})
    apply_user_sync(run.pk)

    run.refresh_from_db()
    why = "This Fortnox employee has no email address, which Brygga needs to match people. Add it in Fortnox."
    assert run.counts["skipped"] == 1 and f"Dan Nyman: skipped — {why}" in run.log
    assert f"- Dan Nyman: {why}" in mail.outbox[-1].body
