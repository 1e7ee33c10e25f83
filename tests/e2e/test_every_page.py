"""Every page each role opens, at a 390×844 phone and a 1280×800 desktop, in English and in
Swedish: no sideways scrolling, nothing pressable lying on something else, no text left in the
other language, no serious accessibility violation; on the warehouse pages also touch targets of
44 px and a scan field within reach. One logged-in window per role walks all of it (the walker
is tests/e2e/walker.py); its screenshots land in test-artifacts/pages/ and the README's phone
pictures in docs/screenshots/."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import AbsenceType
from integrations.core.models import FortnoxConnection
from tests.support.browser import close_window, log_in_on, open_window, save_screenshot
from tests.support.fortnox_events import live
from tests.support.hr_sync import employee
from tests.support.page_walker import LANGUAGES, SIZES, look_at
from tests.support.warehouse import Build
from tests.support.warehouse_sync import configure
from warehouse import actions as wh, notices, shipping_actions
from warehouse.shipping import Transporter, TransporterRule, TransporterService

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(tenant, connect, make_company, settings):
    """A little of everything, so lists and forms have rows and states to show, and a Fortnox
    connection so the integration pages show what an admin sees once connected."""
    organization = tenant.organization
    AbsenceType.objects.ensure_defaults(organization)
    boss = employee(organization, given_name="Maja", family_name="Chef", email="maja@alfa.test", employment_id="1000",
                    user=tenant.manager)
    anna = employee(organization, user=tenant.employee, manager=boss, phone="+46701234567", street="Storgatan 1",
                    postal_code="11122", city="Stockholm", clearing_number="8327", account_number="9000000")
    absence = hr_actions.do_request_absence(anna, {
        "absence_type": AbsenceType.objects.for_organization(organization).get(code="vacation"),
        "start_date": date(2026, 7, 6), "end_date": date(2026, 7, 17), "grade": 100, "note": "Sommar"},
        acting_user=tenant.employee)
    hr_actions.do_request_absence(boss, {
        "absence_type": AbsenceType.objects.for_organization(organization).get(code="sick_leave"),
        "start_date": date(2026, 3, 2), "end_date": date(2026, 3, 3), "grade": 100, "note": ""},
        acting_user=tenant.manager)

    build = Build(organization)
    who = tenant.warehouse
    screws = build.article(description="Skruv 4×40 mm, rostfri, 200-pack")
    brackets = build.article(description="Vinkelbeslag 90°")
    wh.do_adjust_stock(screws, Decimal("40"), "Inventering", who)
    wh.do_adjust_stock(brackets, Decimal("12"), "Inventering", who)
    customer = build.customer(name="Bygghandeln i Norrland Aktiebolag")
    # Shipping (issue 23): a rule, an order with its service, one flagged, a failed customer notice.
    postnord = Transporter.objects.create(organization=organization, name="PostNord")
    service = TransporterService.objects.create(organization=organization, transporter=postnord, name="MyPack Collect")
    rule = shipping_actions.do_add_rule(TransporterRule(organization=organization, service=service,
                                                        way_of_delivery="Postnord MyPack", max_weight_kg=Decimal(20)))
    to_pick = build.order((screws, 3), (brackets, 1), (build.article(), 2), customer=customer,
                          way_of_delivery="Budbil", delivery_date=date(2026, 12, 7))
    shipping_actions.do_apply_rules(organization)  # no rule for Budbil: flagged, in the reader's language
    picking = build.order((screws, 5), (brackets, 2), customer=customer, transporter_service=service)
    wh.do_start_picking(picking, who)
    wh.do_pick_row(picking.rows.get(article=screws), Decimal("5"), who)
    sent = build.order((screws, 2), (brackets, 1), notify_by_email=True, customer=build.customer(email=""))
    wh.do_start_picking(sent, who)
    for row in sent.rows.all():
        wh.do_pick_row(row, row.ordered_quantity, who)
    wh.do_pack(sent, who, parcels=2, weight_kg=Decimal("1.4"))
    wh.do_report_fulfilled(sent, who)
    notices.send_due()  # fails: the customer has no email address
    wh.do_register_return(sent.rows.get(article=screws), Decimal("1"), "Fel storlek", who)
    expected = build.purchase_order((screws, 100), (brackets, 10), expected_date=date(2026, 12, 10))
    partly = build.purchase_order((screws, 50), (brackets, 20))
    wh.do_receive_purchase_order(partly, {partly.rows.get(article=screws).pk: Decimal("20")}, who, note="Första leveransen")

    # Connected last, so the work above is not queued for Fortnox.
    FortnoxConnection.objects.update_or_create(organization=organization, defaults={"warehouse_enabled": True})
    connection = connect(tenant, make_company())
    # Its orders arrive by Fortnox's event stream: the pick queue and the settings page say "Live".
    settings.FORTNOX_EVENTS_URL = settings.FORTNOX_EVENTS_URL or "ws://127.0.0.1:9/topics-v1"
    settings.FORTNOX_EVENTS_STALE_SECONDS = 3600  # no listener renews the heartbeat during the walk
    configure(tenant, active=True)
    live(connection)
    return {"anna": anna, "absence": absence, "to_pick": to_pick, "picking": picking, "sent": sent, "rule": rule,
            "expected": expected, "partly": partly, "article": screws}


# (path, is it a warehouse page, a name for its screenshot) per role.
PAGES = {
    "owner": lambda d: [
        (reverse("dashboard"), False), (reverse("members"), False), (reverse("organization_settings"), False),
        (reverse("preferences"), False), (reverse("notifications"), False), (reverse("integrations_index"), False),
        (reverse("fortnox_connection"), False), (reverse("hr_integration"), False), (reverse("hr_settings"), False),
        (reverse("hr_mapping"), False), (reverse("hr_sync"), False), (reverse("integration_errors"), False),
        (reverse("absence_backfill"), False), (reverse("hr_conflicts"), False), (reverse("warehouse_sync_settings"), False),
        (reverse("warehouse:shipping"), False), (reverse("mfa_index"), False),
        (reverse("account_change_password"), False), (reverse("warehouse:shipping_rule_edit", args=[d["rule"].pk]), False),
    ],
    "hr_admin": lambda d: [
        (reverse("hr:employee_list"), False), (reverse("hr:employee_detail", args=[d["anna"].pk]), False),
        (reverse("hr:employee_edit", args=[d["anna"].pk]), False), (reverse("hr:employee_create"), False),
        (reverse("hr:absence_register", args=[d["anna"].pk]), False), (reverse("hr:absence_list"), False),
        (reverse("hr:absence_edit", args=[d["absence"].pk]), False),
        (reverse("hr:absence_delete", args=[d["absence"].pk]), False), (reverse("hr_conflicts"), False),
    ],
    "manager": lambda d: [(reverse("dashboard"), False), (reverse("hr:approvals"), False), (reverse("hr:my_absences"), False)],
    "employee": lambda d: [(reverse("dashboard"), False), (reverse("hr:my_absences"), False)],
    "warehouse": lambda d: [
        (reverse("warehouse:pick_queue"), True), (reverse("warehouse:order", args=[d["to_pick"].pk]), True),
        (reverse("warehouse:order", args=[d["picking"].pk]), True), (reverse("warehouse:order", args=[d["sent"].pk]), True),
        (reverse("warehouse:order_return", args=[d["sent"].pk]), True), (reverse("warehouse:purchase_orders"), True),
        (reverse("warehouse:purchase_order", args=[d["expected"].pk]), True),
        (reverse("warehouse:purchase_order", args=[d["partly"].pk]), True), (reverse("warehouse:stock"), True),
        (reverse("warehouse:article", args=[d["article"].pk]), True), (reverse("warehouse:adjustment_new"), True),
        (reverse("warehouse_sync_purchase_orders"), True), (reverse("warehouse:order_service", args=[d["to_pick"].pk]), True),
        (reverse("warehouse:order_delivery_note", args=[d["sent"].pk]), True),
    ],
}


# README pictures taken on the walk: (role, page's index in PAGES, language, size) → name.
README_PICTURES = {("warehouse", 0, "en", "phone"): "pick-queue-phone", ("warehouse", 2, "en", "phone"): "picking-phone",
                   ("warehouse", 7, "en", "phone"): "receiving-phone"}


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_of_each_role_reads_well_on_a_phone_and_a_desktop_in_both_languages(
        tenant, world, browser, live_server, settings, role):
    settings.SITE_URL = live_server.url
    person = getattr(tenant, role)
    window = open_window(browser, live_server)
    problems = []
    try:
        log_in_on(window, person.email)
        for language in LANGUAGES:
            person.language = language
            person.save(update_fields=["language"])
            for index, (path, warehouse) in enumerate(PAGES[role](world)):
                for size in SIZES:
                    problems += look_at(window, path, language=language, size=size, warehouse=warehouse,
                                        name=f"{role}{path}")
                    if picture := README_PICTURES.get((role, index, language, size)):
                        save_screenshot(window, picture)
    finally:
        close_window(window)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(f"- {p}" for p in problems)


def test_the_login_page_signs_in_on_enter_and_reads_well(tenant, page):
    # The language switcher's "Change" came first on the page, before "Sign in".
    problems = [p for size in SIZES for p in look_at(page, reverse("account_login"), language="en", size=size, name="login")]
    assert not problems, "\n".join(problems)
    assert page.locator("form button[type=submit], form input[type=submit]").first.inner_text() == "Sign In"
    assert "sign up" not in page.locator("#content").inner_text().lower()
    page.get_by_label("Email").fill(tenant.owner.email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
