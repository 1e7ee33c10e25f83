"""Issue 15: the absence page shows exactly the days and hours Fortnox gets (its schedule, eves
included), warns when the person's Fortnox schedule gives 0 hours, and every absence and employee
shows its Fortnox state — on its way, sent, failed with the reason and Retry — on its page and in
the lists, which can be filtered to "failed in Fortnox". Against the sandbox over real HTTP; jobs
run in the test process (`outbox.push_due`)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import Absence
from integrations.core import outbox
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox

pytestmark = pytest.mark.slow


def register(world, start, end, person=None, code="vacation"):
    return hr_actions.do_register_absence(person or world.anna, {
        "absence_type": world.types[code], "start_date": start, "end_date": end, "grade": 100, "note": ""},
        acting_user=world.tenant.hr_admin)


def absence_page(client_for, world, absence) -> str:
    return client_for(world.tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()


@pytest.mark.parametrize("start, end, days", [
    (date(2026, 6, 15), date(2026, 6, 21), 5),  # midsommarafton Friday 19 June, midsommardagen Saturday
    (date(2026, 12, 21), date(2027, 1, 1), 8),  # julafton and nyårsafton; juldagen and nyårsdagen are Fridays
])
def test_the_absence_page_counts_the_eves_as_fortnoxs_schedule_does_and_shows_its_hours(world, client_for, start, end, days):
    absence = register(world, start, end)
    outbox.push_due()

    held = world.transactions()
    assert len(held) == days and sum(hours for *_rest, hours in held) == 8.0 * days
    assert Absence.objects.get(pk=absence.pk).days == days
    page = absence_page(client_for, world, absence)
    assert f"· {days} days" in page and f"{days} days, {8 * days} h in Fortnox" in page


def test_a_person_whose_fortnox_schedule_gives_no_hours_is_warned_and_sent_again_once_it_has_one(world, client_for):
    create_fortnox_employee(world.fortnox, EmployeeId="1002", FirstName="Bo", LastName="Nyström", Email="bo@alfa.test")
    bo = employee(world.tenant.organization, given_name="Bo", family_name="Nyström", email="bo@alfa.test", employment_id="1002")
    link_to_fortnox(bo, "1002")  # created in Fortnox without a schedule: 0 hours every day
    absence = register(world, date(2026, 3, 2), date(2026, 3, 6), person=bo)
    outbox.push_due()

    page = absence_page(client_for, world, absence)
    assert world.transactions("1002") == []
    assert "Fortnox's working-time schedule gives Bo Nyström 0 hours on these days" in page and "Send again" in page
    assert "Fortnox got 0 hours" in page and "Sent to Fortnox" not in page

    world.fortnox.put("/3/employees/1002", {"Employee": {"ScheduleId": "HEL"}})
    client_for(world.tenant.hr_admin).post(reverse("absence_fortnox_retry", args=[absence.pk]))
    outbox.push_due()
    assert len(world.transactions("1002")) == 5
    assert "5 days, 40 h in Fortnox" in absence_page(client_for, world, absence)


def test_an_absence_registered_while_creating_absences_was_off_never_reads_as_sent_after_it_is_switched_on(world, client_for):
    settings = HrIntegrationSettings.objects.get(organization=world.tenant.organization)
    settings.create_absences = False
    settings.save(update_fields=["create_absences"])
    absence = register(world, date(2026, 3, 2), date(2026, 3, 6))
    outbox.push_due()
    settings.create_absences = True
    settings.save(update_fields=["create_absences"])

    page = absence_page(client_for, world, absence)
    assert world.transactions() == []
    assert "Not sent to Fortnox" in page and "send it from its page" in page and "Send again" in page
    assert "Sent to Fortnox" not in page and "Fortnox got 0 hours" not in page

    client_for(world.tenant.hr_admin).post(reverse("absence_fortnox_retry", args=[absence.pk]))
    outbox.push_due()
    assert len(world.transactions()) == 5
    assert "5 days, 40 h in Fortnox" in absence_page(client_for, world, absence)


def test_a_refused_absence_reads_failed_in_fortnox_in_every_list_and_the_filter_finds_only_it(world, client_for):
    world.sandbox.update_company(world.company.data, locked_salary_until="2026-03-31")
    refused = register(world, date(2026, 3, 2), date(2026, 3, 6))
    accepted = register(world, date(2026, 4, 6), date(2026, 4, 10))
    outbox.push_due()
    hr_admin = client_for(world.tenant.hr_admin)

    listed = hr_admin.get(reverse("hr:absence_list")).content.decode()
    failed_only = hr_admin.get(reverse("hr:absence_list"), {"failed_in": "fortnox"})
    employee_page = hr_admin.get(reverse("hr:employee_detail", args=[world.anna.pk])).content.decode()
    own_page = client_for(world.tenant.employee).get(reverse("hr:my_absences")).content.decode()

    for page in (listed, employee_page, own_page):
        assert page.count('error">Failed in Fortnox') == 1 and "Fortnox refused the change" in page
        assert "4 days, 32 h in Fortnox" in page  # 6–10 April: Easter Monday is a holiday
    assert list(failed_only.context["page"]) == [refused]
    assert reverse("absence_fortnox_retry", args=[refused.pk]) in listed
    assert reverse("absence_fortnox_retry", args=[refused.pk]) not in own_page  # the employee cannot retry
    assert reverse("absence_fortnox_retry", args=[accepted.pk]) not in listed


def test_a_saved_absence_is_on_its_way_until_fortnox_accepts_it_and_then_reads_sent(world, client_for):
    hr_admin = client_for(world.tenant.hr_admin)
    saved = hr_admin.post(reverse("hr:absence_register", args=[world.anna.pk]), {
        "absence_type": world.types["sick_leave"].pk, "start_date": "2026-03-02", "end_date": "2026-03-06",
        "grade": "100", "approved": "on"}, follow=True).content.decode()
    absence = Absence.objects.get()
    badge = reverse("absence_fortnox_badge", args=[absence.pk])
    shown = saved[saved.index(f'id="absence-{absence.pk}-fortnox"'):][:400]
    assert "On its way to Fortnox" in shown and f'hx-get="{badge}"' in shown

    outbox.push_due()
    polled = hr_admin.get(badge, HTTP_HX_REQUEST="true").content.decode()
    assert "Sent to Fortnox" in polled and "5 days, 40 h in Fortnox" in polled and "hx-get" not in polled
    assert client_for(world.tenant.employee).get(badge).status_code == 200  # Anna's own absence
    assert client_for(world.tenant.warehouse).get(badge).status_code == 403


def test_an_employee_change_is_on_its_way_then_sent_and_a_refused_one_reads_failed_with_retry(world, client_for):
    hr_admin = client_for(world.tenant.hr_admin)
    hr_actions.do_update_employee(world.anna, {"city": "Lund"}, acting_user=world.tenant.hr_admin)
    assert "On its way to Fortnox" in hr_admin.get(reverse("hr:employee_detail", args=[world.anna.pk])).content.decode()
    outbox.push_due()
    assert "Sent to Fortnox" in hr_admin.get(reverse("employee_fortnox_badge", args=[world.anna.pk])).content.decode()

    boss = world.anna.manager
    link_to_fortnox(boss, "9999")  # Fortnox has no such employee: the push is refused
    hr_actions.do_update_employee(boss, {"city": "Umeå"}, acting_user=world.tenant.hr_admin)
    outbox.push_due()
    listed = hr_admin.get(reverse("hr:employee_list"))
    assert "Failed in Fortnox" in listed.content.decode() and "no longer exists in Fortnox" in listed.content.decode()
    assert list(hr_admin.get(reverse("hr:employee_list"), {"failed_in": "fortnox"}).context["page"]) == [boss]

    create_fortnox_employee(world.fortnox, EmployeeId="9999", FirstName="Maja", LastName="Chef", Email="maja@alfa.test")
    hr_admin.post(reverse("employee_fortnox_retry", args=[boss.pk]))
    outbox.push_due()
    assert world.fortnox.get("/3/employees/9999")["City"] == "Umeå"
    assert list(hr_admin.get(reverse("hr:employee_list"), {"failed_in": "fortnox"}).context["page"]) == []


def test_a_date_out_of_range_in_the_backfill_address_is_a_message_not_an_error(world, client_for):
    response = client_for(world.tenant.owner).get(reverse("absence_backfill"), {"start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 200 and "outside the dates Brygga accepts" in response.content.decode()


def test_the_lists_show_fortnox_states_in_as_many_queries_for_twenty_absences_as_for_two(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert hr_admin.get(url).status_code == 200
        return len(captured)

    hr_admin = client_for(world.tenant.hr_admin)
    mondays = [date(2026, 3, 2) + timedelta(weeks=week) for week in range(20)]
    for monday in mondays[:2]:
        register(world, monday, monday + timedelta(days=1))
    outbox.push_due()
    pages = (reverse("hr:absence_list"), reverse("hr:employee_list"), reverse("hr:employee_detail", args=[world.anna.pk]))
    few = [queries(url) for url in pages]
    for monday in mondays[2:]:
        register(world, monday, monday + timedelta(days=1))
    outbox.push_due()

    assert [queries(url) for url in pages] == few
    assert hr_admin.get(pages[0]).content.decode().count("Sent to Fortnox") == 20
