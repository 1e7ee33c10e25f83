"""Who hears of conflicts with Fortnox, and how often (issue 21): everyone who may resolve them
(HR admins and organization admins) once per run that found new ones, in their own language; a run
that finds none, or only conflicts already open, tells no one."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hr import actions as hr_actions
from integrations.core import outbox
from integrations.core.models import OutboxEvent
from organizations.models import Notification
from tests.support.hr_sync import linked, pull


@pytest.fixture
def anna_changed_on_both_sides(activated, fortnox, tenant):
    """Anna's phone and city changed in Brygga and, before that push went out, in Fortnox."""
    anna = linked(tenant.organization, fortnox)
    hr_actions.do_update_employee(anna, {"phone": "+46702222222", "city": "Malmö"}, acting_user=tenant.owner)
    OutboxEvent.objects.all().delete()  # the push has not happened yet when Fortnox is read
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333", "City": "Uppsala"}})
    return anna


def told(tenant) -> dict:
    return {user.email: Notification.objects.filter(user=user).count() for user in
            (tenant.owner, tenant.hr_admin, tenant.manager, tenant.employee, tenant.warehouse)}


def test_a_run_that_finds_conflicts_tells_each_hr_and_organization_admin_once_in_their_language(
        anna_changed_on_both_sides, tenant):
    tenant.hr_admin.language = "sv"
    tenant.hr_admin.save(update_fields=["language"])
    mail.outbox.clear()

    run = pull(tenant.organization)

    assert run.counts["conflicts"] == 2
    assert told(tenant) == {tenant.owner.email: 1, tenant.hr_admin.email: 1, tenant.manager.email: 0,
                            tenant.employee.email: 0, tenant.warehouse.email: 0}, "once per run, not once per conflict"
    notice = Notification.objects.get(user=tenant.hr_admin)
    assert notice.link == reverse("hr_conflicts")
    with translation.override("sv"):
        assert str(notice.title) == "2 nya konflikter med Fortnox"
    with translation.override("en"):
        assert str(notice.title) == "2 new conflicts with Fortnox", "stored for later: read in the reader's language"
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {tenant.hr_admin.email: "2 nya konflikter med Fortnox",
                        tenant.owner.email: "2 new conflicts with Fortnox"}


def test_a_run_without_new_conflicts_tells_no_one_and_open_ones_are_not_told_again(
        anna_changed_on_both_sides, activated, fortnox, tenant):
    pull(tenant.organization)
    mail.outbox.clear()

    again = pull(tenant.organization)
    assert again.counts["conflicts"] == 0
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0704444444"}})  # the open conflict shows the new value
    pull(tenant.organization)

    assert told(tenant)[tenant.hr_admin.email] == 1 and told(tenant)[tenant.owner.email] == 1
    assert not mail.outbox


def test_a_run_with_nothing_changed_on_both_sides_tells_no_one(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})

    pull(tenant.organization)

    anna.refresh_from_db()
    assert anna.phone == "+46703333333"
    assert not Notification.objects.exists() and not mail.outbox


def test_a_push_that_finds_a_conflict_tells_the_hr_admins_too(activated, fortnox, tenant):
    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.owner)

    assert outbox.push_due() == 1

    assert told(tenant) == {tenant.owner.email: 1, tenant.hr_admin.email: 1, tenant.manager.email: 0,
                            tenant.employee.email: 0, tenant.warehouse.email: 0}
    pull(tenant.organization)
    assert told(tenant)[tenant.hr_admin.email] == 1, "the conflict the push found was told again by the pull"
