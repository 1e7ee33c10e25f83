"""The employee form's manager field with many employees: the page lists only the chosen manager,
and a search (hr:manager_options, asked by htmx as one types) finds the others, never outside
the organization."""

import re

import pytest
from django.urls import reverse

from hr.models import Employee
from tests.support.hr import HR_ROLES, ROLES, employee_form_data, many_employees

OPTIONS = reverse("hr:manager_options")


def manager_options(page: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the page's manager <select> (or of a fragment)."""
    select = re.search(r'<select name="manager"[^>]*>(.*?)</select>', page, re.S)
    return [(value, label, selected == " selected") for value, selected, label in re.findall(
        r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1) if select else page,
    )]


def label(employee) -> str:
    return f"{employee.full_name} ({employee.employment_id})"


def search(client, **query) -> list[tuple[str, str, bool]]:
    response = client.get(OPTIONS, query)
    assert response.status_code == 200, response.content
    return manager_options(response.content.decode())


def test_the_form_lists_only_none_and_the_chosen_manager_among_hundreds_of_employees(tenant, staff, client_for):
    many_employees(tenant.organization, 300)
    client = client_for(tenant.hr_admin)
    edit = client.get(reverse("hr:employee_edit", args=[staff.report.pk])).content.decode()
    assert manager_options(edit) == [("", "— none —", False), (str(staff.manager.pk), label(staff.manager), True)]
    assert 'type="search"' in edit and 'aria-label="Find a manager"' in edit
    new = client.get(reverse("hr:employee_create")).content.decode()
    assert manager_options(new) == [("", "— none —", False)]


def test_the_search_finds_managers_by_name_and_by_employment_id(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    assert [label for _, label, _ in search(client, q="Åstr")] == ["— none —", label(staff.manager)]
    assert [label for _, label, _ in search(client, q=staff.colleague.employment_id)] == [
        "— none —", label(staff.colleague)]
    assert [label for _, label, _ in search(client, q="")] == ["— none —"]


def test_the_search_leaves_out_the_employee_being_edited_and_inactive_people(tenant, staff, client_for):
    staff.colleague.active = False
    staff.colleague.save(update_fields=["active"])
    client = client_for(tenant.hr_admin)
    assert search(client, q="Åström", exclude=staff.manager.pk) == [("", "— none —", False)]
    assert search(client, q="Bäckström") == [("", "— none —", False)]


def test_the_chosen_manager_stays_first_and_selected_while_searching(tenant, staff, client_for):
    found = search(client_for(tenant.hr_admin), q="ström", manager=staff.manager.pk, exclude=staff.report.pk)
    assert found == [("", "— none —", False), (str(staff.manager.pk), label(staff.manager), True),
                     (str(staff.colleague.pk), label(staff.colleague), False)]


def test_the_search_answers_at_most_twenty_people(tenant, client_for):
    many_employees(tenant.organization, 30)
    assert len(search(client_for(tenant.hr_admin), q="Lund")) == 1 + 20


def test_the_search_never_shows_another_organizations_employees(tenant, other_tenant, staff, client_for):
    many_employees(other_tenant.organization, 3, manager=None)
    ours = client_for(tenant.hr_admin)
    assert [label for _, label, _ in search(ours, q="Lund")] == ["— none —"]
    theirs = client_for(other_tenant.hr_admin)
    assert search(theirs, q="Åström", manager=staff.manager.pk) == [("", "— none —", False)]
    assert len(search(theirs, q="Lund")) == 1 + 3


@pytest.mark.parametrize("role", ROLES)
def test_only_hr_and_organization_admins_may_search_for_managers(tenant, staff, client_for, role):
    status = client_for(getattr(tenant, role)).get(OPTIONS, {"q": "Åström"}).status_code
    assert status == (200 if role in HR_ROLES else 403)


def test_an_outsider_may_not_search_for_managers(staff, outsider, client_for):
    assert client_for(outsider).get(OPTIONS, {"q": "Åström"}).status_code == 403


@pytest.mark.parametrize("query, message", [
    ({"exclude": "abc"}, "Enter a whole number."),
    ({"manager": "1; DROP TABLE"}, "Enter a whole number."),
    ({"q": "x" * 101}, "Ensure this value has at most 100 characters"),
])
def test_a_malformed_search_is_a_clear_bad_request(tenant, client_for, query, message):
    response = client_for(tenant.hr_admin).get(OPTIONS, query)
    assert response.status_code == 400 and message in response.content.decode()


def test_an_id_beyond_any_database_range_finds_nobody(tenant, staff, client_for):
    assert search(client_for(tenant.hr_admin), q="Åström", manager=10**30, exclude=10**30) == [
        ("", "— none —", False), (str(staff.manager.pk), label(staff.manager), False)]


def test_a_manager_picked_from_the_search_is_saved(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    (picked, _label, _selected), = search(client, q="Bäckström", exclude=staff.report.pk)[1:]
    response = client.post(reverse("hr:employee_edit", args=[staff.report.pk]), employee_form_data(staff.report, manager=picked))
    assert response.status_code == 302
    assert Employee.objects.get(pk=staff.report.pk).manager == staff.colleague


def test_the_form_as_rendered_keeps_the_manager_and_none_clears_it(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    url = reverse("hr:employee_edit", args=[staff.report.pk])
    (rendered, *_), = [option for option in manager_options(client.get(url).content.decode()) if option[2]]
    client.post(url, employee_form_data(staff.report, manager=rendered, city="Kiruna"))
    assert Employee.objects.values_list("manager", "city").get(pk=staff.report.pk) == (staff.manager.pk, "Kiruna")
    client.post(url, employee_form_data(staff.report, manager=""))
    assert Employee.objects.get(pk=staff.report.pk).manager is None


def test_a_manager_who_has_left_stays_when_the_form_is_saved_for_another_change(tenant, staff, client_for):
    Employee.objects.filter(pk=staff.manager.pk).update(active=False)
    client = client_for(tenant.hr_admin)
    url = reverse("hr:employee_edit", args=[staff.report.pk])
    (rendered, shown, _selected), = [option for option in manager_options(client.get(url).content.decode()) if option[2]]
    assert (rendered, shown) == (str(staff.manager.pk), label(staff.manager))
    assert search(client, q="Bäckström", exclude=staff.report.pk, manager=rendered)[1][0] == rendered

    response = client.post(url, employee_form_data(staff.report, manager=rendered, city="Kiruna"))

    assert response.status_code == 302
    assert Employee.objects.values_list("manager", "city").get(pk=staff.report.pk) == (staff.manager.pk, "Kiruna")


def test_a_foreign_manager_posted_by_hand_is_refused_and_not_shown(tenant, other_tenant, staff, client_for):
    foreigner, = many_employees(other_tenant.organization, 1)
    url = reverse("hr:employee_edit", args=[staff.report.pk])
    page = client_for(tenant.hr_admin).post(url, employee_form_data(staff.report, manager=foreigner.pk)).content.decode()
    assert "Select a valid choice. That choice is not one of the available choices." in page
    assert "Lisa" not in page and manager_options(page) == [("", "— none —", False)]
    assert Employee.objects.get(pk=staff.report.pk).manager == staff.manager


@pytest.mark.parametrize("manager", ["abc", "²", str(10**30)])
def test_a_manager_value_made_up_by_hand_is_refused_with_a_message(tenant, staff, client_for, manager):
    url = reverse("hr:employee_edit", args=[staff.report.pk])
    page = client_for(tenant.hr_admin).post(url, employee_form_data(staff.report, manager=manager)).content.decode()
    assert "Select a valid choice. That choice is not one of the available choices." in page
    assert manager_options(page) == [("", "— none —", False)]


def test_a_refused_form_shows_the_manager_that_was_submitted(tenant, staff, client_for):
    url = reverse("hr:employee_edit", args=[staff.report.pk])
    data = employee_form_data(staff.report, manager=staff.colleague.pk, postal_code="1234")
    page = client_for(tenant.hr_admin).post(url, data).content.decode()
    assert "A Swedish postal code has five digits" in page
    assert manager_options(page)[1:] == [(str(staff.colleague.pk), label(staff.colleague), True)]


def test_a_manager_cycle_found_by_the_search_is_refused_with_its_reason(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    (report, _label, _selected), = search(client, q="Sjöberg", exclude=staff.manager.pk)[1:]
    page = client.post(reverse("hr:employee_edit", args=[staff.manager.pk]),
                       employee_form_data(staff.manager, manager=report)).content.decode()
    assert "Erik Sjöberg cannot be the manager: they report (directly or through others) to Märta Åström." in page
