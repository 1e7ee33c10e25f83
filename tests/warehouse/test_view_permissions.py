"""Every warehouse page, both ways: warehouse staff and organization admins get in; HR admins,
managers, employees and outsiders do not; another organization's ids are a 404."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

GET_PAGES = [
    ("warehouse:pick_queue", None), ("warehouse:order", "order"), ("warehouse:order_return", "order"),
    ("warehouse:purchase_orders", None), ("warehouse:purchase_order", "purchase_order"),
    ("warehouse:stock", None), ("warehouse:article", "article"), ("warehouse:adjustment_new", None),
]
POST_ACTIONS = [
    ("warehouse:order_start_picking", "order"), ("warehouse:order_scan", "order"), ("warehouse:order_pack", "order"),
    ("warehouse:order_report_fulfilled", "order"), ("warehouse:order_cancel", "order"),
    ("warehouse:purchase_order_close_short", "purchase_order"),
]
ALL = [("get", *page) for page in GET_PAGES] + [("post", *action) for action in POST_ACTIONS] + [("post", "row", "order")]


def make_documents(build):
    article = build.article()
    order = build.order((article, 2))
    return SimpleNamespace(
        article=article, order=order, row=order.rows.get(), purchase_order=build.purchase_order((article, 5))
    )


def url_for(name, kind, documents):
    if name == "row":
        return reverse("warehouse:order_pick_row", args=[documents.order.pk, documents.row.pk])
    return reverse(name, args=[getattr(documents, kind).pk] if kind else [])


@pytest.fixture
def documents(build):
    return make_documents(build)


@pytest.mark.parametrize("method, name, kind", ALL)
@pytest.mark.parametrize("role", ["warehouse", "owner"])
def test_warehouse_staff_and_organization_admins_may_use_every_warehouse_page(
    tenant, client_for, documents, method, name, kind, role
):
    response = getattr(client_for(getattr(tenant, role)), method)(url_for(name, kind, documents), {"quantity": "1"})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("method, name, kind", ALL)
@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee"])
def test_other_roles_are_refused_every_warehouse_page(tenant, client_for, documents, method, name, kind, role):
    response = getattr(client_for(getattr(tenant, role)), method)(url_for(name, kind, documents))
    assert response.status_code == 403
    documents.order.refresh_from_db()
    assert documents.order.state == "open"


@pytest.mark.parametrize("method, name, kind", ALL)
def test_an_outsider_is_refused_every_warehouse_page(outsider, client_for, documents, method, name, kind):
    response = getattr(client_for(outsider), method)(url_for(name, kind, documents))
    assert response.status_code == 403


@pytest.mark.parametrize("method, name, kind", ALL)
def test_an_anonymous_visitor_is_sent_to_log_in(client, documents, method, name, kind):
    response = getattr(client, method)(url_for(name, kind, documents))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("method, name, kind", [entry for entry in ALL if entry[2]])
def test_another_organizations_documents_are_not_found(tenant, client_for, build_other, method, name, kind):
    theirs = make_documents(build_other)
    response = getattr(client_for(tenant.warehouse), method)(url_for(name, kind, theirs), {"quantity": "1"})
    assert response.status_code == 404
    theirs.order.refresh_from_db()
    assert theirs.order.state == "open" and theirs.order.rows.get().picked_quantity == 0


@pytest.mark.parametrize("name", [name for name, _ in POST_ACTIONS])
def test_actions_refuse_a_get(tenant, client_for, documents, name):
    kind = dict(POST_ACTIONS)[name]
    assert client_for(tenant.warehouse).get(url_for(name, kind, documents)).status_code == 405
