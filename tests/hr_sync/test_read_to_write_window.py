"""The HR push reads the person in Fortnox, compares, then writes; Fortnox has no conditional
write, so a change made there between its answer to the read and the write is overwritten
(docs/architecture.md, "The read-to-write window"). The push keeps that window to the comparison:
no database and no waiting for the rate limit between the read and the write."""

from django.db import connection as database
from django.test.utils import CaptureQueriesContext

from hr import actions as hr_actions
from integrations.core import outbox
from integrations.core.models import OutboxEvent
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync.models import EmployeeConflict
from tests.support.hr_sync import linked, pull


def watch_the_window(monkeypatch) -> list[dict]:
    """What happens inside each push's window: the database queries `decide` makes, what it sends."""
    real, windows = FortnoxClient.read_then_write, []

    def watched(client, path, decide):
        def counted(document):
            with CaptureQueriesContext(database) as queries:
                body = decide(document)
            windows.append({"queries": [query["sql"] for query in queries], "body": body})
            return body

        return real(client, path, counted)

    monkeypatch.setattr(FortnoxClient, "read_then_write", watched)
    return windows


def test_between_the_read_and_the_write_the_push_only_compares(activated, fortnox, tenant, monkeypatch):
    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"City": "Uppsala"}})  # a conflict to record: after the write
    hr_actions.do_update_employee(anna, {"phone": "+46702222222", "city": "Malmö"}, acting_user=tenant.hr_admin)
    windows = watch_the_window(monkeypatch)

    assert outbox.push_due() == 1

    assert len(windows) == 1 and windows[0]["queries"] == [], windows
    assert windows[0]["body"] == {"Employee": {"Phone1": "+46702222222"}}
    sent = fortnox.get("/3/employees/1001")
    assert (sent["Phone1"], sent["City"]) == ("+46702222222", "Uppsala")
    conflict = EmployeeConflict.objects.get()
    assert conflict.field == "address" and "Malmö" in conflict.brygga_value and "Uppsala" in conflict.fortnox_value
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE


def test_a_fortnox_change_just_after_the_write_is_kept_and_comes_into_brygga(activated, fortnox, tenant, sandbox,
                                                                             fortnox_company, monkeypatch):
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    real = FortnoxClient.read_then_write

    def then_edited_in_fortnox(client, path, decide):
        answer = real(client, path, decide)
        sandbox.in_fortnox(fortnox_company.data["database_number"], "PUT", path, {"Employee": {"Phone1": "0703333333"}})
        return answer

    monkeypatch.setattr(FortnoxClient, "read_then_write", then_edited_in_fortnox)
    outbox.push_due()
    pull(tenant.organization)

    anna.refresh_from_db()
    assert anna.phone == "+46703333333" and fortnox.get("/3/employees/1001")["Phone1"] == "0703333333"
    assert not EmployeeConflict.objects.exists()
