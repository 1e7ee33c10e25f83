"""Absence in hours (part of one day) with Fortnox: the sandbox over real HTTP, the limit from the
person's Fortnox working-time schedule (/3/scheduletimes), the transaction's `Hours`."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import Absence
from integrations.core import outbox
from integrations.core.models import ExternalLink
from tests.support.absences import MONDAY
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow


def requests_to(world, resource: str) -> list[str]:
    """The methods of the requests Fortnox received for `resource`, oldest first."""
    log = reversed(world.sandbox.request_log(world.company.data))
    return [e["method"] for e in log if e["path"].split("/3/")[-1].startswith(resource)]


def care_of_child(world, hours="2", day=MONDAY, **fields):
    return hr_actions.do_request_absence(world.anna, {
        "absence_type": world.types["care_of_child"], "start_date": day, "end_date": None, "grade": 100,
        "hours": Decimal(hours), "note": "", **fields}, acting_user=world.tenant.employee)


def set_fortnox_schedule(world, schedule_id: str) -> None:
    world.fortnox.put("/3/employees/1001", {"Employee": {"ScheduleId": schedule_id}})


def test_two_hours_of_care_of_a_sick_child_reach_fortnox_as_one_transaction_of_two_hours_under_vab(world, cluster, client_for):
    client = client_for(world.tenant.employee)
    response = client.post(reverse("hr:my_absences"), {
        "absence_type": world.types["care_of_child"].pk, "length": "hours", "start_date": MONDAY.isoformat(),
        "hours": "2", "note": "Feber"})
    assert response.status_code == 302, response.content.decode()
    wait_for(lambda: world.transactions() == [(MONDAY.isoformat(), "VAB", 25.0, 2.0)])
    stored = world.sandbox.records(world.company.data, "absencetransactions")
    assert len(stored) == 1 and stored[0]["document"]["EmployeeId"] == "1001"
    assert stored[0]["document"]["CauseCode"] == "VAB" and float(stored[0]["document"]["Hours"]) == 2.0
    wait_for(lambda: "2 h in Fortnox" in client.get(reverse("hr:my_absences")).content.decode())
    page = client_for(world.tenant.hr_admin).get(
        reverse("hr:absence_edit", args=[Absence.objects.get().pk])).content.decode()
    assert "Sent to Fortnox" in page and "2 h in Fortnox" in page


def test_more_than_the_fortnox_schedule_gives_that_day_is_refused_naming_the_limit(world):
    set_fortnox_schedule(world, "DEL")  # 4 hours a day in Fortnox (Brygga's calendar would say 8)
    with pytest.raises(ValidationError) as refused:
        care_of_child(world, hours="5")
    assert ("Anna Berg works 4 hours on 2 Mar 2026 (their working-time schedule in Fortnox), so an absence of part "
            "of that day can be at most 4 hours, not 5.") in " ".join(refused.value.messages)
    assert not Absence.objects.exists()
    care_of_child(world, hours="4")
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 100.0, 4.0)]


def test_a_day_the_fortnox_schedule_gives_0_hours_is_refused_until_the_schedule_is_set(world):
    set_fortnox_schedule(world, "NOLL")  # what a new Fortnox employee gets before their schedule is set
    with pytest.raises(ValidationError, match=r"has no working time on 2 Mar 2026 \(0 hours in their working-time schedule in Fortnox\)"):
        care_of_child(world)
    set_fortnox_schedule(world, "HEL")
    care_of_child(world)  # the cached 0 is read again: the admin may have set the schedule since
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 25.0, 2.0)]


def test_editing_the_hours_reads_the_transaction_then_changes_it_and_deleting_removes_it(world, client_for):
    absence = care_of_child(world)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 25.0, 2.0)]
    before = len(requests_to(world, "absencetransactions"))

    hr_actions.do_update_absence(absence, {"hours": Decimal("3.5")}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 43.75, 3.5)]
    assert requests_to(world, "absencetransactions")[before:] == ["GET", "PUT"]  # read before write
    link = ExternalLink.objects.get(kind="absence_transaction")
    assert link.last_synced_values["Hours"] == 3.5

    # Someone already made the same change in Fortnox: Brygga reads it and writes nothing.
    world.fortnox.put(f"/3/absencetransactions/{link.external_id}", {"AbsenceTransaction": {"Hours": 1, "Extent": 12.5}})
    before = len(requests_to(world, "absencetransactions"))
    hr_actions.do_update_absence(absence, {"hours": Decimal("1")}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert requests_to(world, "absencetransactions")[before:] == ["GET"]
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 12.5, 1.0)]

    page = client_for(world.tenant.hr_admin).get(reverse("hr:absence_delete", args=[absence.pk])).content.decode()
    assert "Its 1 h in Fortnox are deleted there too." in page
    hr_actions.do_delete_absence(absence, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [] and not ExternalLink.objects.filter(kind="absence_transaction").exists()


def test_a_transaction_deleted_in_fortnox_is_made_again_when_the_hours_change(world):
    absence = care_of_child(world)
    outbox.push_due()
    link = ExternalLink.objects.get(kind="absence_transaction")
    world.fortnox.delete(f"/3/absencetransactions/{link.external_id}")
    hr_actions.do_update_absence(absence, {"hours": Decimal("3")}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "VAB", 37.5, 3.0)]


def test_a_whole_day_absence_turned_into_hours_keeps_one_day_in_fortnox(world):
    absence = hr_actions.do_register_absence(world.anna, {
        "absence_type": world.types["sick_leave"], "start_date": MONDAY, "end_date": MONDAY, "grade": 100, "note": ""},
        acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "SJK", 100.0, 8.0)]
    hr_actions.do_update_absence(absence, {"hours": Decimal("6")}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "SJK", 75.0, 6.0)]
    hr_actions.do_update_absence(absence, {"hours": None}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "SJK", 100.0, 8.0)]


def test_a_requested_absence_in_hours_waits_for_approval_and_rejection_sends_nothing(world):
    leave = hr_actions.do_request_absence(world.anna, {
        "absence_type": world.types["vacation"], "start_date": MONDAY, "end_date": None, "grade": 100,
        "hours": Decimal("2"), "note": ""}, acting_user=world.tenant.employee)
    outbox.push_due()
    assert world.transactions() == []
    hr_actions.do_reject_absence(leave, acting_user=world.tenant.manager)
    outbox.push_due()
    assert world.transactions() == []
    second = hr_actions.do_request_absence(world.anna, {
        "absence_type": world.types["vacation"], "start_date": MONDAY, "end_date": None, "grade": 100,
        "hours": Decimal("2.5"), "note": ""}, acting_user=world.tenant.employee)
    hr_actions.do_approve_absence(second, acting_user=world.tenant.manager)
    outbox.push_due()
    assert world.transactions() == [(MONDAY.isoformat(), "SEM", 31.25, 2.5)]
