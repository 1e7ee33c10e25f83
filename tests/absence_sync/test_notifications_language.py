"""A refusal from Fortnox reaches each person told about it — in the bell and by email — in
that person's own language, whatever language the others read."""

import pytest
from django.core import mail
from django.utils import translation

from integrations.core import outbox
from organizations.models import Notification
from tests.support.absences import MONDAY, sick

pytestmark = pytest.mark.slow


def test_a_refused_absence_is_told_to_each_person_in_their_own_language(world):
    tenant = world.tenant
    for user, language in ((tenant.employee, "sv"), (tenant.manager, "sv"), (tenant.owner, "en")):
        user.language = language
        user.save(update_fields=["language"])
    world.sandbox.update_company(world.company.data, locked_salary_until=MONDAY.isoformat())
    sick(world, end=MONDAY)
    outbox.push_due()

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    titles = {}
    for notice in Notification.objects.select_related("user"):
        with translation.override(notice.user.language or notice.organization.language):
            titles[notice.user.email] = str(notice.title)
    assert subjects == titles
    assert set(subjects) == {tenant.employee.email, tenant.manager.email, tenant.owner.email, tenant.hr_admin.email}
    with translation.override("sv"):
        swedish_start = str(translation.gettext("Fortnox refused an absence: %(subject)s")).split("%")[0]
    assert swedish_start and not swedish_start.startswith("Fortnox refused")  # the catalogue has it
    assert subjects[tenant.manager.email].startswith(swedish_start)
    assert subjects[tenant.employee.email].startswith(swedish_start)
    assert subjects[tenant.owner.email].startswith("Fortnox refused an absence: Anna Berg")
