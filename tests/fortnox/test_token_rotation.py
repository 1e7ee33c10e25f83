"""Token rotation against the sandbox: refresh before expiry, exactly once under concurrency,
and a clear re-connect path (email, banner) when the authorization is gone."""

import logging
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integrations.core.models import FortnoxConnection
from integrations.fortnox import oauth
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import FortnoxAuthError
from organizations.models import Notification
from tests.support.fortnox import fetch
from tests.support.processes import at_once, run_in_processes


def expire_soon(connection):
    FortnoxConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() + timedelta(minutes=1))


def refreshes(caplog) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith("fortnox refresh token exchanged"))


def test_a_token_about_to_expire_is_refreshed_first_and_both_new_tokens_are_saved(connection, caplog):
    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    expire_soon(connection)
    old = FortnoxConnection.objects.get()
    assert fetch(old)["CompanyName"] == "Sandlådan AB"
    saved = FortnoxConnection.objects.get()
    assert refreshes(caplog) == 1
    assert saved.access_token != connection.access_token and saved.refresh_token != connection.refresh_token
    assert saved.expires_at > timezone.now() + timedelta(minutes=50)
    assert saved.refreshed_at > connection.refreshed_at
    assert saved.refresh_claimed_until is None
    with pytest.raises(oauth.FortnoxOAuthError):
        oauth.refresh(connection.refresh_token)  # the old one was really spent


def test_a_fresh_token_is_used_without_refreshing(connection, caplog):
    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    fetch(connection)
    assert refreshes(caplog) == 0
    assert FortnoxConnection.objects.get().refresh_token == connection.refresh_token


def test_an_access_token_fortnox_refuses_is_rotated_once_and_the_call_retried(connection, caplog):
    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    FortnoxConnection.objects.filter(pk=connection.pk).update(access_token="no-longer-valid")
    counter = CallCounter()
    company = fetch(FortnoxConnection.objects.get(), call_counter=counter)
    assert company["CompanyName"] == "Sandlådan AB"
    assert counter.by_status == {401: 1, 200: 1}
    assert refreshes(caplog) == 1
    assert FortnoxConnection.objects.get().status == FortnoxConnection.Status.CONNECTED


def test_a_spent_refresh_token_marks_the_connection_for_reconnect_and_tells_the_admins(connection, tenant, client_for):
    oauth.refresh(connection.refresh_token)  # someone else used it
    expire_soon(connection)
    with pytest.raises(FortnoxAuthError) as failure:
        fetch(FortnoxConnection.objects.get())
    assert "re-connect Fortnox" in failure.value.user_message

    saved = FortnoxConnection.objects.get()
    assert saved.status == FortnoxConnection.Status.NEEDS_REAUTH
    assert "Invalid refresh token" in saved.last_error and saved.last_error_at
    assert saved.access_token == "" and saved.refresh_token == ""
    assert [m.to for m in mail.outbox] == [[tenant.owner.email]]
    assert "re-connected" in mail.outbox[0].subject
    assert reverse("fortnox_connection") in mail.outbox[0].body and "Invalid refresh token" in mail.outbox[0].body
    assert Notification.objects.filter(user=tenant.owner, link=reverse("fortnox_connection")).count() == 1

    dashboard = client_for(tenant.owner).get(reverse("dashboard")).content.decode()
    assert "Fortnox no longer accepts Brygga" in dashboard and reverse("fortnox_connection") in dashboard
    assert "Fortnox no longer accepts Brygga" not in client_for(tenant.hr_admin).get(reverse("dashboard")).content.decode()
    assert "Re-connect Fortnox" in client_for(tenant.owner).get(reverse("fortnox_connection")).content.decode()


def test_a_broken_connection_fails_fast_without_calling_fortnox_or_mailing_again(connection):
    oauth.refresh(connection.refresh_token)
    expire_soon(connection)
    with pytest.raises(FortnoxAuthError):
        fetch(FortnoxConnection.objects.get())
    counter = CallCounter()
    with pytest.raises(FortnoxAuthError):
        fetch(FortnoxConnection.objects.get(), call_counter=counter)
    assert counter.total == 0
    assert len(mail.outbox) == 1


def test_an_authorization_revoked_in_fortnox_leads_to_the_reconnect_banner(connection, tenant, client_for):
    oauth.revoke(connection.refresh_token)
    with pytest.raises(FortnoxAuthError):
        fetch(connection)
    assert FortnoxConnection.objects.get().status == FortnoxConnection.Status.NEEDS_REAUTH
    response = client_for(tenant.owner).get(reverse("dashboard"))
    assert response.status_code == 200 and "Fortnox no longer accepts Brygga" in response.content.decode()


def tokens_used_for(sandbox, company, path) -> set:
    return {entry["token"] for entry in sandbox.request_log(company.data) if entry["path"].endswith(path)}


def test_eight_threads_with_an_expiring_token_cause_exactly_one_refresh_and_all_succeed(
    connection, sandbox, fortnox_company, caplog,
):
    caplog.set_level(logging.INFO, logger="integrations.fortnox")
    connect_token = tokens_used_for(sandbox, fortnox_company, "companyinformation")
    expire_soon(connection)
    results = []
    at_once(lambda: results.append(fetch(FortnoxConnection.objects.get(pk=connection.pk))["CompanyName"]), 8)

    assert results == ["Sandlådan AB"] * 8
    assert refreshes(caplog) == 1
    assert FortnoxConnection.objects.get().status == FortnoxConnection.Status.CONNECTED
    used = tokens_used_for(sandbox, fortnox_company, "companyinformation") - connect_token
    assert len(used) == 1  # all eight calls went out with the one refreshed token


def test_eight_processes_with_an_expiring_token_cause_exactly_one_refresh_and_all_succeed(
    connection, sandbox, fortnox_company,
):
    connect_token = tokens_used_for(sandbox, fortnox_company, "companyinformation")
    expire_soon(connection)
    start_at = time.time() + 6  # after every process has started, so they all meet the expired token at once
    results = run_in_processes("call_company_information", [(connection.pk, start_at)] * 8)
    assert [r["company"] for r in results] == ["Sandlådan AB"] * 8
    assert sum(r["refreshes"] for r in results) == 1
    assert FortnoxConnection.objects.get().status == FortnoxConnection.Status.CONNECTED
    assert len(tokens_used_for(sandbox, fortnox_company, "companyinformation") - connect_token) == 1
