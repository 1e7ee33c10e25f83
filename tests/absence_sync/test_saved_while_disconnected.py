"""An absence saved while Fortnox is disconnected: the person is told at once that it waits, and it
is sent when an organization admin connects again."""

from django.urls import reverse

from integrations.core import outbox
from tests.support.fortnox import start_and_consent
from tests.support.hr_sync import WAITS
from tests.support.tenants import form_data


def test_an_absence_registered_while_fortnox_is_disconnected_is_told_that_it_waits_and_sent_after_re_connecting(
        world, client_for, sandbox):
    admin = client_for(world.tenant.owner)
    admin.post(reverse("fortnox_disconnect"), {"confirmed": "1"})
    hr_admin = client_for(world.tenant.hr_admin)
    url = reverse("hr:absence_register", args=[world.anna.pk])
    page = hr_admin.post(url, form_data(
        hr_admin.get(url), absence_type=str(world.types["sick_leave"].pk), start_date="2026-03-02", end_date="2026-03-03",
        approved="on",
    ), follow=True).content.decode()
    assert "was registered" in page and WAITS in page
    outbox.push_due()
    assert world.transactions() == []

    admin.get(start_and_consent(admin, sandbox, world.company))
    outbox.push_due()
    assert [(date, code) for date, code, *_ in world.transactions()] == [("2026-03-02", "SJK"), ("2026-03-03", "SJK")]
