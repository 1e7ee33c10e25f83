"""Two people (or a person and Fortnox) with the same record open: the later save does not silently
undo the earlier one. It is refused with both versions shown, and nothing either side entered is lost."""

from datetime import date

from django.urls import reverse

from hr import actions
from hr.models import Employee
from tests.support.tenants import form_data


def test_two_hr_admins_edit_one_employee_and_the_later_save_is_refused_showing_both_versions(tenant, staff, client_for):
    url = reverse("hr:employee_edit", args=[staff.colleague.pk])
    first, second = client_for(tenant.owner), client_for(tenant.hr_admin)
    first_form, second_form = first.get(url), second.get(url)

    assert first.post(url, form_data(first_form, phone="+46709999999")).status_code == 302
    refused = second.post(url, form_data(second_form, street="Lillgatan 2"))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "nothing was saved" in page
    assert [(c.label, c.theirs, c.yours) for c in refused.context["form"].edit_conflicts] == [
        ("Phone", "+46709999999", staff.colleague.phone),
    ]
    colleague = Employee.objects.get(pk=staff.colleague.pk)
    assert (colleague.phone, colleague.street) == ("+46709999999", "Storgatan 1")
    # The form keeps the street just typed and now holds the phone saved meanwhile: saving again loses neither.
    assert second.post(url, form_data(refused)).status_code == 302
    colleague.refresh_from_db()
    assert (colleague.phone, colleague.street) == ("+46709999999", "Lillgatan 2")


def test_a_change_from_fortnox_while_the_form_is_open_is_not_overwritten(tenant, staff, client_for):
    url = reverse("hr:employee_edit", args=[staff.colleague.pk])
    client = client_for(tenant.hr_admin)
    shown = client.get(url)
    actions.update_from_external(staff.colleague, {"city": "Kiruna"})

    refused = client.post(url, form_data(shown, city="Luleå"))

    assert [(c.label, c.theirs, c.yours) for c in refused.context["form"].edit_conflicts] == [("City", "Kiruna", "Luleå")]
    assert Employee.objects.get(pk=staff.colleague.pk).city == "Kiruna"
    assert refused.context["form"]["city"].value() == "Luleå"  # where both changed a field, the person's input stays
    assert client.post(url, form_data(refused)).status_code == 302  # now decided knowingly
    assert Employee.objects.get(pk=staff.colleague.pk).city == "Luleå"


def test_a_save_after_someone_else_changed_only_what_the_form_does_not_differ_on_goes_through(tenant, staff, client_for):
    url = reverse("hr:employee_edit", args=[staff.colleague.pk])
    first, second = client_for(tenant.owner), client_for(tenant.hr_admin)
    first_form, second_form = first.get(url), second.get(url)
    first.post(url, form_data(first_form, city="Kiruna"))

    assert second.post(url, form_data(second_form, city="Kiruna", street="Lillgatan 2")).status_code == 302
    assert Employee.objects.filter(pk=staff.colleague.pk, city="Kiruna", street="Lillgatan 2").exists()


def test_a_version_from_another_record_is_refused(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    other = client.get(reverse("hr:employee_edit", args=[staff.manager.pk]))
    shown = client.get(reverse("hr:employee_edit", args=[staff.colleague.pk]))

    response = client.post(
        reverse("hr:employee_edit", args=[staff.colleague.pk]),
        form_data(shown, city="Kiruna", version=other.context["form"]["version"].value()),
    )

    assert "does not belong to this record any more" in response.content.decode()
    assert Employee.objects.get(pk=staff.colleague.pk).city == "Stockholm"


def test_two_people_edit_one_absence_and_the_later_save_is_refused(tenant, staff, absence_types, client_for):
    absence = actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6),
                          "end_date": date(2026, 7, 10)}, acting_user=tenant.hr_admin,
    )
    url = reverse("hr:absence_edit", args=[absence.pk])
    first, second = client_for(tenant.owner), client_for(tenant.hr_admin)
    first_form, second_form = first.get(url), second.get(url)
    assert first.post(url, form_data(first_form, end_date="2026-07-08")).status_code == 302

    refused = second.post(url, form_data(second_form, note="Sommarstugan"))

    assert [c.label for c in refused.context["form"].edit_conflicts] == ["Last day"]
    absence.refresh_from_db()
    assert (absence.end_date, absence.note) == (date(2026, 7, 8), "")
    assert second.post(url, form_data(refused)).status_code == 302
    absence.refresh_from_db()
    assert (absence.end_date, absence.note) == (date(2026, 7, 8), "Sommarstugan")
