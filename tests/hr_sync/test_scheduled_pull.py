"""Fortnox → Brygga by itself (issue 21): the scheduled pull reads the sandbox's employee list
over real HTTP through the product's client and compares three ways with the last synced values.
Runs are executed in this process (`execute_pull`, the job's body) except where the schedule and
the job cluster themselves are what is tested."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from hr import actions as hr_actions
from hr.models import ChangeRecord, Employee
from integrations.core import outbox
from integrations.core.models import ExternalLink, OutboxEvent, SyncRun
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync import fields as hr_fields
from integrations.hr_sync.models import EmployeeConflict, HrIntegrationSettings
from integrations.hr_sync.pull import RUN_KIND, do_queue_pull, do_resolve_conflict, record_conflict, scheduled_pull
from organizations.models import Notification
from tests.support.hr_sync import due_now, linked, pull
from tests.support.processes import wait_for


def test_the_sandboxs_employee_list_carries_every_field_brygga_syncs(activated, fortnox, tenant):
    linked(tenant.organization, fortnox)
    listed = next(fortnox.iterate("/3/employees"))
    wanted = {name for field in hr_fields.FIELDS for name in field.fortnox_fields} | {"Inactive"}
    assert wanted <= set(listed), wanted - set(listed)


def test_a_change_made_in_fortnox_only_is_applied_with_its_history_and_not_pushed_back(activated, fortnox, tenant, client_for):
    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "070-555 55 55", "City": "Malmö"}})

    run = pull(tenant.organization)

    anna.refresh_from_db()
    assert (anna.phone, anna.city) == ("+46705555555", "Malmö")
    record = ChangeRecord.objects.get(employee=anna, field_name="phone")
    assert (record.origin, record.source, record.changed_by) == ("external", "Fortnox", None)
    assert not OutboxEvent.objects.exists(), "a change from Fortnox was sent back to Fortnox"
    link = ExternalLink.link_of(anna, "employee")
    assert link.last_synced_values["phone"] == "+46705555555"
    assert run.counts.get("updated") == 1 and run.api_calls == 1
    assert "changed in Fortnox" in client_for(tenant.hr_admin).get(reverse("hr:employee_detail", args=[anna.pk])).content.decode()
    page = client_for(tenant.owner).get(reverse("hr_integration")).content.decode()
    assert "Fortnox was last read" in page and "Anna Berg: Phone, Address" in page

    assert pull(tenant.organization).counts.get("updated") is None, "the same change was applied twice"


def test_a_change_on_both_sides_is_one_conflict_that_overwrites_nothing_and_admins_hear_of_once(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()  # the push has not happened yet when Fortnox is read
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})

    pull(tenant.organization)
    pull(tenant.organization)

    conflict = EmployeeConflict.objects.get()
    assert (conflict.field, conflict.brygga_value, conflict.fortnox_value) == ("phone", "+46702222222", "+46703333333")
    assert conflict.brygga_changed_at is not None and conflict.resolved_at is None
    anna.refresh_from_db()
    assert anna.phone == "+46702222222" and fortnox.get("/3/employees/1001")["Phone1"] == "0703333333"
    assert Notification.objects.filter(user=tenant.owner).count() == 1, "admins are told once, not at every run"


def test_a_brygga_change_pushed_after_fortnox_changed_the_same_field_is_a_conflict_not_an_overwrite(
        activated, fortnox, tenant):
    # Found by the both-ways chaos run: the push sent Brygga's value over the one Fortnox had since.
    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})
    hr_actions.do_update_employee(anna, {"phone": "+46702222222", "city": "Malmö"}, acting_user=tenant.hr_admin)

    assert outbox.push_due() == 1

    sent = fortnox.get("/3/employees/1001")
    assert sent["Phone1"] == "0703333333", "Fortnox's change was overwritten"
    assert sent["City"] == "Malmö", "the field only Brygga changed was held back"
    conflict = EmployeeConflict.objects.get()
    assert (conflict.field, conflict.brygga_value, conflict.fortnox_value) == ("phone", "+46702222222", "+46703333333")
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    assert Notification.objects.filter(user=tenant.owner).count() == 1

    pull(tenant.organization)
    assert EmployeeConflict.objects.count() == 1 and Notification.objects.filter(user=tenant.owner).count() == 1
    hr_actions.do_update_employee(anna, {"phone": "+46704444444"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    assert fortnox.get("/3/employees/1001")["Phone1"] == "0703333333", "a field with an open conflict was pushed"


def test_a_fortnox_edit_between_the_pushs_read_and_its_rate_limited_write_is_a_conflict_not_an_overwrite(
        activated, fortnox, tenant, sandbox, fortnox_company, monkeypatch):
    # Found by the both-ways chaos run: the client waited out the 429 and re-sent the PUT it had
    # decided on before Fortnox changed, overwriting the change. The spy only times the sandbox's
    # edit and one-shot 429 to fall right after the push's read; every call is real HTTP.
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    real, meddled = FortnoxClient.read_then_write, []

    def read_then_edit_in_fortnox(client, path, decide):
        def meddle(document):
            if not meddled:
                meddled.append(sandbox.in_fortnox(fortnox_company.data["database_number"], "PUT", path,
                                                  {"Employee": {"Phone1": "0703333333"}}))
                sandbox.update_company(fortnox_company.data, fault_429_burst=1)
            return decide(document)

        return real(client, path, meddle)

    monkeypatch.setattr(FortnoxClient, "read_then_write", read_then_edit_in_fortnox)

    outbox.push_due()
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.PENDING and event.last_error.startswith("429"), event.last_error
    assert fortnox.get("/3/employees/1001")["Phone1"] == "0703333333", "the refused write was re-sent blindly"
    due_now()
    outbox.push_due()

    assert fortnox.get("/3/employees/1001")["Phone1"] == "0703333333", "Fortnox's change was overwritten"
    conflict = EmployeeConflict.objects.get()
    assert (conflict.field, conflict.brygga_value, conflict.fortnox_value) == ("phone", "+46702222222", "+46703333333")
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DONE


def test_brygga_changed_again_after_a_push_whose_answer_was_lost_is_no_conflict_and_the_latest_value_wins(
        activated, fortnox, tenant, sandbox, fortnox_company):
    # Fortnox then holds Brygga's own earlier value, unconfirmed: neither the pull nor the retry
    # may take it for a change made in Fortnox.
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    sandbox.update_company(fortnox_company.data, fault_drop_rate=1.0, fault_seed=1)
    outbox.push_due()
    sandbox.update_company(fortnox_company.data, fault_drop_rate=0.0)
    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46702222222", "the write was not applied before the drop"
    hr_actions.do_update_employee(anna, {"phone": "+46703333333"}, acting_user=tenant.hr_admin)

    pull(tenant.organization)
    OutboxEvent.objects.update(next_attempt_at=timezone.now())
    outbox.push_due()

    assert not EmployeeConflict.objects.exists()
    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46703333333"
    anna.refresh_from_db()
    assert anna.phone == "+46703333333"
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxEvent.Status.DONE}


def test_a_conflict_a_push_and_a_pull_find_at_once_is_recorded_once_without_an_error(activated, fortnox, tenant):
    # Found by the both-ways chaos benchmark: the pull, holding the open conflicts it read at its
    # start, met the one a push had just recorded and the run crashed on the one-open-per-field rule.
    anna = linked(tenant.organization, fortnox)

    first = record_conflict(anna, "phone", "+46702222222", "+46703333333")
    second = record_conflict(anna, "phone", "+46702222222", "+46703333333")

    assert first is not None and second is None
    assert EmployeeConflict.objects.open().get() == first


def test_a_conflict_resolved_with_fortnoxs_value_takes_it_into_brygga(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})
    pull(tenant.organization)

    do_resolve_conflict(EmployeeConflict.objects.get(), EmployeeConflict.FORTNOX, acting_user=tenant.owner)

    anna.refresh_from_db()
    assert anna.phone == "+46703333333" and not OutboxEvent.objects.exists()
    pull(tenant.organization)
    assert not EmployeeConflict.objects.open().exists()


def test_a_conflict_resolved_with_bryggas_value_pushes_it_and_the_next_pull_finds_agreement(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})
    pull(tenant.organization)

    do_resolve_conflict(EmployeeConflict.objects.get(), EmployeeConflict.BRYGGA, acting_user=tenant.owner)
    pull(tenant.organization)  # before the push: Brygga's value is a change on Brygga's side only
    assert not EmployeeConflict.objects.open().exists()
    assert outbox.push_due() == 1

    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46702222222"
    anna.refresh_from_db()
    assert anna.phone == "+46702222222"
    pull(tenant.organization)
    assert not EmployeeConflict.objects.open().exists()


def test_all_of_a_persons_conflicts_are_resolved_at_once_on_the_inbox(activated, fortnox, tenant, client_for):
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222", "city": "Uppsala"}, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333", "City": "Malmö"}})
    pull(tenant.organization)
    assert EmployeeConflict.objects.open().count() == 2
    client = client_for(tenant.hr_admin)
    page = client.get(reverse("hr_conflicts")).content.decode()
    assert "+46 70 222 22 22" in page and "+46 70 333 33 33" in page

    response = client.post(reverse("hr_conflicts_resolve_person", args=[anna.pk]), {"keep": "fortnox"})

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.city) == ("+46703333333", "Malmö")
    assert not EmployeeConflict.objects.open().exists()


def test_a_person_new_in_fortnox_is_listed_to_add_and_added_on_request(activated, fortnox, tenant, client_for):
    fortnox.post("/3/employees", {"Employee": {"EmployeeId": "4001", "FirstName": "Dan", "LastName": "Nyman",
                                               "Email": "dan@alfa.test"}})
    run = pull(tenant.organization)
    assert run.data["new_people"] == [{"external_id": "4001", "name": "Dan Nyman", "email": "dan@alfa.test"}]
    assert not Employee.objects.filter(email="dan@alfa.test").exists()
    client = client_for(tenant.owner)
    assert "Add to Brygga" in client.get(reverse("hr_integration")).content.decode()

    client.post(reverse("hr_add_from_fortnox"), {"external_id": "4001"})

    dan = Employee.objects.get(email="dan@alfa.test")
    assert ExternalLink.link_of(dan, "employee").external_id == "4001"
    assert "Add to Brygga" not in client.get(reverse("hr_integration")).content.decode()


def test_a_person_new_in_fortnox_is_added_by_themselves_when_the_setting_says_so(activated, fortnox, tenant):
    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(add_new_people=True)
    fortnox.post("/3/employees", {"Employee": {"EmployeeId": "4001", "FirstName": "Dan", "LastName": "Nyman",
                                               "Email": "dan@alfa.test"}})
    run = pull(tenant.organization)
    dan = Employee.objects.get(email="dan@alfa.test")
    assert ExternalLink.link_of(dan, "employee").external_id == "4001" and run.data["new_people"] == []
    assert ChangeRecord.objects.get(employee=dan).source == "Fortnox"
    assert not OutboxEvent.objects.exists()


def test_an_end_date_or_inactivity_set_in_fortnox_ends_the_employment_in_brygga(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox, employment_start=date(2020, 1, 1))
    bo = linked(tenant.organization, fortnox, given_name="Bo", email="bo@alfa.test", employment_id="2001",
                phone="+46702020202", employment_start=date(2020, 1, 1))
    pull(tenant.organization)  # Fortnox has both active
    fortnox.put("/3/employees/1001", {"Employee": {"EmployedTo": "2026-12-31"}})
    fortnox.put("/3/employees/2001", {"Employee": {"Inactive": True}})

    pull(tenant.organization)

    anna.refresh_from_db()
    bo.refresh_from_db()
    assert anna.employment_end == date(2026, 12, 31)
    assert bo.employment_end == timezone.localdate()
    assert not OutboxEvent.objects.exists()
    pull(tenant.organization)
    assert not EmployeeConflict.objects.exists()


def test_a_pull_never_overlaps_another_nor_a_user_synchronisation(activated, tenant):
    first = do_queue_pull(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED)
    assert first is not None
    assert do_queue_pull(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED) is None
    assert scheduled_pull(tenant.organization.pk) is None
    assert SyncRun.objects.filter(kind=RUN_KIND).count() == 1
    SyncRun.objects.filter(pk=first.pk).update(status=SyncRun.Status.SUCCEEDED)
    SyncRun.objects.create(organization=tenant.organization, kind="hr_users", status=SyncRun.Status.RUNNING)
    assert do_queue_pull(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED) is None


def test_an_idle_run_costs_one_call_for_a_few_hundred_people(activated, fortnox, tenant):
    for number in range(3):
        linked(tenant.organization, fortnox, email=f"p{number}@alfa.test", employment_id=f"50{number}",
               phone=f"+4670100000{number}")
    run = pull(tenant.organization)
    assert run.api_calls == 1 and run.counts.get("updated") is None and run.progress_done == 3


def test_only_admins_and_hr_admins_see_the_inbox_and_only_their_organizations_conflicts(activated, fortnox, tenant, other_tenant, client_for):
    anna = linked(tenant.organization, fortnox)
    conflict = EmployeeConflict.objects.create(organization=tenant.organization, employee=anna, field="phone",
                                               brygga_value="+46702222222", fortnox_value="+46703333333")
    for user in (tenant.manager, tenant.employee):
        assert client_for(user).get(reverse("hr_conflicts")).status_code in (403, 404)
        assert client_for(user).post(reverse("hr_conflict_resolve", args=[conflict.pk]), {"keep": "fortnox"}).status_code in (403, 404)
    outsider_admin = client_for(other_tenant.owner)
    assert "+46 70 333 33 33" not in outsider_admin.get(reverse("hr_conflicts")).content.decode()
    assert outsider_admin.post(reverse("hr_conflict_resolve", args=[conflict.pk]), {"keep": "fortnox"}).status_code == 404
    assert EmployeeConflict.objects.get().resolved_at is None
    for user in (tenant.owner, tenant.hr_admin):
        assert "+46 70 333 33 33" in client_for(user).get(reverse("hr_conflicts")).content.decode()


def test_the_settings_switch_and_adjust_the_schedule(activated, tenant, client_for):
    client = client_for(tenant.owner)
    client.post(reverse("hr_settings"), {"pull_enabled": "on", "pull_interval_minutes": "30"})
    settings = HrIntegrationSettings.objects.get(organization=tenant.organization)
    assert Schedule.objects.get(name=settings.pull_schedule_name).minutes == 30
    assert client.post(reverse("hr_settings"), {"pull_enabled": "on", "pull_interval_minutes": "4"}).status_code == 200
    assert client.post(reverse("hr_settings"), {"pull_enabled": "on", "pull_interval_minutes": "1441"}).status_code == 200
    client.post(reverse("hr_settings"), {"pull_interval_minutes": "30"})
    assert not Schedule.objects.filter(name=settings.pull_schedule_name).exists()


@pytest.mark.slow
@pytest.mark.schedules_checked_often
def test_a_fortnox_edit_reaches_brygga_through_the_schedule_on_a_real_job_cluster(activated, fortnox, tenant, client_for, cluster):
    anna = linked(tenant.organization, fortnox)
    client_for(tenant.owner).post(reverse("hr_settings"), {"pull_enabled": "on", "pull_interval_minutes": "5"})
    settings = HrIntegrationSettings.objects.get(organization=tenant.organization)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0704444444"}})
    Schedule.objects.filter(name=settings.pull_schedule_name).update(next_run=timezone.now() - timedelta(seconds=1))

    wait_for(lambda: Employee.objects.get(pk=anna.pk).phone == "+46704444444", 60, "the scheduled pull")

    run = SyncRun.objects.get(kind=RUN_KIND)
    assert run.trigger == SyncRun.Trigger.SCHEDULED and run.api_calls == 1
    assert not OutboxEvent.objects.exists()
