"""Absences → Fortnox absence transactions against the sandbox over real HTTP, through the
product's client; jobs are run in the test process (`outbox.push_due`) except where a real
cluster is the point."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hr import actions as hr_actions
from integrations.absence_sync.models import AbsenceTransfer
from integrations.core import outbox
from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent
from integrations.hr_sync.models import AbsenceTypeMapping
from organizations.models import Notification
from tests.support.absences import MONDAY, sick, week

pytestmark = pytest.mark.slow

def methods(world) -> list[str]:
    """The absence and schedule requests Fortnox received, oldest first."""
    calls = [f"{e['method']} {e['path'].split('/3/')[-1].split('/')[0]}" for e in reversed(world.sandbox.request_log(world.company.data))]
    return [call for call in calls if call.endswith(("absencetransactions", "scheduletimes"))]


def test_an_approved_absence_becomes_one_transaction_per_scheduled_day_with_hours_from_the_schedule(world, client_for):
    absence = sick(world, grade=100)  # Monday to Sunday: five days with hours
    outbox.push_due()
    assert world.transactions() == week()
    log = methods(world)
    assert log.count("POST absencetransactions") == 5 and log.count("GET scheduletimes") == 7 and len(log) == 12
    page = client_for(world.tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert "Sent to Fortnox" in page and "5 days, 40 h in Fortnox" in page


def test_approve_edit_shorten_unapprove_and_delete_are_followed_day_by_day_touching_only_affected_days(world):
    absence = hr_actions.do_request_absence(world.anna, {
        "absence_type": world.types["vacation"], "start_date": MONDAY, "end_date": MONDAY + timedelta(days=4),
        "grade": 100, "note": ""}, acting_user=world.tenant.employee)
    assert outbox.push_due() == 0 and world.transactions() == []  # requested, not approved
    hr_actions.do_approve_absence(absence, acting_user=world.tenant.manager)
    outbox.push_due()
    assert world.transactions() == week("SEM")

    before = len(methods(world))
    hr_actions.do_update_absence(absence, {"grade": 50}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SEM", 50.0, 4.0)
    assert methods(world)[before:] == ["PUT absencetransactions"] * 5  # schedule read from the cache

    before = len(methods(world))
    hr_actions.do_update_absence(absence, {"start_date": MONDAY + timedelta(days=2), "end_date": MONDAY + timedelta(days=7)},
                                 acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SEM", 50.0, 4.0, MONDAY + timedelta(days=2), 3) + week("SEM", 50.0, 4.0, MONDAY + timedelta(days=7), 1)
    assert sorted(m for m in methods(world)[before:] if "absencetransactions" in m) == ["DELETE absencetransactions"] * 2 + ["POST absencetransactions"]

    hr_actions.do_update_absence(absence, {"end_date": MONDAY + timedelta(days=2)}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SEM", 50.0, 4.0, MONDAY + timedelta(days=2), 1)

    hr_actions.do_cancel_absence(absence, acting_user=world.tenant.hr_admin)  # no longer approved
    outbox.push_due()
    assert world.transactions() == []

    second = sick(world)
    outbox.push_due()
    assert len(world.transactions()) == 5
    hr_actions.do_update_absence(second, {"end_date": None}, acting_user=world.tenant.hr_admin)  # loses its end date
    outbox.push_due()
    assert world.transactions() == []
    hr_actions.do_update_absence(second, {"end_date": MONDAY}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week(days=1)
    hr_actions.do_delete_absence(second, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [] and not ExternalLink.objects.filter(kind="absence_transaction").exists()


def test_a_create_whose_answer_was_lost_is_found_again_and_never_made_twice(world):
    world.sandbox.update_company(world.company.data, fault_drop_rate=1.0)  # applied, then the connection drops
    sick(world, end=MONDAY)
    outbox.push_due()
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.PENDING and event.attempts == 1
    assert world.transactions() == week(days=1)  # Fortnox has it; Brygga never heard back
    world.sandbox.update_company(world.company.data, fault_drop_rate=0)
    OutboxEvent.objects.update(next_attempt_at=event.created_at)
    outbox.push_due()
    assert world.transactions() == week(days=1)
    link = ExternalLink.objects.get(kind="absence_transaction")
    assert link.external_id == world.sandbox.records(world.company.data, "absencetransactions")[0]["document"]["id"]
    assert "POST absencetransactions" not in methods(world)[-1:]


def test_a_locked_salary_period_lands_in_the_error_log_tells_the_right_people_and_retry_sends_it(world, client_for):
    world.sandbox.update_company(world.company.data, locked_salary_until=(MONDAY + timedelta(days=1)).isoformat())
    absence = sick(world)
    outbox.push_due()
    assert world.transactions() == week(start=MONDAY + timedelta(days=2), days=3)  # the open days went through
    error = IntegrationError.objects.get()
    assert error.fortnox_code == "2003456" and "Löneperioden är låst" in error.fortnox_message
    assert error.request_method == "POST" and error.sent["AbsenceTransaction"]["Date"] == MONDAY.isoformat()
    assert "Fortnox refused the change" in error.message and "Anna Berg" in error.subject
    told = set(Notification.objects.values_list("user__email", flat=True))
    # The admins, the HR admin who registered it, the employee and their manager.
    assert told == {world.tenant.owner.email, world.tenant.hr_admin.email, world.tenant.employee.email, world.tenant.manager.email}
    assert {m.to[0] for m in mail.outbox} == told and "refused" in mail.outbox[0].subject
    links = dict(Notification.objects.values_list("user__email", "link"))
    entry = f"{reverse('integration_errors')}#error-{error.pk}"
    assert links == {world.tenant.owner.email: entry, world.tenant.hr_admin.email: entry,
                     world.tenant.employee.email: reverse("hr:my_absences"), world.tenant.manager.email: reverse("hr:approvals")}
    assert OutboxEvent.objects.get().attempts == 1  # not retried blindly

    page = client_for(world.tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert "Failed in Fortnox" in page and reverse("absence_fortnox_retry", args=[absence.pk]) in page
    assert f"#error-{error.pk}" not in page  # the error log is for organization admins: HR admins retry here
    page = client_for(world.tenant.owner).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert f"#error-{error.pk}" in page
    log = client_for(world.tenant.owner).get(reverse("integration_errors")).content.decode()
    assert "2003456" in log and "Retry" in log

    world.sandbox.update_company(world.company.data, locked_salary_until=None)
    client_for(world.tenant.owner).post(reverse("integration_error_retry", args=[error.pk]))
    outbox.push_due()
    assert world.transactions() == week()
    page = client_for(world.tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert "5 days, 40 h in Fortnox" in page


def test_an_employee_unknown_to_fortnox_is_refused_into_the_error_log(world):
    ExternalLink.objects.filter(kind="employee").update(external_id="9999")
    sick(world, end=MONDAY)
    outbox.push_due()
    error = IntegrationError.objects.get()
    assert error.fortnox_code == "2003450" and AbsenceTransfer.objects.get().error == error


def test_transactions_made_by_hand_in_fortnox_are_never_touched(world):
    by_hand = [world.fortnox.post("/3/absencetransactions", {"AbsenceTransaction": {
        "EmployeeId": "1001", "CauseCode": "SJK", "Date": day, "Extent": 25}}) for day in ("2026-03-02", "2026-03-10")]
    absence = sick(world)
    outbox.push_due()
    hr_actions.do_update_absence(absence, {"grade": 60}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    hr_actions.do_delete_absence(absence, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    left = {r["document"]["id"]: r["document"] for r in world.sandbox.records(world.company.data, "absencetransactions")}
    assert set(left) == {t["id"] for t in by_hand}
    assert all(float(left[t["id"]]["Extent"]) == 25 for t in by_hand)


def test_a_mapping_change_disconnects_old_transactions_and_editing_them_in_fortnox_reconnects_them(world):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    AbsenceTypeMapping.objects.filter(absence_type=world.types["sick_leave"]).update(cause_code="FRA")
    hr_actions.do_update_absence(absence, {"grade": 50}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week(days=2)  # SJK left as it was, and no FRA beside it on those days

    monday_sjk = next(r["document"] for r in world.sandbox.records(world.company.data, "absencetransactions")
                      if r["document"]["CauseCode"] == "SJK" and r["document"]["Date"] == MONDAY.isoformat())
    world.fortnox.put(f"/3/absencetransactions/{monday_sjk['id']}", {"AbsenceTransaction": {"CauseCode": "FRA"}})
    hr_actions.do_update_absence(absence, {"grade": 75}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == sorted(week("SJK", start=MONDAY + timedelta(days=1), days=1) + week("FRA", 75.0, 6.0, days=1))
    kept = {link.external_id for link in ExternalLink.objects.filter(kind="absence_transaction")}
    assert monday_sjk["id"] in kept  # the reconnected one is Brygga's again and follows the absence


def test_a_retyped_absence_changes_its_transactions_cause_code_and_one_retyped_to_do_not_transfer_removes_them(world):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    hr_actions.do_update_absence(absence, {"absence_type": world.types["vacation"]}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SEM", days=2)  # the sick leave is gone, not left beside the vacation
    assert methods(world)[-2:] == ["PUT absencetransactions"] * 2

    hr_actions.do_update_absence(absence, {"absence_type": world.types["other"]}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == [] and not ExternalLink.objects.filter(kind="absence_transaction").exists()


def settle(world, rounds=40):
    """Run due jobs until none is left, skipping the backoff waits."""
    for _ in range(rounds):
        OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).update(next_attempt_at=timezone.now())
        if not outbox.push_due():
            return
    raise AssertionError("jobs did not settle")


def test_edits_under_failures_and_dropped_answers_end_with_exactly_the_right_transactions(world):
    world.sandbox.update_company(world.company.data, fault_error_rate=0.25, fault_drop_rate=0.25, fault_seed=3)
    absence = sick(world, end=MONDAY + timedelta(days=2))
    settle(world)
    for values in ({"grade": 50}, {"start_date": MONDAY + timedelta(days=1), "end_date": MONDAY + timedelta(days=4)},
                   {"grade": 100, "end_date": MONDAY + timedelta(days=3)}):
        hr_actions.do_update_absence(absence, values, acting_user=world.tenant.hr_admin)
        settle(world)
    faults = [entry for entry in world.sandbox.request_log(world.company.data) if entry["fault"]]
    world.sandbox.update_company(world.company.data, fault_error_rate=0, fault_drop_rate=0)
    assert faults and world.transactions() == week(start=MONDAY + timedelta(days=1), days=3)
    assert not IntegrationError.objects.exists()


def test_switching_absence_creation_off_leaves_what_fortnox_holds_alone(world):
    from integrations.hr_sync.models import HrIntegrationSettings

    absence = sick(world, end=MONDAY)
    outbox.push_due()
    HrIntegrationSettings.objects.update(create_absences=False)
    hr_actions.do_update_absence(absence, {"grade": 40}, acting_user=world.tenant.hr_admin)
    hr_actions.do_delete_absence(absence, acting_user=world.tenant.hr_admin)
    assert outbox.push_due() == 0 and world.transactions() == week(days=1)


def test_a_transient_failure_is_retried_with_backoff_and_reaches_the_log_only_when_it_gives_up(world):
    world.sandbox.update_company(world.company.data, fault_error_rate=1.0, fault_error_status=503)
    sick(world, end=MONDAY)
    outbox.push_due()
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.PENDING and event.next_attempt_at > event.created_at
    assert not IntegrationError.objects.exists() and not Notification.objects.exists()
    OutboxEvent.objects.update(attempts=outbox.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    outbox.push_due()
    error = IntegrationError.objects.get()
    assert "temporary fault" in error.message and Notification.objects.count() == 4
    assert world.transactions() == []
