from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from organizations.models import User
from warehouse.actions import do_adjust_stock
from warehouse.models import StockMovement

WAREHOUSE_MODELS = [model for model in admin.site._registry if model._meta.app_label == "warehouse"]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")


def test_every_warehouse_model_is_in_the_admin():
    assert {model.__name__ for model in WAREHOUSE_MODELS} >= {
        "Article", "Supplier", "Customer", "OrderType", "SalesOrder", "PurchaseOrder", "Receipt", "StockLocation",
        "StockBalance", "StockMovement", "Adjustment", "Return",
    }


@pytest.mark.parametrize("model", WAREHOUSE_MODELS, ids=lambda model: model.__name__)
def test_a_superuser_can_list_search_and_filter_every_warehouse_model(superuser, client_for, tenant, model, build):
    do_adjust_stock(build.article(), Decimal(1), "count", tenant.owner)
    url = reverse(f"admin:warehouse_{model._meta.model_name}_changelist")
    response = client_for(superuser).get(url, {"q": "1"})
    assert response.status_code == 200


def test_a_superuser_may_edit_a_stock_movement_but_staff_may_only_read_it(superuser, client_for, tenant, build):
    do_adjust_stock(build.article(), Decimal(1), "count", tenant.owner)
    movement = StockMovement.objects.get()
    url = reverse("admin:warehouse_stockmovement_change", args=[movement.pk])
    assert b'name="_save"' in client_for(superuser).get(url).content
    tenant.warehouse.is_staff = True
    tenant.warehouse.save(update_fields=["is_staff"])
    tenant.warehouse.user_permissions.add(*Permission.objects.filter(codename__endswith="stockmovement"))
    staff_page = client_for(tenant.warehouse).get(url)
    assert staff_page.status_code == 200 and b'name="_save"' not in staff_page.content
