"""Writes with side effects on the Fortnox connection, one small function each."""

import logging
from operator import attrgetter

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from integrations.core.models import FortnoxConnection, IntegrationError
from integrations.fortnox import oauth
from integrations.fortnox.errors import FortnoxCompanyTaken, FortnoxError, FortnoxServiceAccountRefused
from integrations.fortnox.ratelimit import get_rate_limiter
from organizations.actions import do_notify
from organizations.stored_text import StoredText, gettext_noop

from . import signals

log = logging.getLogger("integrations.fortnox")

CONSENT_REVOKED_BY_WEBHOOK = gettext_noop(
    "A user of the Fortnox company revoked Brygga's service account (consent) in Fortnox, and Fortnox confirmed it."
)

_FORGET_FIELDS = ["status", "access_token", "refresh_token", "expires_at", "refresh_claimed_until", "last_error", "last_error_at"]


_CONNECTION_FIELDS = [
    "status", "service_account", "access_token", "refresh_token", "expires_at", "refreshed_at", "refresh_claimed_until", "granted_scopes",
    "connected_by", "connected_at", "last_error", "last_error_at", "tenant_id", "company_name",
]


def _forget_tokens(connection: FortnoxConnection, status, reason: StoredText | str) -> None:
    connection.status = status
    connection.access_token = ""
    connection.refresh_token = ""
    connection.expires_at = None
    connection.refresh_claimed_until = None
    connection.last_error = reason
    # When it stopped working, with a reason or without (a deliberate disconnect): what failed from
    # then on for want of a connection is sent again when an admin connects (see do_connect).
    connection.last_error_at = timezone.now()


def do_connect(organization, tokens: oauth.TokenSet, user, *, take_over_tenant: str = "",
               service_account: bool = False) -> FortnoxConnection:
    """Store a fresh authorization (both tokens, encrypted), learn which Fortnox company it
    belongs to and (for the warehouse) whether that company uses the warehouse module. If the
    company cannot be read (no API licence, say), or is connected to another organization already
    (FortnoxCompanyTaken), the authorization is given back to Fortnox and the FortnoxError is raised
    for the caller to show; a connection that worked before stays as it was. Only a superuser who confirmed moving that very company
    (`take_over_tenant`) takes it from the other organization, which is disconnected and told. A
    previous authorization is revoked, and changes that failed while the connection was lost are
    queued again (`resent_count` on the returned connection says how many). (No transaction around
    the whole: an HTTP call must not run under SQLite's database-wide write lock.)

    `service_account`: the consent was asked for as a service account. Then no refresh token is
    kept (the one the code exchange gave is revoked at Fortnox), and the company's first access
    token is asked for with client credentials + TenantId, which also proves the consent is a
    service account's. The same row is kept, so an old user-login connection moved to a service
    account keeps its links, settings and history (its old refresh token is revoked)."""
    from integrations.fortnox.client import FortnoxClient

    connection, _ = FortnoxConnection.objects.get_or_create(organization=organization)
    previous_refresh_token = connection.refresh_token
    # A re-connect that is refused (another organization's company, say) leaves the working connection as it was.
    working = {name: getattr(connection, name) for name in _CONNECTION_FIELDS} if connection.is_connected else None
    lost_at = connection.last_error_at if connection.status != FortnoxConnection.Status.CONNECTED else None
    connection.status = FortnoxConnection.Status.CONNECTED
    connection.service_account = service_account
    connection.access_token = tokens.access_token
    # A service account keeps no refresh token: not even the code exchange's, for a moment.
    connection.refresh_token = "" if service_account else tokens.refresh_token
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
    unknown_company_budget = connection.rate_limit_key
    try:
        with FortnoxClient(connection) as client:
            company = client.get("/3/companyinformation")
            _claim_company(connection, company, user, take_over_tenant)
            if service_account:
                _first_service_token(connection)
            signals.connected.send(sender=FortnoxConnection, connection=connection, client=client)
    except FortnoxError as exc:
        if working is not None:
            for name, value in working.items():
                setattr(connection, name, value)
            connection.save(update_fields=_CONNECTION_FIELDS)
            _revoke(connection, tokens.refresh_token)
            raise
        do_disconnect(connection, reason=StoredText.each_language(attrgetter("user_message"), exc))
        _revoke(connection, tokens.refresh_token)
        if previous_refresh_token:
            _revoke(connection, previous_refresh_token)  # nor may a refused connect leave an old grant usable
        raise
    if service_account:
        _revoke(connection, tokens.refresh_token)  # the code exchange's: a service account needs none
    get_rate_limiter().merge(unknown_company_budget, connection.rate_limit_key)
    if previous_refresh_token:
        _revoke(connection, previous_refresh_token)  # a re-connect must not leave the old grant usable
    connection.resent_count = _resend_failed_since(connection, lost_at, user) if lost_at else 0
    return connection


def _first_service_token(connection: FortnoxConnection) -> None:
    """The service account's first client-credentials token for the company just read: Fortnox
    gives it only if the consent really is a service account's (FortnoxServiceAccountRefused)."""
    from integrations.fortnox import tokens as fortnox_tokens

    try:
        fresh = oauth.client_credentials(connection.tenant_id)
    except oauth.FortnoxOAuthError as exc:
        if exc.error == "invalid_grant":
            raise FortnoxServiceAccountRefused(str(exc)) from exc
        raise
    fortnox_tokens.adopt_new_tokens(connection, fresh)


def company_holder(tenant_id: str, *, other_than: FortnoxConnection) -> FortnoxConnection | None:
    """The connection of another organization that holds the Fortnox company `tenant_id` (connected
    or waiting to be re-connected: a disconnect forgets the company), if any."""
    if not tenant_id:
        return None
    return (FortnoxConnection.objects.exclude(pk=other_than.pk).filter(tenant_id=tenant_id)
            .select_related("organization").first())


def _claim_company(connection: FortnoxConnection, company: dict, user, take_over_tenant: str) -> None:
    """Record which company `connection` reached, unless another organization holds it. The unique
    constraint on the company settles two organizations connecting it at the same moment."""
    tenant_id = str(company.get("DatabaseNumber") or "")
    name = company.get("CompanyName") or ""
    holder = company_holder(tenant_id, other_than=connection)
    if holder is not None:
        if not (take_over_tenant and take_over_tenant == tenant_id and user is not None and user.is_superuser):
            raise FortnoxCompanyTaken(company=name, tenant_id=tenant_id, holder=holder.organization.name)
        do_move_company_away(holder, to=connection.organization, user=user)
    connection.tenant_id, connection.company_name = tenant_id, name
    try:
        with transaction.atomic():
            connection.save(update_fields=["tenant_id", "company_name"])
    except IntegrityError:
        holder = company_holder(tenant_id, other_than=connection)
        raise FortnoxCompanyTaken(company=name, tenant_id=tenant_id, holder=holder.organization.name if holder else "?") from None


def do_move_company_away(holder: FortnoxConnection, *, to, user) -> None:
    """A superuser moves the Fortnox company to the organization `to`: the organization that held it
    is disconnected (its grant revoked at Fortnox) and its admins are told where the company went."""
    company = holder.company_name or holder.tenant_id
    reason = StoredText(gettext_noop("A Brygga administrator moved the Fortnox company %(company)s to the organization "
                                     "%(organization)s."), company=company, organization=to.name)
    log.warning("Fortnox company %s moved from organization %s to %s by user %s",
                holder.tenant_id, holder.organization_id, to.pk, getattr(user, "pk", None))
    do_disconnect(holder, reason=reason)
    do_notify(
        holder.organization, holder.organization.admins(),
        title_template="integrations/email/company_moved_subject.txt",
        body_template="integrations/email/company_moved_body.txt",
        context={"company": company, "to": to}, link=reverse("fortnox_connection"), level="error",
    )


def _resend_failed_since(connection: FortnoxConnection, lost_at, user) -> int:
    """Queues again every change that failed while Fortnox was not connected (every push needs the
    connection, so all of them failed for that reason); returns how many."""
    from integrations.core.outbox import do_retry_error

    waiting = IntegrationError.objects.for_organization(connection.organization).filter(
        status=IntegrationError.Status.OPEN, outbox_event__isnull=False, last_seen_at__gte=lost_at,
    )
    for entry in waiting:
        do_retry_error(entry, acting_user=user)
    return len(waiting)


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
    # What was granted, by whom and for which company no longer holds: no page may show it.
    connection.granted_scopes, connection.connected_at, connection.connected_by = [], None, None
    connection.tenant_id = connection.company_name = ""
    connection.save(update_fields=[
        *_FORGET_FIELDS, "granted_scopes", "connected_at", "connected_by", "tenant_id", "company_name",
    ])
    return _revoke(connection, refresh_token) if refresh_token else None


def _revoke(connection: FortnoxConnection, refresh_token: str) -> FortnoxError | None:
    try:
        oauth.revoke(refresh_token)
    except FortnoxError as exc:
        log.warning("revoking a Fortnox token of connection %s failed: %s", connection.pk, exc)
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


def do_consent_revoked(connection: FortnoxConnection, *, reason: StoredText | str) -> bool:
    """The customer revoked the service account's consent (Fortnox said so): stop at once, keep
    which company it was (a consent given again there completes the connection, see
    do_complete_service_account) and tell the organization admins once. Returns whether it was
    connected until now."""
    was_connected = connection.status == FortnoxConnection.Status.CONNECTED
    if not was_connected and connection.last_error:
        return False
    _forget_tokens(connection, FortnoxConnection.Status.DISCONNECTED, reason)
    connection.save(update_fields=_FORGET_FIELDS)
    log.warning("Fortnox service-account consent of connection %s (company %s) was revoked",
                connection.pk, connection.tenant_id)
    transaction.on_commit(lambda: notify_admins_of_revoked_consent(connection))
    return was_connected


def do_complete_service_account(connection: FortnoxConnection, user=None) -> bool:
    """A service-account consent was given (again) in the connection's company: connect with a
    client-credentials token, then send what failed meanwhile. False if Fortnox refuses (the
    consent does not stand after all); the caller decides what that means."""
    from integrations.fortnox import tokens as fortnox_tokens

    if connection.is_connected or not connection.awaits_consent:
        return False
    try:
        fresh = oauth.client_credentials(connection.tenant_id)
    except oauth.FortnoxOAuthError as exc:
        if exc.error == "invalid_grant":
            return False
        raise
    lost_at = connection.last_error_at
    connection.status = FortnoxConnection.Status.CONNECTED
    connection.last_error, connection.last_error_at = "", None
    connection.connected_at = timezone.now()
    connection.save(update_fields=["status", "last_error", "last_error_at", "connected_at"])
    fortnox_tokens.adopt_new_tokens(connection, fresh)
    log.info("Fortnox service-account consent of connection %s (company %s) was given again",
             connection.pk, connection.tenant_id)
    connection.resent_count = _resend_failed_since(connection, lost_at, user) if lost_at else 0
    return True


def notify_admins_of_revoked_consent(connection: FortnoxConnection) -> None:
    """A bell notification and an email for each organization admin, in their own language."""
    do_notify(
        connection.organization, connection.organization.admins(),
        title_template="integrations/email/consent_revoked_subject.txt",
        body_template="integrations/email/consent_revoked_body.txt",
        context={"connection": connection}, link=reverse("fortnox_connection"), level="error",
    )


def notify_admins_of_reauth(connection: FortnoxConnection) -> None:
    """A bell notification and an email for each organization admin, in their own language."""
    do_notify(
        connection.organization, connection.organization.admins(),
        title_template="integrations/email/needs_reauth_subject.txt",
        body_template="integrations/email/needs_reauth_body.txt",
        context={"connection": connection}, link=reverse("fortnox_connection"), level="error",
    )
