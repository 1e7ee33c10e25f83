"""The Content-Security-Policy in a real browser: it blocks what it must, the suite notices (every
window of every browser test fails on a violation, see conftest.open_window), and the pages that
run script work under it: Brygga's own confirm buttons and the Django admin's widgets. The wizard
and the sandbox's consent page are walked by the journeys, the main pages of each role by
test_accessibility."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.support.browser import CSP_VIOLATIONS
from tests.support.warehouse import Build
from warehouse.models import SalesOrder

pytestmark = pytest.mark.e2e


def test_an_inline_script_is_blocked_and_the_suite_notices(db, page):
    page.goto(reverse("account_login"))
    page.evaluate("""() => document.body.insertAdjacentHTML("beforeend",
        '<img src="/static/none.png" onerror="window.ranInline = true">')""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ranInline") is None
    assert any("script-src-attr" in seen for seen in CSP_VIOLATIONS[page]), CSP_VIOLATIONS[page]
    CSP_VIOLATIONS[page].clear()  # seen on purpose; the window's own check must not fail on it


def test_a_confirm_button_asks_first_under_the_policy(tenant, page, log_in):
    order = Build(tenant.organization).order()
    log_in(tenant.warehouse.email)
    page.goto(reverse("warehouse:order", args=[order.pk]))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel order").click()
    assert asked == ["Cancel this order?"]
    order.refresh_from_db()
    assert order.state != SalesOrder.State.CANCELLED


def test_the_django_admin_and_its_widgets_work_under_the_policy(db, page, django_user_model):
    django_user_model.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    page.goto("/admin/login/")
    page.get_by_label(re.compile("E-?mail", re.I)).fill("root@brygga.test")
    page.get_by_label(re.compile("Password", re.I)).fill("pw-for-tests-1")
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    page.goto("/admin/organizations/user/")
    page.get_by_role("link", name="root@brygga.test").click()
    # The permission pickers are built by the admin's SelectFilter2.js: present only if scripts run.
    expect(page.locator("#id_groups_filter")).to_be_visible()
    page.goto("/admin/warehouse/salesorder/add/")
    # The date widget's shortcut, added by DateTimeShortcuts.js beside the field.
    page.locator("#id_packed_at_0 + .datetimeshortcuts").get_by_role("link", name="Today").click()
    expect(page.locator("#id_packed_at_0")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
