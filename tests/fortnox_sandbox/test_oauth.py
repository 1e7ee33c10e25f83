from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from fortnox_sandbox.models import AuthorizationCode, Token, digest
from tests.support.sandbox_api import (
    API,
    CALLBACK,
    Api,
    approve,
    as_query,
    auth_params,
    basic,
    body,
    exchange,
    logged_in_browser,
    refresh,
)


@pytest.fixture
def browser(oauth_client, sandbox_user):
    return logged_in_browser(sandbox_user)


def test_the_consent_page_asks_a_stranger_to_log_in_before_showing_scopes(oauth_client, sandbox_user):
    page = Client().get(API + "oauth-v1/auth", auth_params())
    assert page.status_code == 200
    assert b'name="password"' in page.content and b"Approve" not in page.content


def test_a_wrong_password_is_refused_on_the_consent_page(oauth_client, sandbox_user):
    page = Client().post(API + "oauth-v1/auth?" + as_query(auth_params()),
                         {"action": "login", "username": sandbox_user.username, "password": "wrong"})
    assert page.status_code == 400 and b"Wrong username or password" in page.content


def test_the_consent_page_lists_the_requested_scopes_and_the_company(browser, sandbox_user):
    page = browser.get(API + "oauth-v1/auth", auth_params())
    assert b"<code>salary</code>" in page.content and b"<code>companyinformation</code>" in page.content
    assert sandbox_user.company.name.encode() in page.content


def test_approving_redirects_with_a_code_and_the_same_state(browser):
    params = approve(browser)
    assert params["state"] == ["st-123"] and len(params["code"][0]) > 20


def test_denying_redirects_with_access_denied_and_the_state(browser):
    response = browser.post(API + "oauth-v1/auth?" + as_query(auth_params()), {"action": "deny"})
    assert response["Location"] == CALLBACK + "?error=access_denied&state=st-123"


def test_an_unknown_client_gets_an_error_page_and_no_redirect(browser):
    response = browser.get(API + "oauth-v1/auth", auth_params(client_id="nobody"))
    assert response.status_code == 400 and b"ClientID supplied is invalid" in response.content


def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(browser):
    response = browser.get(API + "oauth-v1/auth", auth_params(redirect_uri="https://evil.example/integrations/fortnox/callback/"))
    assert response.status_code == 400 and b"not registered" in response.content


def test_the_builtin_client_accepts_its_callback_on_any_loopback_port(browser):
    params = approve(browser, redirect_uri="http://localhost:51234/integrations/fortnox/callback/")
    assert "code" in params


def test_the_builtin_client_does_not_accept_another_path_on_loopback(browser):
    response = browser.get(API + "oauth-v1/auth", auth_params(redirect_uri="http://127.0.0.1:5000/other/"))
    assert response.status_code == 400


@pytest.mark.parametrize(("overrides", "error"), [
    ({"scope": "salary nonsense"}, "invalid_scope"),
    ({"scope": ""}, "invalid_scope"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"state": None}, "invalid_request"),
])
def test_bad_authorization_requests_go_back_to_the_app_as_oauth_errors(browser, overrides, error):
    response = browser.get(API + "oauth-v1/auth", auth_params(**overrides))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == [error]


def test_a_code_buys_tokens_with_exactly_the_approved_scopes(browser):
    body = exchange(approve(browser)["code"][0]).json()
    assert body["scope"] == "salary companyinformation" and body["expires_in"] == 3600
    assert body["token_type"] == "bearer" and body["refresh_token"]
    assert Api(body["access_token"]).get("3/companyinformation").status_code == 200


def test_a_code_works_only_once(browser):
    code = approve(browser)["code"][0]
    assert exchange(code).status_code == 200
    second = exchange(code)
    assert second.status_code == 400 and body(second)["error"] == "invalid_grant"


def test_a_code_expires_after_ten_minutes(browser):
    code = approve(browser)["code"][0]
    AuthorizationCode.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert exchange(code).status_code == 400


def test_a_code_needs_the_redirect_uri_it_was_issued_for(browser):
    code = approve(browser)["code"][0]
    assert exchange(code, redirect_uri="http://127.0.0.1:9/integrations/fortnox/callback/").status_code == 400


@pytest.mark.parametrize("authorization", [basic(secret="wrong-secret"), "Bearer x", "Basic !!!", ""])
def test_the_token_endpoint_refuses_bad_client_credentials_with_401(browser, authorization):
    response = exchange(approve(browser)["code"][0], authorization=authorization or "None")
    assert response.status_code == 401
    assert body(response) == {"error": "invalid_client", "error_description": "The client credentials are invalid"}


def test_a_refresh_token_works_once_and_rotates(browser):
    first = exchange(approve(browser)["code"][0]).json()
    second = refresh(first["refresh_token"])
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    reused = refresh(first["refresh_token"])
    assert reused.status_code == 400
    assert body(reused) == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    assert refresh(second.json()["refresh_token"]).status_code == 200


def test_an_expired_refresh_token_is_invalid(browser):
    tokens = exchange(approve(browser)["code"][0]).json()
    Token.objects.update(refresh_expires=timezone.now() - timedelta(seconds=1))
    assert body(refresh(tokens["refresh_token"]))["error"] == "invalid_grant"


def test_token_lifetimes_follow_the_company_settings(browser, company):
    company.access_token_seconds, company.refresh_token_seconds = 60, 120
    company.save(update_fields=["access_token_seconds", "refresh_token_seconds"])
    body = exchange(approve(browser)["code"][0]).json()
    token = Token.objects.get()
    assert body["expires_in"] == 60
    assert abs((token.refresh_expires - token.issued).total_seconds() - 120) < 5


def test_an_expired_access_token_is_unauthorized(browser):
    tokens = exchange(approve(browser)["code"][0]).json()
    Token.objects.update(access_expires=timezone.now() - timedelta(seconds=1))
    response = Api(tokens["access_token"]).get("3/companyinformation")
    assert response.status_code == 401 and response.json() == {"message": "unauthorized"}


def test_revoking_the_refresh_token_ends_both_tokens(browser):
    tokens = exchange(approve(browser)["code"][0]).json()
    revoked = Client().post(API + "oauth-v1/revoke", {"token_type_hint": "refresh_token", "token": tokens["refresh_token"]},
                            headers={"Authorization": basic()})
    assert revoked.json() == {"revoked": True}
    assert Api(tokens["access_token"]).get("3/companyinformation").status_code == 401
    assert refresh(tokens["refresh_token"]).status_code == 400


def test_tokens_are_stored_only_as_digests(browser):
    tokens = exchange(approve(browser)["code"][0]).json()
    token = Token.objects.get()
    assert token.access_hash == digest(tokens["access_token"]) and token.refresh_hash == digest(tokens["refresh_token"])


def test_a_service_account_is_refused_for_a_client_that_does_not_allow_it(browser, oauth_client):
    oauth_client.service_accounts_allowed = False
    oauth_client.save(update_fields=["service_accounts_allowed"])
    response = browser.get(API + "oauth-v1/auth", auth_params(account_type="service"))
    assert response.status_code == 400 and b"Client does not allow service account" in response.content


def test_client_credentials_need_an_earlier_service_account_consent(browser, company):
    def client_credentials():
        return Client().post(API + "oauth-v1/token", {"grant_type": "client_credentials"},
                             headers={"Authorization": basic(), "TenantId": str(company.database_number)})

    assert client_credentials().status_code == 400
    exchange(approve(browser, account_type="service")["code"][0])
    body = client_credentials().json()
    assert "refresh_token" not in body
    assert Api(body["access_token"]).get("3/companyinformation").status_code == 200


def test_only_a_system_administrator_approves_a_service_account(browser, sandbox_user):
    sandbox_user.is_system_admin = False
    sandbox_user.save(update_fields=["is_system_admin"])
    response = browser.post(API + "oauth-v1/auth?" + as_query(auth_params(account_type="service")), {"action": "approve"})
    assert response.status_code == 403 and b"Only a system administrator" in response.content
    assert not AuthorizationCode.objects.exists()
