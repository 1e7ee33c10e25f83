"""Personal data in stored copies (issue 16): what was sent to Fortnox and user synchronisations'
plans hold bank accounts and personal identity numbers masked to their last four digits from the
moment they are written, while Fortnox still gets the full values; a daily django-q2 job purges
the copies after PERSONAL_DATA_RETENTION_DAYS. Rows are read back with SQL, as a database dump
would show them."""

import json
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from hr import actions as hr_actions
from hr.models import Employee
from integrations.core import outbox, personal_data
from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent, SyncRun
from integrations.hr_sync.apply import apply_user_sync, do_start_user_sync
from integrations.hr_sync.plan import do_plan_user_sync
from tests.support.hr_sync import create_fortnox_employee, employee

CLEARING, ACCOUNT = "5000", "4999622"  # a valid Swedish bank account (check digit and all)
SHOWN = "••••-•••9622"  # as the employee page shows it to people who are not HR admins


def stored(model, column: str, pk: int) -> str:
    """A JSON column as the database holds it, decoded (SQLite stores "•" as \\u2022)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return json.dumps(json.loads(value) if isinstance(value, str) else value, ensure_ascii=False)


def linked(emp, external_id):
    return ExternalLink.objects.create(organization=emp.organization, kind="employee", external_id=external_id,
                                       content_type=ContentType.objects.get_for_model(Employee), object_id=emp.pk)


def test_masking_keeps_the_last_four_digits_of_bank_accounts_and_personal_identity_numbers_only():
    body = {"Employee": {"FirstName": "Åsa", "ClearingNo": "8327", "BankAccountNo": "9371234567",
                         "PersonalIdentityNumber": "19850101-1234", "Phone1": "+46701234567"}}
    assert personal_data.masked(body) == {"Employee": {
        "FirstName": "Åsa", "ClearingNo": "••••", "BankAccountNo": "••••••4567", "PersonalIdentityNumber": "••••••••-1234",
        "Phone1": "+46701234567",
    }}
    plan_values = {"bank_account": ["83279", "2786838738"], "personal_identity_number": "198501011234", "email": "a@b.se"}
    assert personal_data.masked([plan_values]) == [{
        "bank_account": ["•••••", "••••••8738"], "personal_identity_number": "••••••••1234", "email": "a@b.se",
    }]
    assert personal_data.masked(personal_data.masked(body)) == personal_data.masked(body)


def test_a_bank_account_pushed_in_real_time_reaches_fortnox_in_full_and_is_stored_masked(activated, fortnox, tenant):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    emp = employee(tenant.organization)
    linked(emp, "1001")
    hr_actions.do_update_employee(emp, {"clearing_number": CLEARING, "account_number": ACCOUNT}, acting_user=tenant.hr_admin)
    assert outbox.push_due() == 1

    in_fortnox = fortnox.get("/3/employees/1001")
    assert (in_fortnox["ClearingNo"], in_fortnox["BankAccountNo"]) == (CLEARING, ACCOUNT)
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.DONE
    row = stored(OutboxEvent, "payload", event.pk)
    assert ACCOUNT not in row and '"BankAccountNo": "•••9622"' in row and '"ClearingNo": "••••"' in row


def test_a_refused_push_keeps_and_shows_only_the_masked_bank_account(activated, fortnox, tenant, client_for):
    emp = employee(tenant.organization)
    linked(emp, "9999")  # Fortnox has no such employee: refused for good
    hr_actions.do_update_employee(emp, {"clearing_number": CLEARING, "account_number": ACCOUNT}, acting_user=tenant.hr_admin)
    outbox.push_due()

    error = IntegrationError.objects.get()
    assert ACCOUNT not in stored(IntegrationError, "sent", error.pk) + stored(OutboxEvent, "payload", error.outbox_event_id)
    assert error.sent == {"Employee": {"ClearingNo": "••••", "BankAccountNo": "•••9622"}}
    page = client_for(tenant.owner).get(reverse("integration_errors")).content.decode()
    assert "•••9622" in page and ACCOUNT not in page


def test_a_user_synchronisation_stores_its_plan_masked_and_still_applies_full_bank_accounts_both_ways(activated, fortnox, tenant, client_for):
    org = tenant.organization
    anna = employee(org)  # no bank account in Brygga; Fortnox has one
    bo = employee(org, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001",
                  clearing_number=CLEARING, account_number=ACCOUNT)  # and the other way round
    create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Anna", LastName="Berg", Email="anna@alfa.test",
                            ClearingNo="6000", BankAccountNo="812865707")
    create_fortnox_employee(fortnox, EmployeeId="2001", FirstName="Bo", LastName="Lind", Email="bo@alfa.test")

    run = do_plan_user_sync(org, acting_user=tenant.owner)
    row = stored(SyncRun, "data", run.pk)
    assert ACCOUNT not in row and "812865707" not in row
    page = client_for(tenant.owner).get(reverse("hr_sync_review", args=[run.pk])).content.decode()
    assert SHOWN in page and "••••-•••••5707" in page and ACCOUNT not in page and "812865707" not in page

    run.refresh_from_db()
    do_start_user_sync(run, {"winners": {}, "fill": {f"m{anna.pk}": ["bank_account"], f"m{bo.pk}": ["bank_account"]}, "create": []})
    apply_user_sync(run.pk)  # the job, in this process (as tests/hr_sync/test_stalled_runs.py runs it)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    anna.refresh_from_db()
    assert (anna.clearing_number, anna.account_number) == ("6000", "812865707")
    in_fortnox = fortnox.get("/3/employees/2001")
    assert (in_fortnox["ClearingNo"], in_fortnox["BankAccountNo"]) == (CLEARING, ACCOUNT)
    row = stored(SyncRun, "data", run.pk)
    assert ACCOUNT not in row and "812865707" not in row and personal_data.SEALED not in row


def test_a_plan_that_no_longer_holds_the_full_values_never_writes_masked_ones(activated, fortnox, tenant):
    org = tenant.organization
    employee(org, clearing_number=CLEARING, account_number=ACCOUNT)
    create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Anna", LastName="Berg", Email="anna@alfa.test")
    run = do_plan_user_sync(org, acting_user=tenant.owner)
    run.refresh_from_db()
    run.data = {**run.data, "plan": personal_data.without_sealed(run.data["plan"])}  # as if lost
    run.save(update_fields=["data"])
    key = run.data["plan"]["people"][0]["key"]
    do_start_user_sync(run, {"winners": {}, "fill": {key: ["bank_account"]}, "create": []})
    apply_user_sync(run.pk)

    run.refresh_from_db()
    assert run.counts.get("failed") == 1 and "synchronise again" in run.log
    assert fortnox.get("/3/employees/1001")["BankAccountNo"] in ("", None)


def test_copies_older_than_the_retention_period_are_purged_and_an_unapplied_plan_is_given_up(tenant, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    org, now = tenant.organization, timezone.now()
    emp = employee(org)
    kept, expired = now - timedelta(days=29), now - timedelta(days=31)
    sent = {"method": "PUT", "path": "/3/employees/1", "body": {"Employee": {"BankAccountNo": ACCOUNT}}}

    def event(created_at):
        return OutboxEvent.objects.create(organization=org, kind="employee_update", object_id=emp.pk,
                                          content_type=ContentType.objects.get_for_model(Employee), created_at=created_at,
                                          status=OutboxEvent.Status.DONE, payload={"fields": ["bank_account"], "sent": sent})

    def error(created_at):
        return IntegrationError.objects.create(organization=org, kind="employee_update", message="refused",
                                               sent=sent["body"], created_at=created_at)

    def run(created_at, status):
        return SyncRun.objects.create(organization=org, kind="hr_users", status=status, created_at=created_at,
                                      data={"plan": {"people": [{"key": "m1", "brygga": {"bank_account": [CLEARING, ACCOUNT]}}]},
                                            "failures": []})

    old = [event(expired), error(expired), run(expired, SyncRun.Status.SUCCEEDED), run(expired, SyncRun.Status.PLANNED)]
    recent = [event(kept), error(kept), run(kept, SyncRun.Status.SUCCEEDED), run(kept, SyncRun.Status.PLANNED)]

    assert personal_data.purge_expired() == {"outbox_events": 1, "integration_errors": 1, "sync_runs": 2}
    for each in old + recent:
        each.refresh_from_db()
    assert old[0].payload == {"fields": ["bank_account"]} and old[1].sent == {}
    assert old[2].data == {"failures": []} and old[2].status == SyncRun.Status.SUCCEEDED
    assert old[3].data == {"failures": []} and old[3].status == SyncRun.Status.ABANDONED and "30 days" in old[3].error
    assert recent[0].payload["sent"]["body"] == {"Employee": {"BankAccountNo": "•••9622"}}
    assert recent[1].sent and "plan" in recent[2].data and recent[3].status == SyncRun.Status.PLANNED
    assert personal_data.purge_expired() == {"outbox_events": 0, "integration_errors": 0, "sync_runs": 0}


def test_the_purge_is_a_daily_django_q2_schedule(db):
    from pydoc import locate

    schedule = Schedule.objects.get(name=personal_data.PURGE_SCHEDULE)
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    assert locate(schedule.func) is personal_data.purge_expired
