def test_the_dashboard_shows_the_current_organization_to_a_member(tenant, client_for):
    response = client_for(tenant.employee).get("/")
    assert response.status_code == 200
    assert "Alfa AB" in response.content.decode()


ADMIN_LINK = '<a href="/admin/">Django admin</a>'


def test_staff_without_a_single_admin_permission_get_no_django_admin_link_leading_to_a_refusal(tenant, client_for):
    # The demo's organization admin is staff; the admin only said "You don't have permission".
    tenant.owner.is_staff = True
    tenant.owner.save(update_fields=["is_staff"])
    client = client_for(tenant.owner)
    assert ADMIN_LINK not in client.get("/").content.decode()


def test_staff_who_may_use_the_admin_get_the_link_and_it_shows_them_their_models(tenant, client_for):
    from django.contrib.auth.models import Permission

    tenant.owner.is_staff = True
    tenant.owner.save(update_fields=["is_staff"])
    tenant.owner.user_permissions.add(Permission.objects.get(codename="view_employee"))
    client = client_for(tenant.owner)
    assert ADMIN_LINK in client.get("/").content.decode()
    index = client.get("/admin/").content.decode()
    assert "Employees" in index and "permission to view or edit anything" not in index


def test_a_superuser_gets_the_django_admin_link(tenant, client_for):
    from organizations.models import User

    root = User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    assert ADMIN_LINK in client_for(root).get("/").content.decode()
