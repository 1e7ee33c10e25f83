"""The JSON control API (tests and benchmarks) and the HTML control panel (people)."""

import json

import pytest
from django.conf import settings
from django.test import Client, override_settings

from fortnox_sandbox.models import Company, OAuthClient, Record, RequestLog, SandboxUser
from tests.support.sandbox_api import API, CONTROL, control as call


def test_companies_are_created_with_a_fresh_database_number(db):
    created = call("post", "companies", {"name": "Nya Bolaget AB", "warehouse_licence": True})
    assert created.status_code == 201
    assert created.json()["database_number"] == 1000001 and created.json()["warehouse_licence"] is True
    assert call("post", "companies", {"name": "Två AB"}).json()["database_number"] == 1000002


def test_switches_limits_and_faults_are_changed_partially(company):
    changed = call("patch", f"companies/{company.database_number}", {
        "purchase_orders_licence": True, "rate_limit_window_seconds": 1, "fault_error_rate": 0.25,
        "locked_salary_until": "2025-01-31"})
    assert changed.status_code == 200
    company.refresh_from_db()
    assert company.purchase_orders_licence and company.salary_licence and company.fault_error_rate == 0.25
    assert str(company.locked_salary_until) == "2025-01-31" and company.name == "Sandlådan AB"


@pytest.mark.parametrize("body", [{"fault_error_rate": 2}, {"shoe_size": 42}, {"missing_scope_status": 418},
                                  {"fault_error_status": 200}])
def test_bad_control_input_is_refused_with_a_reason(company, body):
    response = call("patch", f"companies/{company.database_number}", body)
    assert response.status_code == 400 and response.json()["error"] == "invalid"


def test_a_body_that_is_not_json_is_refused(company):
    response = Client().patch(CONTROL + f"companies/{company.database_number}", "{nope", content_type="application/json",
                              headers={"X-Sandbox-Control-Key": settings.FORTNOX_SANDBOX_CONTROL_KEY})
    assert response.status_code == 400 and "not JSON" in response.json()["message"]


def test_reset_empties_data_tokens_and_log_but_keeps_switches_and_users(connect, company):
    connect().post("3/employees", {"Employee": {"FirstName": "A", "LastName": "B", "Email": "a@b.se"}})
    assert call("post", f"companies/{company.database_number}/reset").json() == {"reset": True}
    assert not Record.objects.exists() and not RequestLog.objects.exists() and not company.tokens.exists()
    assert SandboxUser.objects.filter(company=company).exists()
    assert connect().post("3/employees", {"Employee": {"FirstName": "A", "LastName": "B", "Email": "a@b.se"}}
                          ).json()["Employee"]["EmployeeId"] == "1"


def test_seeding_through_the_control_api_checks_its_input(company):
    assert call("post", f"companies/{company.database_number}/seed", {"size": 0}).status_code == 400
    assert call("post", f"companies/{company.database_number}/seed", {"size": "many"}).status_code == 400


def test_sandbox_users_and_clients_are_registered(company):
    user = call("post", f"companies/{company.database_number}/users", {"username": "ny@test", "password": "hemligt1"})
    assert user.status_code == 201 and SandboxUser.objects.get(username="ny@test").check_password("hemligt1")
    with override_settings(DEBUG=True):  # a client of another app: only while developing
        client = call("post", "clients", {"client_id": "other-app", "name": "Other", "secret": "s3cret-s3cret",
                                          "redirect_uris": "https://other.example/cb", "landing_page": "https://other.example/"})
        assert client.status_code == 201 and OAuthClient.objects.get(client_id="other-app").accepts_redirect_uri(
            "https://other.example/cb")


def test_records_and_the_request_log_can_be_read(connect, company):
    api = connect()
    api.post("3/employees", {"Employee": {"FirstName": "Åsa", "LastName": "Öberg", "Email": "a@b.se"}})
    records = call("get", f"companies/{company.database_number}/records/employees").json()["records"]
    assert records[0]["document"]["FirstName"] == "Åsa"
    log = call("get", f"companies/{company.database_number}/requests").json()["requests"]
    assert log[0]["method"] == "POST" and log[0]["status"] == 201 and log[0]["token"]


def test_the_control_api_refuses_callers_without_the_key_even_from_this_machine(company):
    assert call("get", "companies", key="").status_code == 403
    assert call("get", "companies", key="wrong").status_code == 403
    assert call("get", "companies", key="nøkkel-med-æ").status_code == 403
    assert call("get", "companies", REMOTE_ADDR="203.0.113.9").status_code == 200


@override_settings(FORTNOX_SANDBOX_CONTROL_KEY="", DEBUG=True)
def test_in_debug_without_a_key_only_callers_on_this_machine_get_in_and_forwarded_for_is_not_believed(company):
    assert call("get", "companies").status_code == 200
    assert call("get", "companies", REMOTE_ADDR="203.0.113.9").status_code == 403
    # A reverse proxy on this machine: the request arrives from loopback, and a caller on the
    # internet writes X-Forwarded-For as it likes. Neither is read outside DEBUG; in DEBUG the
    # header is not read at all.
    assert call("get", "companies", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403


@override_settings(FORTNOX_SANDBOX_CONTROL_KEY="")
def test_outside_debug_loopback_proves_nothing_to_the_control_api(company):
    assert call("get", "companies").status_code == 403
    assert call("post", "clients", {"client_id": "evil", "name": "Evil", "secret": "s3cret-s3cret",
                                    "redirect_uris": "https://evil.example/cb"}).status_code == 403
    assert not OAuthClient.objects.filter(client_id="evil").exists()


@override_settings(FORTNOX_SANDBOX_CONTROL_KEY="", DEBUG=True)
def test_a_cross_site_text_plain_post_cannot_drive_the_control_api(company):
    """What a page on another site can make a developer's browser send without a CORS preflight:
    a text/plain or form body, from loopback, without the key header."""
    body = json.dumps({"username": "evil@sandbox", "password": "hemligt1"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = Client().post(CONTROL + f"companies/{company.database_number}/users", body, content_type=content_type,
                                 headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 415
    assert Client().post(CONTROL + f"companies/{company.database_number}/reset", content_type="text/plain").status_code == 415
    assert not SandboxUser.objects.filter(username="evil@sandbox").exists()


@override_settings(FORTNOX_SANDBOX_CONTROL_KEY="k-123")
def test_with_a_control_key_only_its_holders_get_in(company):
    assert call("get", "companies", key="").status_code == 403
    assert call("get", "companies", key="wrong").status_code == 403
    assert call("get", "companies", REMOTE_ADDR="203.0.113.9", key="k-123").status_code == 200


def test_outside_debug_sandbox_clients_redirect_only_to_brygga_itself(company, settings):
    settings.SITE_URL = "https://brygga.example.se"
    refused = call("post", "clients", {"client_id": "evil", "name": "Evil", "secret": "s3cret-s3cret",
                                       "redirect_uris": "https://brygga.example.se/cb\nhttps://evil.example/cb",
                                       "landing_page": "https://evil.example/"})
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"redirect_uris", "landing_page"}
    own = call("post", "clients", {"client_id": "own", "name": "Own", "secret": "s3cret-s3cret",
                                   "redirect_uris": "https://brygga.example.se/cb"})
    assert own.status_code == 201


def test_outside_debug_the_consent_page_is_no_open_redirect(company, settings):
    """A client registered earlier (in DEBUG, or before this rule) with a foreign address: the
    consent page shows an error instead of sending the browser there."""
    settings.SITE_URL = "https://brygga.example.se"
    OAuthClient.objects.create(client_id="old", name="Old", secret_hash="x", redirect_uris="https://evil.example/cb",
                               landing_page="https://evil.example/")
    page = Client().get(API + "oauth-v1/auth", {"client_id": "old", "redirect_uri": "https://evil.example/cb",
                                                "response_type": "code", "scope": "salary", "state": "s"})
    assert page.status_code == 400 and "Location" not in page
    assert Client().post(API + "apps/old/activate").status_code == 404


# --- HTML panel --------------------------------------------------------------------------------


def test_the_panel_lists_companies_and_creates_one(company, browser):
    assert company.name in browser.get(API + "_control/").content.decode()
    created = browser.post(API + "_control/", {"name": "Panelbolaget AB", "database_number": 555,
                                               "rate_limit_requests": 25, "rate_limit_window_seconds": 5,
                                               "missing_scope_status": 400, "fault_error_rate": 0,
                                               "fault_error_status": 503, "fault_429_burst": 0,
                                               "fault_latency_ms": 0, "fault_timeout_seconds": 0,
                                               "fault_drop_rate": 0, "api_licence": "on"})
    assert created.status_code == 302 and Company.objects.filter(database_number=555).exists()


def test_panel_forms_need_the_csrf_token(company, browser):
    browser.handler.enforce_csrf_checks = True
    assert browser.post(API + f"_control/companies/{company.database_number}/reset").status_code == 403


def test_outside_debug_the_panel_needs_a_superuser_session_even_from_this_machine(company, client_for, tenant):
    assert Client().get(API + "_control/").status_code == 403
    assert Client(HTTP_X_FORWARDED_FOR="127.0.0.1").get(API + "_control/").status_code == 403
    assert client_for(tenant.owner).get(API + "_control/").status_code == 403


@override_settings(DEBUG=True)
def test_in_debug_the_panel_is_open_on_this_machine_only(company, django_user_model):
    assert Client().get(API + "_control/").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.9").get(API + "_control/").status_code == 403
    assert Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1").get(API + "_control/").status_code == 403
    admin = django_user_model.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    browser = Client(REMOTE_ADDR="203.0.113.9")
    browser.force_login(admin)
    assert browser.get(API + "_control/").status_code == 200


def test_the_company_page_shows_users_records_and_requests_in_constant_queries(
        connect, company, browser, django_assert_max_num_queries):
    api = connect()
    for n in range(5):
        api.post("3/employees", {"Employee": {"FirstName": f"P{n}", "LastName": "Ö", "Email": f"p{n}@b.se"}})
    with django_assert_max_num_queries(12):
        page = browser.get(API + f"_control/companies/{company.database_number}/")
    assert b"employees" in page.content and b"admin@sandl" in page.content
    with django_assert_max_num_queries(8):
        records = browser.get(API + f"_control/companies/{company.database_number}/records/employees/")
    assert records.content.count(b"<tr>") == 6
    with django_assert_max_num_queries(8):
        log = browser.get(API + f"_control/companies/{company.database_number}/requests/")
    assert log.content.count(b"<td>POST</td>") == 5


def test_panel_switches_save_and_bad_values_are_explained(company, browser):
    page = browser.get(API + f"_control/companies/{company.database_number}/")
    data = {f"company-{k}": v for k, v in page.context["form"].initial.items() if v is not None and v is not False}
    data.update({"company-fault_drop_rate": "3"})
    refused = browser.post(API + f"_control/companies/{company.database_number}/", data)
    assert refused.status_code == 200 and b"A share between 0 and 1." in refused.content
    data.update({"company-fault_drop_rate": "0.5", "company-warehouse_licence": "on"})
    assert browser.post(API + f"_control/companies/{company.database_number}/", data).status_code == 302
    company.refresh_from_db()
    assert company.fault_drop_rate == 0.5 and company.warehouse_licence


def test_panel_users_are_added_with_a_hashed_password(company, browser):
    browser.post(API + f"_control/companies/{company.database_number}/users",
                 {"user-username": "ny@panel", "user-password": "lösenord1", "user-name": "Ny"})
    user = SandboxUser.objects.get(username="ny@panel")
    assert user.password != "lösenord1" and user.check_password("lösenord1")


# --- app market ---------------------------------------------------------------------------------


def test_the_app_market_activates_brygga_by_sending_the_user_to_its_landing_page(db, settings):
    browser = Client()
    market = browser.get(API)
    assert b"Brygga" in market.content and b"Activate" in market.content
    response = browser.post(API + f"apps/{settings.FORTNOX_CLIENT_ID}/activate")
    assert response.status_code == 302
    assert response["Location"] == f"{settings.SITE_URL}/integrations/fortnox/activate/"


def test_an_app_without_a_landing_page_cannot_be_activated(db):
    OAuthClient.objects.create(client_id="quiet", name="Quiet", secret_hash="x", redirect_uris="https://q/cb")
    assert Client().post(API + "apps/quiet/activate").status_code == 404
