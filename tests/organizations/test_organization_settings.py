"""The organization settings page: another organization's number in any spelling is a form error,
and two admins saving at once do not undo each other."""

import pytest
from django.urls import reverse

from organizations.models import Organization
from tests.support.tenants import form_data


@pytest.mark.parametrize("typed", ["2120000142", "212000 0142", " 212000-0142 "])
def test_another_organizations_number_typed_without_the_dash_is_a_form_error_not_a_crash(tenant, other_tenant, client_for, typed):
    client = client_for(tenant.owner)
    shown = client.get(reverse("organization_settings"))

    response = client.post(reverse("organization_settings"), form_data(shown, organisation_number=typed))

    assert response.status_code == 200
    assert "Organization with this Organisation number already exists." in response.content.decode()
    assert Organization.objects.get(pk=tenant.organization.pk).organisation_number == "556036-0793"


def test_the_django_admins_organization_form_refuses_a_taken_number_without_the_dash_too(other_tenant, outsider, client_for):
    outsider.is_superuser = outsider.is_staff = True
    outsider.save(update_fields=["is_superuser", "is_staff"])

    response = client_for(outsider).post("/admin/organizations/organization/add/", {
        "name": "Gamma AB", "organisation_number": "2120000142", "language": "sv", "created_at_0": "2026-01-01",
        "created_at_1": "10:00:00",
    })

    assert response.status_code == 200
    assert "Organization with this Organisation number already exists." in response.content.decode()
    assert not Organization.objects.filter(name="Gamma AB").exists()


def test_a_number_typed_without_the_dash_is_saved_in_the_usual_form(tenant, client_for):
    client = client_for(tenant.owner)
    shown = client.get(reverse("organization_settings"))
    assert client.post(reverse("organization_settings"), form_data(shown, organisation_number="5560360793")).status_code == 302
    assert Organization.objects.get(pk=tenant.organization.pk).organisation_number == "556036-0793"


def test_two_admins_change_the_organization_settings_at_once_and_the_later_save_is_refused(tenant, client_for):
    url = reverse("organization_settings")
    second_admin = client_for(tenant.owner), client_for(tenant.owner)
    first, second = second_admin
    first_form, second_form = first.get(url), second.get(url)
    assert first.post(url, form_data(first_form, name="Alfa Sverige AB")).status_code == 302

    refused = second.post(url, form_data(second_form, require_mfa_for_admins="on"))

    assert [(c.theirs, c.yours) for c in refused.context["form"].edit_conflicts] == [("Alfa Sverige AB", "Alfa AB")]
    organization = Organization.objects.get(pk=tenant.organization.pk)
    assert (organization.name, organization.require_mfa_for_admins) == ("Alfa Sverige AB", False)
    assert second.post(url, form_data(refused)).status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.require_mfa_for_admins) == ("Alfa Sverige AB", True)
