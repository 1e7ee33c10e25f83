"""Access tokens for a connection, of either kind, safe under any number of concurrent workers.

`access_token(connection)` is THE way to get a usable access token for a connection (the client,
the event-stream listener, anything else): it hands out the stored token while it lives and
renews it shortly before it dies. A connection is one of two kinds:

- a user's login (the classic one): renewed with its single-use refresh token;
- a service account (`connection.service_account`): renewed with client credentials and the
  company's `TenantId` (API-FACTS §1). No refresh token exists, so none is stored; the consent
  holds until the customer revokes it, and then the renewal is refused (`invalid_grant`).

Both kinds renew the same way below: the one renewal per expiry is decided under the row lock,
so three job clusters with a token that lives a second ask Fortnox once per expiry, not thrice.

Fortnox refresh tokens work once: if two workers exchange the same one, the second gets
`invalid_grant` and the connection would be lost. So exactly one worker may exchange it, and
everyone else must wait for, then use, what that worker saved.

How: a short transaction holding the connection's row lock re-reads the row and decides. If
someone else already refreshed, we take their tokens. If someone is refreshing right now (a
claim that has not expired), we wait and look again. Otherwise we claim the refresh, commit,
exchange the token, and save both new tokens in a second locked transaction before anyone uses
them.

Why the HTTP exchange is not inside the locked transaction: on SQLite there are no row locks;
`transaction_mode=IMMEDIATE` takes the database-wide write lock at BEGIN, which is what
serialises the decision here (the re-read happens inside that write transaction, so two workers
can never both see "unclaimed"). Holding it for a network round trip would stall every writer
of the product for that long, and deadlock outright against a sandbox that shares the database.
The claim keeps the exactly-once guarantee on both databases with only milliseconds under lock.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import oauth
from .errors import FortnoxAuthError, FortnoxConsentRevoked, FortnoxNotConnected
from .signals import authorisation_lost

log = logging.getLogger("integrations.fortnox")

# Refresh this long before the access token expires, so a request never starts with a token
# that dies on the way.
REFRESH_MARGIN = timedelta(minutes=5)
CLAIM_POLL_SECONDS = 0.05
TOKEN_FIELDS = ["status", "access_token", "refresh_token", "expires_at", "refreshed_at", "granted_scopes", "last_error"]


def _claim_duration() -> timedelta:
    # Longer than the slowest token request can take, so a live claim is never taken over.
    return timedelta(seconds=2 * settings.FORTNOX_TIMEOUT_SECONDS + 5)


def _locked(connection):
    # The seam is handed the connection and knows nothing above it: its own class re-reads it.
    return type(connection).objects.select_for_update().get(pk=connection.pk)


def _adopt(connection, row) -> None:
    for field in TOKEN_FIELDS:
        setattr(connection, field, getattr(row, field))


def _raise_unless_connected(connection) -> None:
    if connection.status == connection.Status.DISCONNECTED:
        if connection.service_account and connection.tenant_id:
            raise FortnoxConsentRevoked(str(connection.last_error) or "The service account's consent was revoked")
        raise FortnoxNotConnected(str(connection.last_error) or "Fortnox is not connected")
    if connection.status != connection.Status.CONNECTED:
        raise FortnoxAuthError(str(connection.last_error) or "Fortnox is not connected")


def access_token(connection) -> str:
    """A usable access token for the connection (either kind), renewed first when it expires
    soon. Raises FortnoxNotConnected / FortnoxAuthError when there is no usable authorization."""
    _raise_unless_connected(connection)
    if connection.token_expires_within(REFRESH_MARGIN) and _renewable(connection):
        rotate(connection, stale_access_token=connection.access_token)
    return connection.access_token


def _renewable(connection) -> bool:
    # A service account is renewed for its company; while a connect is still reading which
    # company that is, the token from the consent is all there is.
    return not connection.service_account or bool(connection.tenant_id)


def rotate(connection, stale_access_token: str) -> None:
    """Replace `stale_access_token` (expiring, or just refused by Fortnox) with a fresh one,
    refreshing only if no other worker did; updates `connection` in place."""
    if not _renewable(connection):
        raise FortnoxAuthError("The service account's company is not known yet")
    while True:
        with transaction.atomic():
            row = _locked(connection)
            _adopt(connection, row)
            _raise_unless_connected(row)
            if row.access_token != stale_access_token and not row.token_expires_within(REFRESH_MARGIN):
                return  # another worker refreshed while we were deciding
            now = timezone.now()
            if row.refresh_claimed_until is None or row.refresh_claimed_until <= now:
                row.refresh_claimed_until = now + _claim_duration()
                row.save(update_fields=["refresh_claimed_until"])
                used_refresh_token = row.refresh_token
                service_tenant = row.tenant_id if row.service_account else ""
                break
        time.sleep(CLAIM_POLL_SECONDS)

    if service_tenant:
        _renew_service_token(connection, service_tenant)
        return

    log.info("fortnox refresh token exchanged for connection %s", connection.pk)
    try:
        tokens = oauth.refresh(used_refresh_token)
    except oauth.FortnoxOAuthError as exc:
        if exc.error != "invalid_grant":
            _release_claim(connection)
            raise
        _adopt_or_give_up(connection, used_refresh_token, exc)
        return
    except Exception:
        _release_claim(connection)
        raise

    _save_tokens(connection, tokens)


def adopt_new_tokens(connection, tokens) -> None:
    """Store tokens just got from Fortnox (a connect, a consent given again) on the connection."""
    _save_tokens(connection, tokens)


def _save_tokens(connection, tokens) -> None:
    with transaction.atomic():
        row = _locked(connection)
        row.access_token = tokens.access_token
        row.refresh_token = "" if row.service_account else tokens.refresh_token
        row.expires_at = tokens.expires_at
        row.refreshed_at = timezone.now()
        row.granted_scopes = tokens.scopes or row.granted_scopes
        row.refresh_claimed_until = None
        row.save(update_fields=TOKEN_FIELDS + ["refresh_claimed_until"])
    _adopt(connection, row)


def _renew_service_token(connection, tenant_id: str) -> None:
    """The claimed renewal of a service account: client credentials for its company. Refused
    for good means the customer revoked the consent: the authorization is lost."""
    log.info("fortnox service-account token requested for connection %s", connection.pk)
    try:
        tokens = oauth.client_credentials(tenant_id)
    except oauth.FortnoxOAuthError as exc:
        if exc.error != "invalid_grant":
            _release_claim(connection)
            raise
        with transaction.atomic():
            row = _locked(connection)
            row.refresh_claimed_until = None
            row.save(update_fields=["refresh_claimed_until"])
            if row.status == row.Status.CONNECTED:
                authorisation_lost.send(sender=type(row), connection=row, reason=str(exc))
        _adopt(connection, row)
        raise FortnoxConsentRevoked(str(exc)) from exc
    except Exception:
        _release_claim(connection)
        raise
    _save_tokens(connection, tokens)


def consent_stands(tenant_id: str) -> bool:
    """Asks Fortnox whether the app's service-account consent in the company `tenant_id` stands
    (a client-credentials request that is answered, or refused with `invalid_grant`). The token
    it gets is not kept. Anything else (Fortnox unreachable) raises: no answer is no answer."""
    try:
        oauth.client_credentials(tenant_id)
    except oauth.FortnoxOAuthError as exc:
        if exc.error in ("invalid_grant", "invalid_request"):
            return False
        raise
    return True


def _release_claim(connection) -> None:
    with transaction.atomic():
        row = _locked(connection)
        row.refresh_claimed_until = None
        row.save(update_fields=["refresh_claimed_until"])


def _adopt_or_give_up(connection, used_refresh_token: str, exc) -> None:
    """Fortnox says the refresh token is spent. Re-read once: if another worker (whose claim we
    outlived) saved new tokens, use them; otherwise the authorization is gone."""
    with transaction.atomic():
        row = _locked(connection)
        row.refresh_claimed_until = None
        row.save(update_fields=["refresh_claimed_until"])
        if row.status == row.Status.CONNECTED and row.refresh_token != used_refresh_token:
            _adopt(connection, row)
            return
        authorisation_lost.send(sender=type(row), connection=row, reason=str(exc))
    _adopt(connection, row)
    raise FortnoxAuthError(str(exc)) from exc
