"""A change of an absence type's cause code (issue 24, item 3): the mapping page says how many
transactions in Fortnox stay under the old code before it saves, and offers to move them to the
new one or leave them disconnected (as the reference product does). Either way no day of an
absence ends with two cause codes in Fortnox, and the absence page shows what was left behind.
Against the sandbox over real HTTP; jobs run in the test process (`outbox.push_due`)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import AbsenceType
from integrations.core import outbox
from integrations.hr_sync.models import AbsenceTypeMapping
from tests.support.absences import MONDAY, sick, week

pytestmark = pytest.mark.slow


def remap(world, client, **choice):
    """Post the mapping step with sick leave moved from SJK to FRA (the rest as they are)."""
    mapped = dict(AbsenceTypeMapping.objects.values_list("absence_type_id", "cause_code"))
    form = {f"type_{t.pk}": mapped.get(t.pk, "") for t in AbsenceType.objects.for_organization(world.tenant.organization)}
    form[f"type_{world.types['sick_leave'].pk}"] = "FRA"
    return client.post(reverse("hr_mapping"), {**form, **choice})


def sick_code():
    return AbsenceTypeMapping.objects.get(absence_type__code="sick_leave").cause_code


def absence_page(world, client, absence) -> str:
    return client.get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()


def test_the_mapping_page_says_how_many_transactions_stay_under_the_old_code_before_it_saves(world, client_for):
    sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    page = remap(world, client_for(world.tenant.owner))
    text = page.content.decode()
    assert page.status_code == 200 and "Sick leave: 2 transactions in Fortnox are under the old cause code SJK." in text
    assert 'value="move"' in text and 'value="leave"' in text
    assert sick_code() == "SJK"  # nothing saved until the admin chose


def test_moving_them_gives_the_days_the_new_code_and_later_edits_and_cancelling_keep_one_code_per_day(world, client_for):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    assert remap(world, client_for(world.tenant.owner), old_transactions="move")["Location"] == reverse("hr_sync")
    assert sick_code() == "FRA"
    outbox.push_due()
    assert world.transactions() == week("FRA", days=2)  # changed in place, not created beside

    hr_actions.do_update_absence(absence, {"grade": 50}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("FRA", 50.0, 4.0, days=2)
    assert "2 days, 8 h in Fortnox" in absence_page(world, client_for(world.tenant.hr_admin), absence)

    hr_actions.do_cancel_absence(absence, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == []  # everything Brygga put there is gone


def test_leaving_them_disconnected_never_adds_a_second_code_on_their_days_and_the_absence_page_shows_them(world, client_for):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    remap(world, client_for(world.tenant.owner), old_transactions="leave")
    assert sick_code() == "FRA"
    hr = client_for(world.tenant.hr_admin)

    hr_actions.do_update_absence(absence, {"grade": 50}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SJK", days=2)  # not SJK 8 h and FRA 4 h on the same days
    page = absence_page(world, hr, absence)
    assert "Disconnected in Fortnox" in page and "0 days" not in page
    assert "2 transactions stay in Fortnox under SJK" in page and f"{MONDAY.isoformat()} · SJK" in page

    hr_actions.do_update_absence(absence, {"end_date": MONDAY + timedelta(days=2)}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == sorted(week("SJK", days=2) + week("FRA", 50.0, 4.0, MONDAY + timedelta(days=2), 1))

    hr_actions.do_cancel_absence(absence, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    assert world.transactions() == week("SJK", days=2)  # Brygga's own FRA day removed; the disconnected ones left
    page = absence_page(world, hr, absence)
    assert "Not sent to Fortnox" in page and "2 transactions stay in Fortnox under SJK" in page


def admin_url(view, *args):
    return reverse(f"admin:hr_sync_absencetypemapping_{view}", args=args)


def test_the_django_admin_refuses_a_mapping_change_that_would_leave_transactions_under_the_old_code_and_points_to_the_mapping_page(
        world, client_for):
    from organizations.models import User

    sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    root = client_for(User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1"))
    mapping = AbsenceTypeMapping.objects.get(absence_type__code="sick_leave")
    data = {"organization": mapping.organization_id, "absence_type": mapping.absence_type_id}

    shown = root.get(admin_url("change", mapping.pk)).content.decode()
    assert "2 transactions in Fortnox are under the cause code SJK" in shown and reverse("hr_mapping") in shown
    refused = root.post(admin_url("change", mapping.pk), {**data, "cause_code": "FRA"})
    assert refused.status_code == 200
    assert "move them to the new cause code or leave them disconnected" in str(refused.context["adminform"].form.errors)
    assert root.post(admin_url("delete", mapping.pk), {"post": "yes"}).status_code == 403
    root.post(admin_url("changelist"), {"action": "delete_selected", "_selected_action": [mapping.pk], "post": "yes"})
    assert sick_code() == "SJK"
    assert world.transactions() == week("SJK", days=2)

    unused = AbsenceTypeMapping.objects.get(absence_type__code="care_of_child")  # nothing sent under VAB
    assert root.post(admin_url("change", unused.pk), {
        "organization": unused.organization_id, "absence_type": unused.absence_type_id, "cause_code": "FRA"}).status_code == 302
