import pytest

from organizations.models import Membership
from organizations.permissions import ROLE_PERMISSIONS, Perm, Role, user_can

SETTINGS_PAGES = ["/org/members/", "/org/settings/"]


@pytest.mark.parametrize("role", list(Role))
def test_only_organization_admins_may_change_organization_wide_settings(tenant, role):
    assert user_can(tenant.member(role), tenant.organization, Perm.MANAGE_SETTINGS) == (role == Role.ORG_ADMIN)


def test_every_role_may_request_absence_but_only_warehouse_roles_work_the_warehouse(tenant):
    for role in Role:
        assert Perm.REQUEST_ABSENCE in ROLE_PERMISSIONS[role]
        assert (Perm.WORK_WAREHOUSE in ROLE_PERMISSIONS[role]) == (role in (Role.ORG_ADMIN, Role.WAREHOUSE))


def test_membership_in_one_organization_gives_no_rights_in_another(tenant, other_tenant):
    assert not user_can(tenant.owner, other_tenant.organization, Perm.MANAGE_HR)
    assert not user_can(tenant.owner, other_tenant.organization, Perm.REQUEST_ABSENCE)


def test_an_inactive_user_may_do_nothing(tenant):
    tenant.owner.is_active = False
    tenant.owner.save(update_fields=["is_active"])
    assert not user_can(tenant.owner, tenant.organization, Perm.REQUEST_ABSENCE)


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_an_organization_admin_opens_the_settings_pages(tenant, client_for, path):
    assert client_for(tenant.owner).get(path).status_code == 200


@pytest.mark.parametrize("path", SETTINGS_PAGES)
@pytest.mark.parametrize("role", [Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE, Role.WAREHOUSE])
def test_other_roles_are_refused_the_settings_pages(tenant, client_for, path, role):
    response = client_for(tenant.member(role)).get(path)
    assert response.status_code == 403
    assert "do not have permission" in response.content.decode()


@pytest.mark.parametrize("path", SETTINGS_PAGES + ["/"])
def test_a_person_without_an_organization_is_told_to_ask_for_an_invitation(outsider, client_for, path):
    response = client_for(outsider).get(path)
    assert response.status_code == 403
    assert "not a member of any organization" in response.content.decode()


@pytest.mark.parametrize("path", SETTINGS_PAGES + ["/", "/org/preferences/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_changing_another_organizations_membership_by_id_is_not_found(tenant, other_tenant, client_for):
    foreign = Membership.objects.get(organization=other_tenant.organization, user=other_tenant.employee)
    client = client_for(tenant.owner)
    assert client.post(f"/org/members/{foreign.pk}/role/", {"role": Role.ORG_ADMIN}).status_code == 404
    assert client.post(f"/org/members/{foreign.pk}/remove/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.EMPLOYEE


@pytest.mark.parametrize("role", [Role.HR_ADMIN, Role.MANAGER, Role.EMPLOYEE, Role.WAREHOUSE])
def test_non_admins_cannot_change_roles_or_remove_members(tenant, client_for, role):
    target = Membership.objects.get(organization=tenant.organization, user=tenant.employee)
    client = client_for(tenant.member(role))
    assert client.post(f"/org/members/{target.pk}/role/", {"role": Role.ORG_ADMIN}).status_code == 403
    assert client.post(f"/org/members/{target.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=target.pk, role=Role.EMPLOYEE).exists()


def test_role_changes_and_removals_need_a_post_with_csrf(tenant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.owner)
    target = Membership.objects.get(organization=tenant.organization, user=tenant.employee)
    assert client.post(f"/org/members/{target.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()
    assert client_get_is_not_allowed(tenant, target)


def client_get_is_not_allowed(tenant, target):
    from django.test import Client

    client = Client()
    client.force_login(tenant.owner)
    return client.get(f"/org/members/{target.pk}/remove/").status_code == 405
