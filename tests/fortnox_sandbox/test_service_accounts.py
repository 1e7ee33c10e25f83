"""Service accounts (issue 20): consent with account_type=service by the company's system
administrator, client credentials with the TenantId header while the consent stands, and the
consent webhooks the sandbox POSTs to the app over real HTTP (tests/support/webhook_receiver.py)."""

import logging
import time

import pytest
from django.test import Client

from fortnox_sandbox.models import AuthorizationCode, Company, Consent
from tests.support.processes import wait_for
from tests.support.sandbox_api import (
    API,
    Api,
    approve,
    as_query,
    auth_params,
    basic,
    body,
    client_credentials,
    control,
    exchange,
    logged_in_browser,
)
from tests.support.webhook_receiver import WebhookReceiver

SERVICE = {"account_type": "service"}


@pytest.fixture
def browser(oauth_client, sandbox_user):
    return logged_in_browser(sandbox_user)


@pytest.fixture
def fast_retries(settings):
    settings.FORTNOX_SANDBOX_WEBHOOK_RETRY_DELAYS = (0.1, 0.1, 0.1)
    return 4  # attempts: the first and one per delay


def consent_as_service_account(browser):
    return approve(browser, **SERVICE)


def test_approving_a_service_account_as_a_user_who_is_not_system_administrator_is_refused(browser, sandbox_user, company):
    marked = control("patch", f"companies/{company.database_number}/users/{sandbox_user.username}",
                     {"is_system_admin": False})
    assert marked.status_code == 200 and marked.json()["is_system_admin"] is False
    response = browser.post(API + "oauth-v1/auth?" + as_query(auth_params(**SERVICE)), {"action": "approve"})
    assert response.status_code == 403 and b"Only a system administrator" in response.content
    assert not Consent.objects.exists() and not AuthorizationCode.objects.exists()
    assert client_credentials(company.database_number).status_code == 400


def test_a_user_who_is_not_system_administrator_still_approves_an_ordinary_connection(browser, sandbox_user):
    sandbox_user.is_system_admin = False
    sandbox_user.save(update_fields=["is_system_admin"])
    assert "code" in approve(browser)


def test_a_client_without_service_accounts_is_refused_with_fortnoxs_message(browser, oauth_client):
    assert control("patch", f"clients/{oauth_client.client_id}", {"service_accounts_allowed": False}).status_code == 200
    page = browser.get(API + "oauth-v1/auth", auth_params(**SERVICE))
    assert page.status_code == 400 and b"Client does not allow service account" in page.content
    assert "Location" not in page


def test_client_credentials_with_the_tenant_id_give_tokens_until_the_customer_revokes_the_consent(browser, company,
                                                                                                oauth_client):
    consent_as_service_account(browser)
    answer = client_credentials(company.database_number)
    assert answer.status_code == 200
    tokens = answer.json()
    assert "refresh_token" not in tokens and tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    assert Api(tokens["access_token"]).get("3/companyinformation").status_code == 200

    revoked = control("post", f"companies/{company.database_number}/consents/{oauth_client.client_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    refused = client_credentials(company.database_number)
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_grant"
    assert Api(tokens["access_token"]).get("3/companyinformation").status_code == 401
    again = control("post", f"companies/{company.database_number}/consents/{oauth_client.client_id}/revoke")
    assert again.json()["revoked"] is False


def test_a_revoked_service_account_works_again_after_the_administrator_approves_again(browser, company, oauth_client):
    consent_as_service_account(browser)
    control("post", f"companies/{company.database_number}/consents/{oauth_client.client_id}/revoke")
    consent_as_service_account(browser)
    assert client_credentials(company.database_number).status_code == 200
    assert Consent.objects.count() == 1


def test_a_tenant_that_never_consented_is_refused(browser, company):
    other = Company.objects.create(database_number=7654321, name="Annat AB")
    consent_as_service_account(browser)
    refused = client_credentials(other.database_number)
    assert refused.status_code == 400
    assert body(refused) == {"error": "invalid_grant", "error_description": "No service account consent for this tenant"}


def test_an_ordinary_consent_does_not_give_client_credentials(browser, company):
    exchange(approve(browser)["code"][0])
    assert body(client_credentials(company.database_number))["error"] == "invalid_grant"


def test_client_credentials_without_a_tenant_id_are_refused_as_an_invalid_request(browser):
    consent_as_service_account(browser)
    refused = client_credentials(None)
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_request"


def test_client_credentials_need_the_apps_own_secret(browser, company):
    consent_as_service_account(browser)
    refused = client_credentials(company.database_number, authorization=basic(secret="not-the-secret"))
    assert refused.status_code == 401 and body(refused)["error"] == "invalid_client"


def test_client_credentials_tokens_live_as_long_as_the_company_says(browser, company):
    assert control("patch", f"companies/{company.database_number}", {"access_token_seconds": 1}).status_code == 200
    consent_as_service_account(browser)
    first = client_credentials(company.database_number).json()
    assert first["expires_in"] == 1
    time.sleep(1.2)
    assert Api(first["access_token"]).get("3/companyinformation").status_code == 401
    second = client_credentials(company.database_number).json()
    assert Api(second["access_token"]).get("3/companyinformation").status_code == 200


def test_an_app_has_one_service_account_per_company(browser, company):
    consent_as_service_account(browser)
    consent_as_service_account(browser)
    listed = control("get", f"companies/{company.database_number}/consents").json()["consents"]
    assert len(listed) == 1 and listed[0]["tenant_id"] == company.database_number and listed[0]["revoked"] is None


def test_revoking_in_the_panel_says_when_the_app_has_no_webhook_url_to_tell(browser, company, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    panel = Client()
    panel.force_login(admin)
    consent_as_service_account(browser)
    page = panel.post(API + f"_control/companies/{company.database_number}/consents/{Consent.objects.get().pk}/revoke",
                      follow=True)
    assert b"the app has no webhook URL, so it is not told" in page.content
    assert Consent.objects.get().revoked is not None


def test_the_control_api_refuses_a_webhook_url_that_is_not_http(oauth_client):
    answer = control("patch", f"clients/{oauth_client.client_id}", {"webhook_url": "file:///etc/passwd"})
    assert answer.status_code == 400 and "webhook_url" in answer.json()["errors"]
    assert control("patch", f"clients/{oauth_client.client_id}", {"secret": "x" * 10}).status_code == 400


def test_the_control_api_for_service_accounts_needs_the_control_key(oauth_client, company):
    assert control("patch", f"clients/{oauth_client.client_id}", {"webhook_url": ""}, key="wrong").status_code == 403
    assert control("post", f"companies/{company.database_number}/consents/x/revoke", key="wrong").status_code == 403


# --- consent webhooks (committed transactions: the webhook leaves only after the commit) -------


@pytest.mark.django_db(transaction=True)
def test_webhooks_are_delivered_when_a_consent_is_created_and_when_it_is_revoked(browser, company, oauth_client,
                                                                                  fast_retries):
    with WebhookReceiver() as receiver:
        control("patch", f"clients/{oauth_client.client_id}", {"webhook_url": receiver.url})
        consent_as_service_account(browser)
        wait_for(lambda: len(receiver.bodies()) == 1, 10, "the consent-created webhook")
        control("post", f"companies/{company.database_number}/consents/{oauth_client.client_id}/revoke")
        wait_for(lambda: len(receiver.bodies()) == 2, 10, "the consent-revoked webhook")
    created, revoked = receiver.bodies()
    assert created["event"] == "consent-created" and revoked["event"] == "consent-revoked"
    assert created["tenantId"] == revoked["tenantId"] == company.database_number
    assert created["clientId"] == oauth_client.client_id
    assert receiver.received[0]["content_type"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_revoking_in_the_control_panel_sends_the_revoked_webhook(browser, company, oauth_client, fast_retries,
                                                                 django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    panel = Client()
    panel.force_login(admin)
    with WebhookReceiver() as receiver:
        saved = panel.post(API + f"_control/clients/{oauth_client.client_id}/",
                           {"service_accounts_allowed": "on", "webhook_url": receiver.url})
        assert saved.status_code == 302
        consent_as_service_account(browser)
        consent = Consent.objects.get()
        page = panel.get(API + f"_control/companies/{company.database_number}/")
        assert b"Revoke" in page.content
        revoked = panel.post(API + f"_control/companies/{company.database_number}/consents/{consent.pk}/revoke",
                             follow=True)
        assert f"the consent-revoked webhook goes to {receiver.url}".encode() in revoked.content
        wait_for(lambda: [b["event"] for b in receiver.bodies()] == ["consent-created", "consent-revoked"], 10,
                 "both consent webhooks")
    assert client_credentials(company.database_number).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_failing_webhook_is_retried_until_it_is_delivered_without_holding_up_the_request(browser, company,
                                                                                          oauth_client, settings):
    settings.FORTNOX_SANDBOX_WEBHOOK_RETRY_DELAYS = (0.5, 0.5, 0.5)
    consent_as_service_account(browser)
    with WebhookReceiver(failures=2) as receiver:
        control("patch", f"clients/{oauth_client.client_id}", {"webhook_url": receiver.url})
        started = time.monotonic()
        control("post", f"companies/{company.database_number}/consents/{oauth_client.client_id}/revoke")
        assert time.monotonic() - started < 0.5  # the revoke answered before the first retry was due
        wait_for(lambda: receiver.bodies(), 10, "the webhook after two failures")
    assert receiver.attempts == 3 and receiver.bodies()[0]["event"] == "consent-revoked"


@pytest.mark.django_db(transaction=True)
def test_a_webhook_that_never_succeeds_is_given_up_after_a_bounded_number_of_attempts_and_logged(
        browser, company, oauth_client, fast_retries, caplog):
    with WebhookReceiver(failures=1000) as receiver, caplog.at_level(logging.WARNING, "fortnox_sandbox.webhooks"):
        control("patch", f"clients/{oauth_client.client_id}", {"webhook_url": receiver.url})
        consent_as_service_account(browser)
        wait_for(lambda: any(r.levelno == logging.ERROR for r in caplog.records), 10, "the give-up error")
        time.sleep(0.3)  # a further attempt would have arrived by now
    assert receiver.attempts == fast_retries and not receiver.bodies()
    assert "not delivered after 4 attempts" in caplog.text

