"""The conflicts inbox is in the menu of those who resolve conflicts (HR admins and organization
admins), with how many fields wait, for one query on every page."""

from django.urls import reverse
from django.utils import timezone

from integrations.hr_sync.models import EmployeeConflict, HrIntegrationSettings
from tests.support.hr_sync import employee

INBOX = reverse("hr_conflicts")


def menu_of(client) -> str:
    page = client.get(reverse("dashboard")).content.decode()
    return page[page.index('class="brygga-nav"'):page.index("</nav>")]


def test_hr_and_organization_admins_find_the_inbox_in_the_menu_with_the_number_waiting(tenant, client_for):
    HrIntegrationSettings.objects.create(organization=tenant.organization, activated_at=timezone.now())
    for user in (tenant.hr_admin, tenant.owner):
        menu = menu_of(client_for(user))
        assert INBOX in menu and "badge" not in menu[menu.index(INBOX):], "nothing waits, so no number"
    anna = employee(tenant.organization)
    for field in ("phone", "job_title"):
        EmployeeConflict.objects.create(organization=tenant.organization, employee=anna, field=field,
                                        brygga_value="a", fortnox_value="b")
    EmployeeConflict.objects.create(organization=tenant.organization, employee=anna, field="email", brygga_value="a",
                                    fortnox_value="b", resolved_at=timezone.now())
    menu = menu_of(client_for(tenant.hr_admin))
    assert 'aria-label="Fortnox conflicts: 2 to resolve"' in menu and '<span class="badge warn">2</span>' in menu


def test_people_who_cannot_resolve_conflicts_have_no_inbox_in_their_menu(tenant, client_for):
    HrIntegrationSettings.objects.create(organization=tenant.organization, activated_at=timezone.now())
    EmployeeConflict.objects.create(organization=tenant.organization, employee=employee(tenant.organization),
                                    field="phone", brygga_value="a", fortnox_value="b")
    for user in (tenant.manager, tenant.employee):
        assert INBOX not in menu_of(client_for(user))


def test_without_an_hr_integration_and_nothing_waiting_the_menu_has_no_inbox(tenant, other_tenant, client_for):
    EmployeeConflict.objects.create(organization=other_tenant.organization, employee=employee(other_tenant.organization),
                                    field="phone", brygga_value="a", fortnox_value="b")
    assert INBOX not in menu_of(client_for(tenant.hr_admin))
    HrIntegrationSettings.objects.create(organization=tenant.organization)  # set up but never activated
    assert INBOX not in menu_of(client_for(tenant.hr_admin))


def test_the_menu_counts_the_waiting_conflicts_in_one_query(tenant, client_for, django_assert_num_queries):
    from django.template import Context, Template

    HrIntegrationSettings.objects.create(organization=tenant.organization, activated_at=timezone.now())
    anna = employee(tenant.organization)
    for field in ("phone", "job_title", "email"):
        EmployeeConflict.objects.create(organization=tenant.organization, employee=anna, field=field,
                                        brygga_value="a", fortnox_value="b")
    template = Template("{% load hr_fortnox %}{% open_fortnox_conflicts as waiting %}{{ waiting }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"current_organization": tenant.organization, "can": {"manage_hr": True}})) == "3"
