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


def test_a_person_with_a_field_in_the_inbox_is_not_shown_as_sent_to_fortnox(activated, fortnox, tenant, client_for):
    """The push held Brygga's phone back (changed in Fortnox too): the person's page says so and
    leads to the inbox, instead of "Sent to Fortnox"; once resolved, it is sent."""
    from hr import actions as hr_actions
    from integrations.core import outbox
    from integrations.hr_sync.pull import do_resolve_conflict
    from tests.support.hr_sync import linked

    anna = linked(tenant.organization, fortnox)
    fortnox.put("/3/employees/1001", {"Employee": {"Phone1": "0703333333"}})
    hr_actions.do_update_employee(anna, {"phone": "+46702222222"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    page = client_for(tenant.hr_admin).get(reverse("hr:employee_detail", args=[anna.pk])).content.decode()
    assert "Conflict with Fortnox" in page and "Sent to Fortnox" not in page and f'href="{INBOX}"' in page
    assert "Conflict with Fortnox" in client_for(tenant.hr_admin).get(reverse("hr:employee_list")).content.decode()

    do_resolve_conflict(EmployeeConflict.objects.get(), EmployeeConflict.BRYGGA, acting_user=tenant.hr_admin)
    outbox.push_due()
    page = client_for(tenant.hr_admin).get(reverse("hr:employee_detail", args=[anna.pk])).content.decode()
    assert "Sent to Fortnox" in page and "Conflict with Fortnox" not in page
    assert fortnox.get("/3/employees/1001")["Phone1"] == "+46702222222"
