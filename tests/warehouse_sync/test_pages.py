"""The warehouse integration's pages: who may use each one, another organization's ids, the
settings form's rules and defaults, the schedule, and "Sync now" with a real job cluster."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_q.models import Schedule

from integrations.core.models import ExternalLink, OutboxEvent, SyncRun
from integrations.warehouse_sync import tasks
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.processes import wait_for
from tests.support.tenants import form_data
from tests.support.warehouse_sync import article, customer, order, pulled_order
from warehouse.models import PurchaseOrder, Receipt, Supplier

SETTINGS = reverse("warehouse_sync_settings")
DEFAULT_FORM = {"interval_minutes": "15", "pull_articles": "on", "pull_suppliers": "on", "pull_customers": "on",
                "pull_orders": "on", "pull_purchase_orders": "on", "order_selection": "confirmed", "set_order_type": "on",
                "fulfil_orders": "not_invoiced", "report_fulfilled": "on", "back_orders_in_fortnox": "on"}


def a_run(organization) -> SyncRun:
    return SyncRun.objects.create(organization=organization, kind=tasks.RUN_KIND, status=SyncRun.Status.SUCCEEDED)


def a_linked_purchase_order(organization, number="7") -> PurchaseOrder:
    supplier = Supplier.objects.create(organization=organization, supplier_number=f"L{number}", name="L")
    purchase_order = PurchaseOrder.objects.create(organization=organization, order_number=number, supplier=supplier)
    Receipt.objects.create(organization=organization, purchase_order=purchase_order)
    ExternalLink.objects.create(organization=organization, kind="wms_purchase_order", object_id=purchase_order.pk,
                                content_type=ContentType.objects.get_for_model(PurchaseOrder), external_id=number)
    return purchase_order


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "warehouse"])
def test_only_organization_admins_see_the_settings_and_runs(tenant, client_for, role):
    client = client_for(getattr(tenant, role))
    run = a_run(tenant.organization)
    assert client.get(SETTINGS).status_code == 403
    assert client.post(reverse("warehouse_sync_now")).status_code == 403
    assert client.get(reverse("warehouse_sync_run", args=[run.pk])).status_code == 403


def test_an_admin_sees_the_defaults_and_the_outsider_is_sent_to_log_in(tenant, client_for, outsider):
    page = client_for(tenant.owner).get(SETTINGS)
    assert page.status_code == 200 and "Sync now" in page.content.decode()
    form = page.context["form"]
    assert form["interval_minutes"].value() == 15 and form["order_selection"].value() == "confirmed"
    assert form["write_stock"].value() is False and form["use_warehouse_module"].value() is False
    assert form["report_fulfilled"].value() and form["set_order_type"].value() and form["pull_purchase_orders"].value()
    assert client_for(outsider).get(SETTINGS).status_code == 403
    assert Client().get(SETTINGS).status_code == 302


def test_another_organizations_run_and_purchase_order_are_404(tenant, other_tenant, client_for):
    run = a_run(other_tenant.organization)
    purchase_order = a_linked_purchase_order(other_tenant.organization)
    assert client_for(tenant.owner).get(reverse("warehouse_sync_run", args=[run.pk])).status_code == 404
    response = client_for(tenant.warehouse).post(reverse("warehouse_sync_report_purchase_order", args=[purchase_order.pk]))
    assert response.status_code == 404 and not OutboxEvent.objects.exists()


def test_warehouse_staff_report_receipts_and_others_may_not(tenant, client_for):
    purchase_order = a_linked_purchase_order(tenant.organization)
    url = reverse("warehouse_sync_report_purchase_order", args=[purchase_order.pk])
    for user in (tenant.hr_admin, tenant.manager, tenant.employee):
        assert client_for(user).post(url).status_code == 403
        assert client_for(user).get(reverse("warehouse_sync_purchase_orders")).status_code == 403
    staff = client_for(tenant.warehouse)
    page = staff.get(reverse("warehouse_sync_purchase_orders")).content.decode()
    assert "Report to Fortnox" in page
    assert staff.get(url).status_code == 405
    assert staff.post(url).status_code == 302
    assert OutboxEvent.objects.get().kind == "wms_purchase_order_report"
    assert "Being reported" in staff.get(reverse("warehouse_sync_purchase_orders")).content.decode()


def test_the_receipts_page_costs_the_same_queries_for_many_orders(tenant, client_for, django_assert_max_num_queries):
    for number in range(30):
        a_linked_purchase_order(tenant.organization, str(number))
    staff = client_for(tenant.warehouse)
    with django_assert_max_num_queries(12):
        page = staff.get(reverse("warehouse_sync_purchase_orders"))
    assert page.content.decode().count("Report to Fortnox") == 30


def test_saving_settings_turns_the_schedule_on_and_off(tenant, client_for):
    client = client_for(tenant.owner)
    assert client.post(SETTINGS, {**DEFAULT_FORM, "active": "on", "interval_minutes": "30"}).status_code == 302
    schedule = Schedule.objects.get(name=WarehouseSyncSettings.get_or_create_for(tenant.organization).schedule_name)
    assert (schedule.minutes, schedule.func, schedule.repeats) == (30, tasks.SCHEDULED_TASK, -1)
    client.post(SETTINGS, DEFAULT_FORM)
    assert not Schedule.objects.filter(name=schedule.name).exists()


def test_classic_stock_and_the_warehouse_module_exclude_each_other_and_bad_input_is_explained(tenant, client_for):
    client = client_for(tenant.owner)
    page = client.post(SETTINGS, {**DEFAULT_FORM, "write_stock": "on", "use_warehouse_module": "on"})
    assert page.status_code == 200 and "Choose one of the two" in page.content.decode()
    page = client.post(SETTINGS, {**DEFAULT_FORM, "interval_minutes": "1"})
    assert "between 5 and 1,440 minutes" in page.content.decode()
    page = client.post(SETTINGS, {})
    assert page.status_code == 200 and page.context["form"].errors
    assert not WarehouseSyncSettings.get_or_create_for(tenant.organization).write_stock


def test_a_second_run_is_not_queued_while_one_is_going(tenant):
    first = tasks.do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED)
    assert first is not None
    assert tasks.do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED) is None


@pytest.mark.slow
def test_sync_now_runs_on_the_job_cluster_and_the_page_shows_its_progress(connection, fortnox, tenant, client_for, cluster):
    customer(fortnox)
    article(fortnox, "A1")
    order(fortnox, [("A1", 2)])
    client = client_for(tenant.owner)
    response = client.post(reverse("warehouse_sync_now"))
    run = SyncRun.objects.get(organization=tenant.organization, kind=tasks.RUN_KIND)
    assert response["Location"] == reverse("warehouse_sync_run", args=[run.pk])
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["orders_created"] == 1, run.log
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "orders_created" in fragment and "hx-get" not in fragment


@pytest.mark.slow
def test_report_fulfilled_reaches_fortnox_through_the_job_cluster(connection, fortnox, tenant, cluster, sandbox, company):
    from tests.support.warehouse_sync import fulfil

    created = pulled_order(fortnox, tenant)
    fulfil(tenant, created["DocumentNumber"])
    wait_for(lambda: ExternalLink.objects.filter(kind="wms_invoice").exists())
    assert len(sandbox.records(company.data, "invoices")) == 1


def test_the_menu_and_the_integrations_list_lead_to_the_warehouse_pages(tenant, client_for):
    staff_page = client_for(tenant.warehouse).get(reverse("warehouse_sync_purchase_orders")).content.decode()
    assert "Receipts for Fortnox" in staff_page
    index = client_for(tenant.owner).get(reverse("integrations_index")).content.decode()
    assert SETTINGS in index


def test_two_admins_change_the_warehouse_settings_at_once_and_the_later_save_is_refused(tenant, client_for):
    first, second = client_for(tenant.owner), client_for(tenant.owner)
    first_form, second_form = first.get(SETTINGS), second.get(SETTINGS)
    assert first.post(SETTINGS, form_data(first_form, interval_minutes="30")).status_code == 302
    without_suppliers = form_data(second_form)
    del without_suppliers["pull_suppliers"]

    refused = second.post(SETTINGS, without_suppliers)

    assert [(c.theirs, c.yours) for c in refused.context["form"].edit_conflicts] == [("30", "15")]
    settings = WarehouseSyncSettings.objects.get(organization=tenant.organization)
    assert (settings.interval_minutes, settings.pull_suppliers) == (30, True)
    assert second.post(SETTINGS, form_data(refused)).status_code == 302
    settings.refresh_from_db()
    assert (settings.interval_minutes, settings.pull_suppliers) == (30, False)
