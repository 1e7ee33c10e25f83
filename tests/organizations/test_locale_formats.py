"""Dates and numbers in the reader's language: Swedish readers get decimal commas and Swedish
month names, English readers decimal points and ISO dates with a 24-hour clock (not Django's
American defaults); number inputs always take a point, whatever the language."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from integrations.core.models import IntegrationError
from tests.support.warehouse import Build


def read_as(client_for, user, language):
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


@pytest.mark.parametrize(("language", "shown"), [("sv", "2,5"), ("en", "2.5")])
def test_quantities_use_the_readers_decimal_separator_but_inputs_keep_a_point(tenant, client_for, language, shown):
    build = Build(tenant.organization)
    order = build.order((build.article(), Decimal("2.5")))
    client = read_as(client_for, tenant.warehouse, language)
    client.post(reverse("warehouse:order_start_picking", args=[order.pk]))
    page = client.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert f">{shown} st<" in page
    assert 'value="2.5"' in page and 'max="2.5"' in page  # <input type="number"> wants a point


@pytest.mark.parametrize(("language", "shown"), [("sv", "6 juli 2026 14:30"), ("en", "6 Jul 2026 14:30")])
def test_dates_and_times_are_written_the_readers_way(tenant, client_for, language, shown):
    IntegrationError.objects.create(
        organization=tenant.organization, kind="employee_update", message="Fortnox refused it.",
        last_seen_at=datetime(2026, 7, 6, 14, 30, tzinfo=ZoneInfo("Europe/Stockholm")),
    )
    page = read_as(client_for, tenant.owner, language).get(reverse("integration_errors")).content.decode()
    assert shown in page and "p.m." not in page


def test_a_decision_message_is_worded_in_the_deciders_language_whatever_was_active_at_import(tenant, client_for):
    """The approve/reject messages are made when hr.views is imported; they must still follow
    each request's language (they came out in the import-time language before)."""
    from datetime import date

    from django.utils import translation

    from hr import actions as hr_actions
    from hr.models import AbsenceType
    from tests.support.hr_sync import employee

    AbsenceType.objects.ensure_defaults(tenant.organization)
    boss = employee(tenant.organization, given_name="Maja", family_name="Chef", email="maja@alfa.test",
                    employment_id="1000", user=tenant.manager)
    anna = employee(tenant.organization, manager=boss)
    decisions = []
    for language in ("sv", "en"):
        absence = hr_actions.do_register_absence(anna, {
            "absence_type": AbsenceType.objects.for_organization(tenant.organization).get(code="vacation"),
            "start_date": date(2026, 7, 6) if language == "sv" else date(2026, 8, 3),
            "end_date": date(2026, 7, 10) if language == "sv" else date(2026, 8, 7), "grade": 100,
            "note": ""}, acting_user=tenant.hr_admin, approved=False)
        client = read_as(client_for, tenant.manager, language)
        with translation.override("sv" if language == "en" else "en"):  # another language active in the process
            decisions.append(client.post(reverse("hr:absence_approve", args=[absence.pk]), follow=True).content.decode())
    assert "Semester för Anna Berg har godkänts." in decisions[0]
    assert "Vacation for Anna Berg was approved." in decisions[1]


@pytest.mark.parametrize(("language", "shown"), [("sv", "0,001"), ("en", "0.001")])
def test_a_quantitys_limit_in_a_validation_message_is_written_the_readers_way(tenant, client_for, language, shown):
    # Django wrote the limit as it is stored ("0.001", and a maximum of 10 as "10.000", which a
    # Swedish reader takes for ten thousand).
    build = Build(tenant.organization)
    order = build.order((build.article(), Decimal("10")))
    client = read_as(client_for, tenant.warehouse, language)
    client.post(reverse("warehouse:order_start_picking", args=[order.pk]))
    page = client.post(reverse("warehouse:order_scan", args=[order.pk]), {"code": "x", "quantity": "0"}).content.decode()
    assert f" {shown}." in page


def test_a_quantity_in_a_refusal_reads_as_the_number_it_is(tenant, client_for):
    build = Build(tenant.organization)
    order = build.order((build.article(), Decimal("10")))
    client = read_as(client_for, tenant.warehouse, "sv")
    client.post(reverse("warehouse:order_start_picking", args=[order.pk]))
    row = order.rows.get()
    page = client.post(reverse("warehouse:order_pick_row", args=[order.pk, row.pk]), {"quantity": "12"}, follow=True).content.decode()
    assert "Endast 10 kvar att plocka" in page


def test_a_quantity_with_too_many_digits_is_refused_with_a_message_not_an_error_page(tenant, client_for):
    # Localizing the limits once turned the digit count a plural form is chosen by into text (a 500).
    build = Build(tenant.organization)
    order = build.order((build.article(), Decimal("10")))
    client = read_as(client_for, tenant.warehouse, "sv")
    client.post(reverse("warehouse:order_start_picking", args=[order.pk]))
    response = client.post(reverse("warehouse:order_scan", args=[order.pk]), {"code": "x", "quantity": "12345678901234567"})
    assert response.status_code == 200 and "12 siffror" in response.content.decode()
