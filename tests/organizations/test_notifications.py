from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from organizations.actions import do_notify
from organizations.models import Notification


@pytest.fixture(autouse=True)
def notice_templates(settings):
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).resolve().parents[1] / "templates"]}
    settings.TEMPLATES = [engine]


def notify(tenant, users):
    return do_notify(
        tenant.organization, users, title_template="organizations/email/test_notice_subject.txt",
        body_template="organizations/email/test_notice_body.txt", link="/somewhere/", level="warning",
    )


def test_a_notification_reaches_the_bell_and_the_inbox_in_each_recipients_language(tenant, client_for):
    tenant.manager.language = "sv"
    tenant.manager.save(update_fields=["language"])
    notify(tenant, [tenant.employee, tenant.manager])
    assert Notification.objects.count() == 2
    assert {m.to[0] for m in mail.outbox} == {tenant.employee.email, tenant.manager.email}
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        tenant.employee.email: "Language check: en", tenant.manager.email: "Language check: sv"}
    assert "Body in sv" in next(m.body for m in mail.outbox if m.to[0] == tenant.manager.email)
    swedish_page = client_for(tenant.manager).get(reverse("notifications")).content.decode()
    assert "Language check: sv" in swedish_page and "Language check: en" not in swedish_page
    page = client_for(tenant.employee).get(reverse("notification_bell")).content.decode()
    assert "1 unread notification" in page


def test_marking_notifications_read_empties_the_bell(tenant, client_for):
    notify(tenant, [tenant.employee])
    client = client_for(tenant.employee)
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "badge" not in client.get(reverse("notification_bell")).content.decode()


def test_nobody_sees_or_marks_another_persons_notifications(tenant, other_tenant, client_for):
    [notice] = notify(tenant, [tenant.employee])
    client = client_for(tenant.manager)
    assert str(notice.title) not in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications"), {"notification": [notice.pk]})
    notice.refresh_from_db()
    assert notice.read_at is None
    assert str(notice.title) not in client_for(other_tenant.employee).get(reverse("notifications")).content.decode()


def test_a_garbage_notification_id_gets_a_message(tenant, client_for):
    response = client_for(tenant.employee).post(reverse("notifications"), {"notification": ["x"]}, follow=True)
    assert response.status_code == 200
    assert "Choose notifications from the list" in response.content.decode()


@pytest.mark.parametrize("garbage", ["99999999999999999999999", "-1", "0"])
def test_a_notification_id_no_database_can_hold_gets_a_message(tenant, client_for, garbage):
    # SQLite crashed with OverflowError on the number past 64 bits.
    response = client_for(tenant.employee).post(reverse("notifications"), {"notification": [garbage]}, follow=True)
    assert response.status_code == 200
    assert "Choose notifications from the list" in response.content.decode()
