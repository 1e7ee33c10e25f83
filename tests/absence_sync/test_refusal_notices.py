"""Issue 15, defect 7: the HR admin who registered an absence Fortnox refused was not told, and the
absence page linked HR admins to an error log that answered them 403."""

import re

from django.urls import reverse

from integrations.core import outbox
from integrations.core.models import IntegrationError
from organizations.models import Notification
from tests.support.absences import MONDAY, sick


def test_the_hr_admin_who_registered_a_refused_absence_is_told_and_can_open_the_entry(world, client_for):
    world.sandbox.update_company(world.company.data, locked_salary_until=MONDAY.isoformat())
    absence = sick(world, end=MONDAY)  # registered by the HR admin
    outbox.push_due()

    entry = IntegrationError.objects.get()
    notice = Notification.objects.get(user=world.tenant.hr_admin)
    assert notice.title.startswith("Fortnox refused an absence: Anna Berg: Sick leave, ")
    client = client_for(world.tenant.hr_admin)
    assert notice.link == f"{reverse('integration_errors')}#error-{entry.pk}"
    log = client.get(notice.link)
    assert log.status_code == 200 and f'id="error-{entry.pk}"' in log.content.decode()
    page = client.get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    for link in re.findall(r'href="([^"]*integrations/errors/[^"]*)"', page):  # whatever it links them to opens
        assert client.get(link).status_code == 200


def test_an_entry_names_its_absence_in_the_readers_language(world, client_for):
    world.sandbox.update_company(world.company.data, locked_salary_until=MONDAY.isoformat())
    sick(world, end=MONDAY)
    outbox.push_due()
    world.tenant.owner.language = "sv"
    world.tenant.owner.save(update_fields=["language"])

    swedish = client_for(world.tenant.owner).get(reverse("integration_errors")).content.decode()
    english = client_for(world.tenant.hr_admin).get(reverse("integration_errors")).content.decode()
    assert ">Anna Berg: Sjukfrånvaro, " in swedish and ">Anna Berg: Sick leave, " in english
