"""Clearing a field in Brygga empties it in Fortnox. Fortnox reads `""` and `null` in a write as
"leave it as it is" and empties a text field only for `API_BLANK` (API-FACTS §2.6), as the
sandbox does: a push that sent `""` would leave the old value there while Brygga's last-synced
values said both sides agree. Over real HTTP, through the outbox push path."""

from datetime import date

import pytest

from hr import actions as hr_actions
from integrations.core import outbox
from integrations.core.models import ExternalLink, OutboxEvent
from tests.support.hr_sync import create_fortnox_employee, employee

pytestmark = pytest.mark.slow

FILLED = {
    "phone": "0701234567", "street": "Storgatan 1", "postal_code": "11122", "city": "Stockholm",
    "clearing_number": "5000", "account_number": "4999622",
    "employment_start": date(2020, 1, 1), "employment_end": date(2030, 12, 31),
}
CLEARED = {  # Brygga field(s) cleared -> the Fortnox fields that must be empty afterwards
    "phone": ({"phone": ""}, ("Phone1",)),
    "address": ({"street": "", "postal_code": "", "city": ""}, ("Address1", "PostCode", "City", "Country")),
    "street only": ({"street": ""}, ("Address1",)),
    "bank account": ({"clearing_number": "", "account_number": ""}, ("ClearingNo", "BankAccountNo")),
    "employment end": ({"employment_end": None}, ("EmployedTo",)),
    "employment start": ({"employment_start": None}, ("EmploymentDate",)),
}


def linked_employee_with_everything_filled(tenant, fortnox):
    emp = employee(tenant.organization, **FILLED)
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test", Phone1="070-123 45 67",
                            Address1="Storgatan 1", PostCode="111 22", City="Stockholm", Country="Sverige",
                            ClearingNo="5000", BankAccountNo="4999622", EmploymentDate="2020-01-01",
                            EmployedTo="2030-12-31")
    from django.contrib.contenttypes.models import ContentType

    ExternalLink.objects.create(organization=emp.organization, kind="employee", external_id="1001",
                                content_type=ContentType.objects.get_for_model(emp), object_id=emp.pk)
    return emp


@pytest.mark.parametrize("cleared", CLEARED, ids=str)
def test_a_field_cleared_in_brygga_is_empty_in_fortnox_after_the_push(activated, fortnox, tenant, cleared):
    emp = linked_employee_with_everything_filled(tenant, fortnox)
    changes, fortnox_fields = CLEARED[cleared]
    hr_actions.do_update_employee(emp, changes, acting_user=tenant.hr_admin)

    assert outbox.push_due() == 1
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.DONE, event.attempt_log
    document = fortnox.get("/3/employees/1001")
    assert {name: document[name] for name in fortnox_fields} == dict.fromkeys(fortnox_fields, "")
    untouched = {"City": "Stockholm", "Country": "Sverige"} if cleared == "street only" else {"Email": "anna@alfa.test"}
    assert {name: document[name] for name in untouched} == untouched


def test_an_empty_value_in_a_new_employee_is_left_out_rather_than_blanked(activated, fortnox, tenant):
    from integrations.hr_sync.apply import create_in_fortnox

    sent = []
    create_in_fortnox(fortnox, employee(tenant.organization), note=lambda method, path, body: sent.append(body))
    assert "API_BLANK" not in str(sent) and "Phone1" not in sent[0]["Employee"]
    assert fortnox.get("/3/employees/1001")["Phone1"] == ""
