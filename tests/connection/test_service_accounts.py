"""Service accounts (issue 20), through the real sandbox over HTTP: the wizard connects with
account_type=service, approved by the company's system administrator; every access token comes
from client credentials + TenantId (none refreshed, none stored to refresh with); revoking the
consent in Fortnox stops work within seconds and tells the admins; the consent webhooks are
confirmed with Fortnox before anything changes."""

import json
import logging
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection as db
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task, result

from integrations.core.models import ExternalLink, FortnoxConnection
from integrations.fortnox import oauth
from integrations.fortnox.client import FortnoxClient
from integrations.fortnox.errors import FortnoxConsentRevoked
from organizations.models import Notification
from tests.support.fortnox import fetch, path_of, start_and_consent
from tests.support.hr import many_employees
from tests.support.processes import Cluster, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def service_accounts(settings, sandbox, live_server):
    """Brygga's app is set up for service accounts, with its consent webhook URL registered (the
    developer portal's settings) on this test's Brygga."""
    settings.FORTNOX_SERVICE_ACCOUNTS = True
    sandbox.update_client(settings.FORTNOX_CLIENT_ID, service_accounts_allowed=True,
                          webhook_url=live_server.url + reverse("fortnox_consent_webhook"))


@pytest.fixture
def service_connection(service_accounts, connect, tenant, fortnox_company) -> FortnoxConnection:
    return connect(tenant, fortnox_company)


def stored_refresh_tokens() -> list[str]:
    """The refresh-token column as the database holds it (encrypted when set)."""
    with db.cursor() as cursor:
        cursor.execute(f"SELECT refresh_token FROM {FortnoxConnection._meta.db_table}")
        return [row[0] for row in cursor.fetchall() if row[0]]


def consent_of_brygga(sandbox, company):
    return [c for c in sandbox.consents(company.data) if c["client_id"] == settings.FORTNOX_CLIENT_ID]


def test_the_wizard_connects_as_a_service_account_and_keeps_no_refresh_token(service_accounts, sandbox, fortnox_company,
                                                                             tenant, client_for):
    client = client_for(tenant.owner)
    started = client.post(reverse("fortnox_connect"))
    assert "account_type=service" in started["Location"]
    response = client.get(path_of(sandbox.consent(started["Location"], fortnox_company.user)))
    assert response.status_code == 302 and response["Location"] == reverse("fortnox_connection")

    connection = FortnoxConnection.objects.get()
    assert connection.is_connected and connection.service_account
    assert connection.tenant_id == str(fortnox_company.database_number)
    assert connection.refresh_token == "" and stored_refresh_tokens() == []
    assert [c["revoked"] for c in consent_of_brygga(sandbox, fortnox_company)] == [None]
    assert fetch(connection)["CompanyName"] == "Sandlådan AB"
    page = client.get(reverse("fortnox_connection")).content.decode()
    assert "Service account" in page and "does not expire when it is left unused" in page


def one_second_tokens(sandbox, company) -> None:
    """Fortnox gives this company's tokens one second to live, and the stored one ends now."""
    sandbox.update_company(company.data, access_token_seconds=1)
    FortnoxConnection.objects.update(expires_at=timezone.now())


def test_a_service_account_token_is_renewed_with_client_credentials_and_used_while_it_lives(
    service_connection, sandbox, fortnox_company, caplog,
):
    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    one_second_tokens(sandbox, fortnox_company)
    connection = FortnoxConnection.objects.get()
    fetch(connection)
    renewed = FortnoxConnection.objects.get()
    assert renewed.access_token != service_connection.access_token and renewed.refresh_token == ""
    fetch(connection)  # at once: the same token
    assert FortnoxConnection.objects.get().access_token == renewed.access_token
    time.sleep(1.1)
    fetch(connection)
    assert FortnoxConnection.objects.get().access_token != renewed.access_token
    assert sum(r.getMessage().startswith("fortnox service-account token requested") for r in caplog.records) == 2
    assert not any("refresh token exchanged" in r.getMessage() for r in caplog.records)


@pytest.mark.timeout(240)
def test_a_service_account_keeps_working_with_one_second_tokens_across_three_job_clusters(
    service_connection, sandbox, fortnox_company, live_server,
):
    one_second_tokens(sandbox, fortnox_company)
    # Calls spread evenly, not in bursts of a rate-limit window, so every token's second is used.
    sandbox.update_company(fortnox_company.data, rate_limit_requests=10_000)
    base = live_server.url + "/sandbox/fortnox"
    env = {"SITE_URL": live_server.url, "FORTNOX_API_BASE_URL": base, "FORTNOX_AUTH_BASE_URL": base, "Q_WORKERS": 1,
           "FORTNOX_RATE_LIMIT_REQUESTS": 10_000}
    clusters = [Cluster(**env).start() for _ in range(3)]
    try:
        from django_q.conf import Conf
        from django_q.status import Stat

        wait_for(lambda: sum(1 for s in Stat.get_all() if s.status in (Conf.IDLE, Conf.WORKING) and s.workers) >= 3,
                 90, "three job clusters")
        started = time.monotonic()
        # A cluster with one worker holds at most three tasks (running, queued, in its pusher's hand): nine
        # reach all three.
        task_ids = [async_task("tests.support.workers.keep_calling_fortnox", service_connection.pk, 3) for _ in range(9)]
        outcomes = wait_for(lambda: all(result(t) is not None for t in task_ids) and [result(t) for t in task_ids],
                            150, "the nine jobs")
        elapsed = time.monotonic() - started
    finally:
        for cluster in clusters:
            cluster.stop()

    assert all(isinstance(o, dict) for o in outcomes), outcomes
    print("renewals", [o["renewals"] for o in outcomes], "calls", [o["calls"] for o in outcomes], f"in {elapsed:.1f} s")
    assert len({o["cluster"] for o in outcomes}) == 3
    assert all(o["calls"] > 0 for o in outcomes)
    renewals = sum(o["renewals"] for o in outcomes)
    # Many renewals (a token lives one second), but one per expiry, not one per process.
    assert renewals >= 8
    assert renewals <= 2 * elapsed + 3
    saved = FortnoxConnection.objects.get()
    assert saved.is_connected and saved.service_account
    assert stored_refresh_tokens() == []
    assert not sandbox.requests_with_status(fortnox_company.data, 401)


def test_revoking_the_consent_in_fortnox_stops_work_within_seconds_and_tells_the_admins(
    service_connection, sandbox, fortnox_company, tenant, client_for,
):
    assert sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID) is True
    # The sandbox POSTs the consent-revoked webhook to Brygga over HTTP; Brygga confirms it with Fortnox.
    wait_for(lambda: FortnoxConnection.objects.get().status == FortnoxConnection.Status.DISCONNECTED, 10,
             "the connection to be marked disconnected")
    saved = FortnoxConnection.objects.get()
    assert saved.access_token == "" and saved.tenant_id == str(fortnox_company.database_number)
    assert "revoked" in str(saved.last_error)
    with pytest.raises(FortnoxConsentRevoked) as refused:
        fetch(saved)
    assert "revoked Brygga's service account" in refused.value.user_message

    assert [m.to for m in mail.outbox] == [[tenant.owner.email]]
    assert "revoked Brygga's service account" in mail.outbox[0].subject
    assert "Re-connect Fortnox" in mail.outbox[0].body and reverse("fortnox_connection") in mail.outbox[0].body
    assert Notification.objects.filter(user=tenant.owner, link=reverse("fortnox_connection")).count() == 1
    dashboard = client_for(tenant.owner).get(reverse("dashboard")).content.decode()
    assert "Fortnox no longer accepts Brygga" in dashboard


def test_the_notice_of_a_revoked_consent_is_written_in_each_admins_language(
    service_connection, sandbox, fortnox_company, tenant,
):
    tenant.owner.language = "sv"
    tenant.owner.save(update_fields=["language"])
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    wait_for(lambda: mail.outbox, 10, "the email")
    assert "tjänstekonto" in mail.outbox[0].subject


def test_consent_given_again_in_fortnox_completes_the_waiting_connection_through_the_created_webhook(
    service_connection, sandbox, fortnox_company, tenant, client_for,
):
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    wait_for(lambda: not FortnoxConnection.objects.get().is_connected, 10, "the revoked webhook")
    # Consent given again in Fortnox (by its system administrator): the consent-created webhook completes it.
    start_and_consent(client_for(tenant.owner), sandbox, fortnox_company)
    wait_for(lambda: FortnoxConnection.objects.get().is_connected, 10, "the created webhook")
    saved = FortnoxConnection.objects.get()
    assert saved.service_account and saved.last_error == "" and fetch(saved)["CompanyName"] == "Sandlådan AB"


def test_a_token_request_refused_after_revoking_marks_the_connection_even_without_the_webhook(
    service_connection, sandbox, fortnox_company,
):
    sandbox.update_client(settings.FORTNOX_CLIENT_ID, webhook_url="")  # the webhook is lost on the way
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    with pytest.raises(FortnoxConsentRevoked):
        fetch(FortnoxConnection.objects.get())
    saved = FortnoxConnection.objects.get()
    assert saved.status == FortnoxConnection.Status.DISCONNECTED and len(mail.outbox) == 1


def webhook(client, body: dict, **extra):
    return client.post(reverse("fortnox_consent_webhook"), json.dumps(body), content_type="application/json", **extra)


def test_a_forged_revoke_for_a_company_that_still_consents_changes_nothing(service_connection, fortnox_company):
    body = {"event": "consent-revoked", "tenantId": fortnox_company.database_number,
            "clientId": settings.FORTNOX_CLIENT_ID}
    assert webhook(Client(), body).status_code == 204  # from this machine, like the sandbox: then asked
    saved = FortnoxConnection.objects.get()
    assert saved.is_connected and fetch(saved)["CompanyName"] == "Sandlådan AB"
    assert mail.outbox == []


def test_a_webhook_from_another_host_or_for_another_app_is_refused(service_connection, fortnox_company, sandbox):
    body = {"event": "consent-revoked", "tenantId": fortnox_company.database_number,
            "clientId": settings.FORTNOX_CLIENT_ID}
    assert webhook(Client(REMOTE_ADDR="203.0.113.9"), body).status_code == 403
    assert webhook(Client(), {**body, "clientId": "another-app"}).status_code == 400
    assert webhook(Client(), {**body, "tenantId": "12; drop"}).status_code == 400
    assert Client().post(reverse("fortnox_consent_webhook"), b"not json", content_type="application/json").status_code == 400
    assert FortnoxConnection.objects.get().is_connected


def test_an_old_refresh_token_connection_moves_to_a_service_account_with_one_reconnect_keeping_its_links(
    connect, sandbox, fortnox_company, tenant, client_for, request,
):
    old = connect(tenant, fortnox_company)
    assert not old.service_account and old.refresh_token
    [employee] = many_employees(tenant.organization, 1)
    link = ExternalLink.objects.create(organization=tenant.organization, kind="employee", local_object=employee,
                                       external_id="7")
    page = client_for(tenant.owner).get(reverse("fortnox_connection")).content.decode()
    assert "User login with refresh tokens" in page

    request.getfixturevalue("service_accounts")
    assert "can connect as a service account instead" in client_for(tenant.owner).get(reverse("fortnox_connection")).content.decode()
    moved = connect(tenant, fortnox_company)
    assert moved.pk == old.pk and moved.service_account and moved.refresh_token == "" and stored_refresh_tokens() == []
    assert ExternalLink.objects.get(pk=link.pk).local_object == employee
    assert moved.hr_enabled == old.hr_enabled and moved.tenant_id == old.tenant_id
    with pytest.raises(oauth.FortnoxOAuthError):
        oauth.refresh(old.refresh_token)  # the old user login's grant was given back
    assert fetch(moved)["CompanyName"] == "Sandlådan AB"
    assert "Service account" in client_for(tenant.owner).get(reverse("fortnox_connection")).content.decode()


def test_a_user_who_is_not_system_administrator_is_refused_by_fortnox_and_told_by_brygga_what_to_do(
    service_accounts, sandbox, fortnox_company, tenant, client_for,
):
    sandbox.update_user(fortnox_company.data, fortnox_company.user["username"], is_system_admin=False)
    client = client_for(tenant.owner)
    started = client.post(reverse("fortnox_connect"))
    refused = sandbox.answer_consent(started["Location"], fortnox_company.user, "approve")
    assert refused.status_code == 403 and "Only a system administrator" in refused.text
    assert consent_of_brygga(sandbox, fortnox_company) == []
    # The user gives up on Fortnox's page: back in Brygga they read who must approve.
    denied = sandbox.answer_consent(started["Location"], fortnox_company.user, "approve", "deny")
    answer = client.get(path_of(denied.headers["Location"]))
    text = answer.content.decode()
    assert answer.status_code == 400 and "only a system administrator of the Fortnox company" in text
    assert not FortnoxConnection.objects.filter(status=FortnoxConnection.Status.CONNECTED).exists()


def test_the_wizard_says_who_must_approve_a_service_account(service_accounts, tenant, client_for):
    page = client_for(tenant.owner).get(reverse("hr_setup")).content.decode()
    assert "Only a system administrator of the Fortnox company" in page
    assert "Client does not allow service account" in page


def test_without_the_setting_the_wizard_connects_as_a_user_login_as_before(sandbox, tenant, client_for):
    started = client_for(tenant.owner).post(reverse("fortnox_connect"))
    assert "account_type" not in started["Location"]
    assert "system administrator" not in client_for(tenant.owner).get(reverse("hr_setup")).content.decode()


def test_after_the_consent_is_revoked_scheduled_pulls_are_skipped_without_failed_runs_or_error_entries(
    service_connection, sandbox, fortnox_company, tenant,
):
    from integrations.core.models import IntegrationError, SyncRun
    from integrations.warehouse_sync.models import WarehouseSyncSettings
    from integrations.warehouse_sync.tasks import scheduled_sync

    WarehouseSyncSettings.objects.update_or_create(organization=tenant.organization, defaults={"active": True})
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    wait_for(lambda: not FortnoxConnection.objects.get().is_connected, 10, "the revoked webhook")

    assert scheduled_sync(tenant.organization.pk) is None
    assert not SyncRun.objects.exists() and not IntegrationError.objects.exists()
    assert len(mail.outbox) == 1  # the one notice of the revocation


def test_disconnecting_a_service_account_forgets_its_token_and_says_the_consent_ends_only_in_fortnox(
    service_connection, tenant, client_for,
):
    page = client_for(tenant.owner).post(reverse("fortnox_disconnect"), {"confirmed": "1"}, follow=True).content.decode()
    assert "can only be ended in Fortnox" in page
    saved = FortnoxConnection.objects.get()
    assert saved.status == FortnoxConnection.Status.DISCONNECTED and saved.access_token == "" and saved.tenant_id == ""


def test_a_forged_consent_created_for_a_company_that_revoked_connects_nothing(service_connection, sandbox, fortnox_company):
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    wait_for(lambda: not FortnoxConnection.objects.get().is_connected, 10, "the revoked webhook")
    body = {"event": "consent-created", "tenantId": fortnox_company.database_number,
            "clientId": settings.FORTNOX_CLIENT_ID}
    assert webhook(Client(), body).status_code == 204
    saved = FortnoxConnection.objects.get()
    assert saved.status == FortnoxConnection.Status.DISCONNECTED and saved.access_token == ""


def test_a_change_pushed_after_the_consent_was_revoked_waits_quietly_and_is_sent_once_consent_is_given_again(
    service_connection, sandbox, fortnox_company, tenant, client_for,
):
    from hr import actions as hr_actions
    from integrations.core import outbox
    from integrations.core.models import IntegrationError, OutboxEvent
    from integrations.hr_sync.models import HrIntegrationSettings
    from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox

    HrIntegrationSettings.objects.update_or_create(organization=tenant.organization, defaults={
        "terms_accepted_at": service_connection.connected_at, "settings_saved_at": service_connection.connected_at,
        "activated_at": service_connection.connected_at})
    with FortnoxClient(service_connection) as fortnox:
        create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "1001")
    sandbox.revoke_consent(fortnox_company.data, settings.FORTNOX_CLIENT_ID)
    wait_for(lambda: not FortnoxConnection.objects.get().is_connected, 10, "the revoked webhook")

    hr_actions.do_update_employee(anna, {"phone": "0701234567"}, acting_user=tenant.hr_admin)
    outbox.push_due()
    waiting = IntegrationError.objects.get()
    assert "revoked Brygga's service account" in str(waiting.message)
    assert len(mail.outbox) == 1  # only the notice of the revocation: no second one per change

    start_and_consent(client_for(tenant.owner), sandbox, fortnox_company)  # the system administrator approves again
    # The connection reads connected a moment before the waiting change is queued again (the
    # callback or the consent webhook, whichever comes first), so keep sending until it went.
    def sent():
        outbox.push_due()
        return OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    wait_for(sent, 10, "the waiting change sent after the consent was given again")
    assert FortnoxConnection.objects.get().is_connected
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DONE
    with FortnoxClient(FortnoxConnection.objects.get()) as fortnox:
        assert fortnox.get("/3/employees/1001")["Phone1"] == "+46701234567"


def test_the_event_listener_adds_a_service_account_company_with_a_client_credentials_token(
    service_connection, sandbox, fortnox_company, sandbox_stream, caplog,
):
    from websockets.sync.client import connect as open_stream

    from integrations.fortnox_events.listener import Listener
    from integrations.fortnox_events.models import StreamTenant

    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    one_second_tokens(sandbox, fortnox_company)  # the listener must ask for a fresh one
    listener = Listener(url=sandbox_stream.url, holder="test")
    assert listener.lease.acquire()  # as the running listener holds it while it adds tenants
    with open_stream(sandbox_stream.url, proxy=None, open_timeout=10) as stream:
        listener.ws = stream
        listener.add_tenants([FortnoxConnection.objects.get()])
    organization_id = service_connection.organization_id
    assert listener.tenants[organization_id].tenant_id == str(fortnox_company.database_number)
    assert StreamTenant.objects.get(organization_id=organization_id).live_since is not None
    assert any(r.getMessage().startswith("fortnox service-account token requested") for r in caplog.records)
    assert stored_refresh_tokens() == []
