"""Connecting an organization to Fortnox through the sandbox's real consent page, over HTTP."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from integrations.core.models import FortnoxConnection
from integrations.fortnox import oauth
from tests.support.fortnox import path_of, start_and_consent


def test_an_organization_admin_connects_through_the_consent_page_and_sees_the_company(
    connection, fortnox_company, tenant, client_for,
):
    assert connection.status == FortnoxConnection.Status.CONNECTED
    assert connection.company_name == "Sandlådan AB"
    assert connection.tenant_id == str(fortnox_company.database_number)
    assert sorted(connection.granted_scopes) == ["companyinformation", "salary"]
    assert connection.connected_by == tenant.owner and connection.connected_at is not None
    assert connection.access_token and connection.refresh_token and connection.expires_at
    page = client_for(tenant.owner).get(reverse("fortnox_connection")).content.decode()
    assert "Sandlådan AB" in page and "Connected" in page


def test_a_replayed_callback_is_refused_and_changes_nothing(sandbox, fortnox_company, tenant, client_for):
    client = client_for(tenant.owner)
    callback = start_and_consent(client, sandbox, fortnox_company)
    assert client.get(callback).status_code == 302
    before = FortnoxConnection.objects.get()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "already used" in replay.content.decode()
    after = FortnoxConnection.objects.get()
    assert (after.access_token, after.refresh_token) == (before.access_token, before.refresh_token)


def test_a_callback_whose_state_was_tampered_with_is_refused_and_stores_nothing(sandbox, fortnox_company, tenant, client_for):
    client = client_for(tenant.owner)
    callback = urlsplit(start_and_consent(client, sandbox, fortnox_company))
    query = parse_qs(callback.query)
    response = client.get(callback.path, {"code": query["code"][0], "state": query["state"][0] + "x"})
    assert response.status_code == 400
    assert not FortnoxConnection.objects.filter(status=FortnoxConnection.Status.CONNECTED).exists()


@pytest.mark.parametrize("state", ["😀", "ä" * 43])
def test_a_callback_with_a_non_ascii_state_is_refused_and_stores_nothing(tenant, client_for, state):
    # compare_digest raised TypeError on text that is not ASCII.
    client = client_for(tenant.owner)
    assert client.post(reverse("fortnox_connect")).status_code == 302
    response = client.get(reverse("fortnox_callback"), {"code": "x", "state": state})
    assert response.status_code == 400 and "does not belong to a connection started here" in response.content.decode()
    assert not FortnoxConnection.objects.exists()


def test_denied_consent_is_explained_and_nothing_is_stored(sandbox, fortnox_company, tenant, client_for):
    client = client_for(tenant.owner)
    response = client.get(start_and_consent(client, sandbox, fortnox_company, action="deny"))
    assert response.status_code == 400
    assert "cancelled in Fortnox" in response.content.decode()
    assert not FortnoxConnection.objects.filter(status=FortnoxConnection.Status.CONNECTED).exists()


def test_a_company_without_the_integration_licence_gets_a_plain_message_and_no_connection(
    sandbox, make_company, tenant, client_for,
):
    company = make_company(api_licence=False)
    client = client_for(tenant.owner)
    response = client.get(start_and_consent(client, sandbox, company))
    assert response.status_code == 400
    assert "no licence for integrations" in response.content.decode()
    connection = FortnoxConnection.objects.get()
    assert connection.status == FortnoxConnection.Status.DISCONNECTED
    assert connection.access_token == "" and connection.refresh_token == ""
    assert "no licence for integrations" in connection.last_error


def test_an_authorization_code_works_once(sandbox, fortnox_company, tenant, client_for):
    client = client_for(tenant.owner)
    code = parse_qs(urlsplit(start_and_consent(client, sandbox, fortnox_company)).query)["code"][0]
    oauth.exchange_code(code)
    with pytest.raises(oauth.FortnoxOAuthError) as refused:
        oauth.exchange_code(code)
    assert refused.value.error == "invalid_grant"
    assert "already used or has expired" in refused.value.user_message


def test_reconnecting_with_a_new_feature_asks_for_and_records_the_new_scopes(
    connection, sandbox, make_company, fortnox_company, tenant, client_for,
):
    sandbox.update_company(fortnox_company.data, warehouse_licence=True)
    client = client_for(tenant.owner)
    client.post(reverse("fortnox_connection"), {"hr_enabled": "on", "warehouse_enabled": "on"})
    assert FortnoxConnection.objects.get().missing_scopes() == ["article", "supplier", "customer", "order", "invoice", "warehouse", "settings"]
    assert "Re-connect with the missing permissions" in client.get(reverse("fortnox_connection")).content.decode()
    assert client.get(start_and_consent(client, sandbox, fortnox_company)).status_code == 302
    assert FortnoxConnection.objects.get().missing_scopes() == []


def test_disconnect_revokes_the_refresh_token_at_fortnox(connection, tenant, client_for):
    old_refresh_token = connection.refresh_token
    response = client_for(tenant.owner).post(reverse("fortnox_disconnect"), {"confirmed": "1"}, follow=True)
    assert "access was revoked" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == FortnoxConnection.Status.DISCONNECTED
    assert connection.access_token == "" and connection.refresh_token == ""
    with pytest.raises(oauth.FortnoxOAuthError) as refused:
        oauth.refresh(old_refresh_token)
    assert refused.value.error == "invalid_grant"


def test_activation_from_the_app_market_logs_in_picks_the_organization_and_returns_to_the_settings(
    sandbox, fortnox_company, tenant, other_tenant, client, client_for,
):
    landing = client.get(reverse("fortnox_activate"), headers={"Accept-Language": "en"})
    assert reverse("account_login") in landing.content.decode() and "invitation" in landing.content.decode()

    from organizations.models import Membership
    from organizations.permissions import Role

    Membership.objects.create(user=tenant.owner, organization=other_tenant.organization, role=Role.ORG_ADMIN)
    owner = client_for(tenant.owner)
    choice = owner.get(reverse("fortnox_activate")).content.decode()
    assert "Alfa AB" in choice and "Beta AB" in choice
    started = owner.post(reverse("fortnox_activate"), {"organization": other_tenant.organization.pk})
    assert started["Location"].startswith(sandbox.url + "/oauth-v1/auth")
    finished = owner.get(path_of(sandbox.consent(started["Location"], fortnox_company.user)))
    assert finished["Location"] == reverse("fortnox_connection")
    assert FortnoxConnection.objects.get(organization=other_tenant.organization).is_connected
    assert not FortnoxConnection.objects.filter(organization=tenant.organization).exists()


def test_activation_tells_a_member_without_admin_rights_what_to_do(tenant, client_for):
    page = client_for(tenant.hr_admin).get(reverse("fortnox_activate")).content.decode()
    assert "Only an organization admin can connect Fortnox" in page


def test_activation_refuses_an_organization_the_user_cannot_manage(tenant, other_tenant, client_for):
    response = client_for(tenant.owner).post(reverse("fortnox_activate"), {"organization": other_tenant.organization.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_disconnect_asks_for_confirmation_before_anything_changes(connection, tenant, client_for):
    client = client_for(tenant.owner)
    assert 'action="/integrations/fortnox/disconnect/"' in client.get(reverse("fortnox_connection")).content.decode()

    asked = client.post(reverse("fortnox_disconnect"))

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Disconnect Fortnox (Sandlådan AB) from Alfa AB?" in page and 'name="confirmed"' in page
    connection.refresh_from_db()
    assert connection.status == FortnoxConnection.Status.CONNECTED and connection.refresh_token


def test_after_disconnecting_every_page_says_fortnox_is_not_connected(connection, tenant, client_for):
    from integrations.hr_sync.models import HrIntegrationSettings

    HrIntegrationSettings.objects.update_or_create(organization=tenant.organization, defaults={
        "terms_accepted_at": connection.connected_at, "settings_saved_at": connection.connected_at,
        "activated_at": connection.connected_at,
    })
    client = client_for(tenant.owner)
    client.post(reverse("fortnox_disconnect"), {"confirmed": "1"})

    page = client.get(reverse("fortnox_connection")).content.decode()
    assert "Not connected" in page
    assert "Sandlådan AB" not in page
    for row in ("Permissions granted", "Connected"):
        assert re.search(rf"{row}</th>\s*<td>—</td>", page), row
    index = client.get(reverse("integrations_index")).content.decode()
    assert "Not connected" in index and "Active" not in index
    assert "Paused until Fortnox is connected again" in index


def test_reconnecting_revokes_the_previous_authorization_at_fortnox(connection, sandbox, fortnox_company, tenant, client_for):
    previous_refresh_token = connection.refresh_token
    client = client_for(tenant.owner)

    assert client.get(start_and_consent(client, sandbox, fortnox_company)).status_code == 302

    with pytest.raises(oauth.FortnoxOAuthError) as refused:
        oauth.refresh(previous_refresh_token)
    assert refused.value.error == "invalid_grant"
    connection.refresh_from_db()
    assert connection.status == FortnoxConnection.Status.CONNECTED
    assert connection.refresh_token != previous_refresh_token


def test_after_a_deliberate_disconnect_a_push_says_fortnox_is_not_connected_not_that_a_grant_was_revoked(
    connection, tenant, client_for,
):
    from integrations.fortnox.errors import FortnoxAuthError

    client_for(tenant.owner).post(reverse("fortnox_disconnect"), {"confirmed": "1"})

    with pytest.raises(FortnoxAuthError) as refused, FortnoxConnection.client_for(tenant.organization) as client:
        client.get("/3/companyinformation")
    assert "an organization admin disconnected it" in refused.value.user_message
    assert "used elsewhere" not in refused.value.user_message


def test_a_denied_re_connect_says_the_existing_connection_still_works(sandbox, fortnox_company, tenant, client_for, connection):
    client = client_for(tenant.owner)
    response = client.get(start_and_consent(client, sandbox, fortnox_company, action="deny"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Fortnox was not re-connected" in page and "nothing was connected" not in page
    assert f"Your existing connection to {connection.company_name} is unchanged and still works." in page
    assert FortnoxConnection.objects.get().status == FortnoxConnection.Status.CONNECTED
