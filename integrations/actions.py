"""Writes with side effects on the Fortnox connection, one small function each."""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from organizations.actions import do_notify

from .fortnox import oauth
from .fortnox.errors import FortnoxError
from .fortnox.ratelimit import get_rate_limiter
from .models import FortnoxConnection

log = logging.getLogger("integrations.fortnox")

_FORGET_FIELDS = ["status", "access_token", "refresh_token", "expires_at", "refresh_claimed_until", "last_error", "last_error_at"]


def _forget_tokens(connection: FortnoxConnection, status, reason: str) -> None:
    connection.status = status
    connection.access_token = ""
    connection.refresh_token = ""
    connection.expires_at = None
    connection.refresh_claimed_until = None
    connection.last_error = reason
    connection.last_error_at = timezone.now() if reason else None


def do_connect(organization, tokens: oauth.TokenSet, user) -> FortnoxConnection:
    """Store a fresh authorization (both tokens, encrypted), learn which Fortnox company it
    belongs to and (for the warehouse) whether that company uses the warehouse module. If the
    company cannot be read (no API licence, say), the authorization is given back to Fortnox and
    the FortnoxError is raised for the caller to show. (No transaction around the
    whole: an HTTP call must not run under SQLite's database-wide write lock.)"""
    from .fortnox.client import FortnoxClient
    from .warehouse_sync.mode import do_adopt_warehouse_mode

    connection, _ = FortnoxConnection.objects.get_or_create(organization=organization)
    connection.status = FortnoxConnection.Status.CONNECTED
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.expires_at = tokens.expires_at
    connection.refreshed_at = timezone.now()
    connection.refresh_claimed_until = None
    connection.granted_scopes = tokens.scopes
    connection.connected_by = user
    connection.connected_at = timezone.now()
    connection.last_error = ""
    connection.last_error_at = None
    connection.tenant_id = ""  # the user may have chosen another company this time
    connection.save()
    try:
        with FortnoxClient(connection) as client:
            company = client.get("/3/companyinformation")
            do_adopt_warehouse_mode(connection, client)
    except FortnoxError as exc:
        do_disconnect(connection, reason=exc.user_message)
        raise
    unknown_company_budget = connection.rate_limit_key
    connection.tenant_id = str(company.get("DatabaseNumber") or "")
    connection.company_name = company.get("CompanyName") or ""
    connection.save(update_fields=["tenant_id", "company_name"])
    get_rate_limiter().merge(unknown_company_budget, connection.rate_limit_key)
    return connection


def do_save_features(connection: FortnoxConnection, *, hr_enabled, warehouse_enabled, warehouse_custom_documents) -> FortnoxConnection:
    connection.hr_enabled = hr_enabled
    connection.warehouse_enabled = warehouse_enabled
    connection.warehouse_custom_documents = warehouse_custom_documents
    if connection.pk is None:
        connection.save()
    else:
        connection.save(update_fields=["hr_enabled", "warehouse_enabled", "warehouse_custom_documents"])
    return connection


def do_disconnect(connection: FortnoxConnection, *, reason: str = "") -> FortnoxError | None:
    """Forget the tokens and revoke the refresh token at Fortnox. Returns the revoke failure, if
    any, for the caller to show: the tokens are forgotten here either way."""
    refresh_token = connection.refresh_token
    _forget_tokens(connection, FortnoxConnection.Status.DISCONNECTED, reason)
    connection.save(update_fields=_FORGET_FIELDS)
    if not refresh_token:
        return None
    try:
        oauth.revoke(refresh_token)
    except FortnoxError as exc:
        log.warning("revoking the Fortnox token of connection %s failed: %s", connection.pk, exc)
        return exc
    return None


def do_mark_needs_reauth(connection: FortnoxConnection, *, reason: str) -> None:
    """The authorization is gone (spent refresh token, revoked access): stop using it, record
    why, and tell the organization admins once (not again while it stays broken)."""
    already = connection.status == FortnoxConnection.Status.NEEDS_REAUTH
    _forget_tokens(connection, FortnoxConnection.Status.NEEDS_REAUTH, reason)
    connection.save(update_fields=_FORGET_FIELDS)
    if not already:
        transaction.on_commit(lambda: notify_admins_of_reauth(connection))


def notify_admins_of_reauth(connection: FortnoxConnection) -> None:
    """A bell notification and an email for each organization admin, in their own language."""
    do_notify(
        connection.organization, connection.organization.admins(),
        title_template="integrations/email/needs_reauth_subject.txt",
        body_template="integrations/email/needs_reauth_body.txt",
        context={"connection": connection}, link=reverse("fortnox_connection"), level="error",
    )
