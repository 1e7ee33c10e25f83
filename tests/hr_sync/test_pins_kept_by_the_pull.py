"""Personal identity numbers (and bank accounts) in what the scheduled pull keeps: a link
remembers only a keyed fingerprint of the value both sides agreed on (with its masked form), which
is all the three-way comparison needs; an open conflict holds both values in full for whoever
resolves it, encrypted at rest, and masked once it is resolved; Fortnox's refusal quoting one is
kept with it masked. Rows are read with SQL, as a database dump would show them."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import Employee
from integrations.core import personal_data
from integrations.core.models import ExternalLink, OutboxEvent
from integrations.hr_sync.models import EmployeeConflict
from tests.support.hr_sync import employee, linked, pull

PIN, OTHER_PIN, THIRD_PIN = "19811218-9876", "19850101-1236", "19701271-2340"
DIGITS = ("198112189876", "198501011236", "197012712340")


def row_text(model, pk) -> str:
    """Every column of one row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


def holds_a_pin(text: str) -> bool:
    flat = text.replace("-", "")
    return any(digits in flat for digits in DIGITS)


def test_a_link_keeps_a_fingerprint_of_the_pin_and_the_pull_still_takes_a_new_one_from_fortnox(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox, personal_identity_number=PIN)
    link = ExternalLink.link_of(anna, "employee")
    assert not holds_a_pin(row_text(ExternalLink, link.pk))
    assert link.last_synced_values["personal_identity_number"]["masked"] == "••••••••-9876"

    assert pull(tenant.organization).counts.get("updated") is None, "an unchanged number read as a change"
    fortnox.put("/3/employees/1001", {"Employee": {"PersonalIdentityNumber": OTHER_PIN}})
    assert pull(tenant.organization).counts.get("updated") == 1

    anna.refresh_from_db()
    assert anna.personal_identity_number == OTHER_PIN and not OutboxEvent.objects.exists()
    link.refresh_from_db()
    assert link.last_synced_values["personal_identity_number"] == personal_data.fingerprint("personal_identity_number", OTHER_PIN)
    assert not holds_a_pin(row_text(ExternalLink, link.pk))
    assert pull(tenant.organization).counts.get("updated") is None, "the same change was applied twice"


def test_a_pin_changed_on_both_sides_is_a_conflict_shown_in_full_stored_encrypted_and_masked_once_resolved(
        activated, fortnox, tenant, client_for):
    anna = linked(tenant.organization, fortnox, personal_identity_number=PIN)
    hr_actions.do_update_employee(anna, {"personal_identity_number": OTHER_PIN}, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()  # the push has not happened yet when Fortnox is read
    fortnox.put("/3/employees/1001", {"Employee": {"PersonalIdentityNumber": THIRD_PIN}})

    pull(tenant.organization)

    conflict = EmployeeConflict.objects.get()
    assert (conflict.field, conflict.brygga_value, conflict.fortnox_value) == ("personal_identity_number", OTHER_PIN, THIRD_PIN)
    assert not holds_a_pin(row_text(EmployeeConflict, conflict.pk)), "the open conflict's values are not encrypted"
    client = client_for(tenant.hr_admin)
    page = client.get(reverse("hr_conflicts")).content.decode()
    assert OTHER_PIN in page and THIRD_PIN in page, "whoever resolves must see what they choose between"

    assert client.post(reverse("hr_conflict_resolve", args=[conflict.pk]), {"keep": "fortnox"}).status_code == 302

    assert Employee.objects.get(pk=anna.pk).personal_identity_number == THIRD_PIN
    conflict.refresh_from_db()
    assert (conflict.brygga_value, conflict.fortnox_value) == ("••••••••-1236", "••••••••-2340")
    link = ExternalLink.link_of(anna, "employee")
    assert not holds_a_pin(row_text(ExternalLink, link.pk))
    assert pull(tenant.organization).counts.get("updated") is None and not EmployeeConflict.objects.open().exists()


def test_a_conflict_that_is_not_about_personal_data_keeps_its_values_once_resolved_but_encrypted(tenant):
    conflict = EmployeeConflict.objects.create(organization=tenant.organization, employee=employee(tenant.organization),
                                               field="phone", brygga_value="+46702222222", fortnox_value="+46703333333")
    assert "46702222222" not in row_text(EmployeeConflict, conflict.pk)
    conflict.resolved_at = conflict.fortnox_seen_at
    conflict.save(update_fields=["resolved_at"])
    conflict.refresh_from_db()
    assert (conflict.brygga_value, conflict.fortnox_value) == ("+46702222222", "+46703333333")


def test_links_and_conflicts_written_before_are_converted_by_the_migrations(transactional_db, tenant):
    before = [("integrations", "0013_connection_service_account"), ("hr_sync", "0003_create_employees_help_text")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        anna = employee(tenant.organization, personal_identity_number=PIN)
        with connection.cursor() as cursor:  # as the old code wrote them: JSON in plain text
            cursor.execute(
                f"INSERT INTO {ExternalLink._meta.db_table} (organization_id, kind, content_type_id, object_id, external_id,"
                " last_synced_values, synced_at) VALUES (%s, 'employee', %s, %s, '1001', %s, CURRENT_TIMESTAMP)",
                [tenant.organization.pk, _employee_type(), anna.pk,
                 f'{{"personal_identity_number": "{PIN}", "bank_account": ["5000", "4999622"], "phone": "+46701111111"}}'])
            for field, resolved, brygga, fortnox in (("personal_identity_number", None, PIN, OTHER_PIN),
                                                     ("job_title", None, "Chef", "Lagerchef"),
                                                     ("bank_account", "2026-01-01", ["5000", "4999622"], ["8327", "9371234567"])):
                cursor.execute(
                    f"INSERT INTO {EmployeeConflict._meta.db_table} (organization_id, employee_id, field, brygga_value,"
                    " fortnox_value, fortnox_seen_at, resolved_at, kept) VALUES (%s, %s, %s, %s, %s, CURRENT_TIMESTAMP, %s, '')",
                    [tenant.organization.pk, anna.pk, field, _json(brygga), _json(fortnox), resolved])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    link = ExternalLink.objects.get()
    assert link.last_synced_values["personal_identity_number"] == personal_data.fingerprint("personal_identity_number", PIN)
    assert link.last_synced_values["phone"] == "+46701111111"
    assert not holds_a_pin(row_text(ExternalLink, link.pk)) and "4999622" not in row_text(ExternalLink, link.pk)
    conflicts = {conflict.field: conflict for conflict in EmployeeConflict.objects.all()}
    assert (conflicts["personal_identity_number"].brygga_value, conflicts["personal_identity_number"].fortnox_value) == (PIN, OTHER_PIN)
    assert conflicts["job_title"].fortnox_value == "Lagerchef"
    assert conflicts["bank_account"].fortnox_value == ["••••", "••••••4567"]
    for conflict in conflicts.values():
        text = row_text(EmployeeConflict, conflict.pk)
        assert not holds_a_pin(text) and "Lagerchef" not in text and "4999622" not in text


def _employee_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Employee).pk


def _json(value) -> str:
    import json

    return json.dumps(value)


def test_fortnoxs_refusal_quoting_a_pin_is_kept_in_the_error_log_with_the_pin_masked(activated, fortnox, tenant, client_for):
    from integrations.core import outbox
    from integrations.core.models import IntegrationError

    anna = linked(tenant.organization, fortnox)
    # Written directly (as an import might): Brygga's form would refuse it, Fortnox refuses it and quotes it.
    Employee.objects.filter(pk=anna.pk).update(personal_identity_number="19811218-9875")
    outbox.record(anna, "employee_update", {"fields": ["personal_identity_number"]})
    outbox.push_due()

    error = IntegrationError.objects.get()
    assert "••••••••-9875" in error.fortnox_message, error.fortnox_message
    event = OutboxEvent.objects.get()
    for text in (row_text(IntegrationError, error.pk), row_text(OutboxEvent, event.pk)):
        assert "198112189875" not in text.replace("-", "")
    assert "198112189875" not in client_for(tenant.owner).get(reverse("integration_errors")).content.decode().replace("-", "")


def test_only_what_reads_as_a_personal_identity_number_is_masked_in_a_message():
    text = "Anställd 1001, telefon +46701234567, 2026-12-04: personnummer 850101-1234 och 198501011234."
    assert personal_data.without_identity_numbers(text) == (
        "Anställd 1001, telefon +46701234567, 2026-12-04: personnummer ••••••-1234 och ••••••••1234.")
