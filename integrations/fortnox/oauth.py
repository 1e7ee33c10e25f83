"""Fortnox's OAuth2 service (authorization code flow) through requests-oauthlib.

Only this module and `client` speak HTTP to Fortnox. Token requests authenticate the client with
HTTP Basic credentials, as Fortnox requires; nothing here logs a token or a secret.
"""

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauthlib.oauth2 import OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from .errors import FortnoxAuthError, FortnoxBadResponse, FortnoxError, FortnoxTransientError


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allow_plain_http_to_loopback() -> None:
    """oauthlib refuses plain HTTP. The sandbox on this machine (dev, demo, tests) is plain HTTP
    on a loopback address; that, and only that, is allowed."""
    if _is_loopback(settings.FORTNOX_AUTH_BASE_URL) and _is_loopback(redirect_uri()):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    # Fortnox may grant fewer scopes than asked (no licence for a module): we record what was
    # granted instead of failing the whole connection.
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("fortnox_callback")


def _url(path: str) -> str:
    return settings.FORTNOX_AUTH_BASE_URL + path


def _client_auth() -> HTTPBasicAuth:
    return HTTPBasicAuth(settings.FORTNOX_CLIENT_ID, settings.FORTNOX_CLIENT_SECRET)


def _raise_on_server_error(response: requests.Response) -> requests.Response:
    # A 5xx (often an HTML page) is a Fortnox fault, not an OAuth answer: report it as transient
    # instead of letting oauthlib fail to parse it.
    if response.status_code >= 500:
        raise FortnoxTransientError(f"Fortnox token endpoint answered {response.status_code}", status=response.status_code)
    return response


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime
    scopes: list[str]

    @classmethod
    def from_oauthlib(cls, token: dict) -> "TokenSet":
        scope = token.get("scope") or []
        return cls(
            access_token=token["access_token"],
            # A service account's client-credentials token comes without one.
            refresh_token=token.get("refresh_token") or "",
            expires_at=timezone.now() + timedelta(seconds=int(token.get("expires_in") or 3600)),
            scopes=sorted(scope.split() if isinstance(scope, str) else scope),
        )


class FortnoxOAuthError(FortnoxError):
    """An OAuth error answer (`error` key) from Fortnox's authorization or token endpoint."""

    MESSAGES = {
        "access_denied": _(
            "The connection was cancelled in Fortnox, so nothing was connected. Start again and choose "
            "\"Approve\" (Godkänn) on Fortnox's page. Only a Fortnox user with administrator rights can approve."
        ),
        "invalid_client": _(
            "Fortnox does not recognise Brygga's client credentials. This is a Brygga configuration problem: "
            "contact your Brygga administrator (FORTNOX_CLIENT_ID / FORTNOX_CLIENT_SECRET)."
        ),
        "invalid_grant": _(
            "The approval from Fortnox was already used or has expired. Start the connection again."
        ),
        "invalid_scope": _(
            "Fortnox refused one of the permissions Brygga asked for. Check that the Fortnox company has the "
            "modules you enabled (for example Lön or Lager), or turn that feature off, then connect again."
        ),
        "no_licence": _(
            "The Fortnox company has no licence for integrations (API). Ask Fortnox or your accounting firm "
            "to add the integration licence, then connect again."
        ),
    }
    MESSAGES["unauthorized_client"] = MESSAGES["invalid_client"]

    def __init__(self, error: str, description: str = ""):
        self.error = error
        super().__init__(f"{error}: {description}" if description else error, code=error, message=description)

    @property
    def user_message(self) -> str:
        known = self.MESSAGES.get(self.error)
        if known is None and "licen" in self.message.lower():
            known = self.MESSAGES["no_licence"]
        if known is not None:
            return str(known)
        return str(_("Fortnox refused the connection (%(error)s: %(description)s). Start again, or contact "
                     "Brygga support if it keeps happening.") % {"error": self.error, "description": self.message})


def authorization_url(scopes: list[str], state: str, *, service_account: bool = False) -> str:
    """Fortnox's consent page. `service_account`: the consent is for a service account
    (`account_type=service`), which only the company's system administrator can approve."""
    _allow_plain_http_to_loopback()
    session = OAuth2Session(settings.FORTNOX_CLIENT_ID, redirect_uri=redirect_uri(), scope=scopes, state=state)
    extra = {"account_type": "service"} if service_account else {}
    url, _state = session.authorization_url(_url("/oauth-v1/auth"), access_type="offline", **extra)
    return url


def _token_request(call) -> TokenSet:
    try:
        return TokenSet.from_oauthlib(call())
    except OAuth2Error as exc:
        raise FortnoxOAuthError(exc.error, exc.description or "") from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise FortnoxTransientError(f"Fortnox token endpoint unreachable: {exc.__class__.__name__}") from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # oauthlib reads the answer as a well-formed token response and breaks on anything else
        # (an HTML page, a list, a cut-off body, a wrong type): a bad answer, not a bug of ours.
        raise FortnoxBadResponse(f"Fortnox token endpoint: unreadable answer ({exc.__class__.__name__})") from exc


def exchange_code(code: str) -> TokenSet:
    _allow_plain_http_to_loopback()
    # Closed at once: a kept-alive connection to the token endpoint has no later use.
    with OAuth2Session(settings.FORTNOX_CLIENT_ID, redirect_uri=redirect_uri()) as session:
        session.register_compliance_hook("access_token_response", _raise_on_server_error)
        return _token_request(lambda: session.fetch_token(
            _url("/oauth-v1/token"), code=code, auth=_client_auth(), timeout=settings.FORTNOX_TIMEOUT_SECONDS,
        ))


def refresh(refresh_token: str) -> TokenSet:
    """Exchange a (single-use) refresh token for a new token pair."""
    _allow_plain_http_to_loopback()
    with OAuth2Session(settings.FORTNOX_CLIENT_ID) as session:
        session.register_compliance_hook("refresh_token_response", _raise_on_server_error)
        return _token_request(lambda: session.refresh_token(
            _url("/oauth-v1/token"), refresh_token=refresh_token, auth=_client_auth(),
            timeout=settings.FORTNOX_TIMEOUT_SECONDS,
        ))


def client_credentials(tenant_id: str) -> TokenSet:
    """A service account's access token: client credentials plus the `TenantId` header (the
    company's DatabaseNumber). Works while the company's service-account consent stands;
    `FortnoxOAuthError("invalid_grant")` once it is revoked (or was never given)."""
    try:
        response = requests.post(
            _url("/oauth-v1/token"), auth=_client_auth(), timeout=settings.FORTNOX_TIMEOUT_SECONDS,
            data={"grant_type": "client_credentials"}, headers={"TenantId": str(tenant_id)},
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise FortnoxTransientError(f"Fortnox token endpoint unreachable: {exc.__class__.__name__}") from exc
    _raise_on_server_error(response)
    try:
        body = response.json()  # labelled text/html or text/plain by Fortnox at times: read it anyway
    except ValueError:
        raise FortnoxBadResponse(f"Fortnox token endpoint: {response.status_code} with a body that is not JSON") from None
    if not isinstance(body, dict):
        raise FortnoxBadResponse("Fortnox token endpoint: unreadable answer")
    if response.status_code >= 400 or "error" in body:
        raise FortnoxOAuthError(str(body.get("error") or response.status_code), str(body.get("error_description") or ""))
    try:
        return TokenSet.from_oauthlib(body)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise FortnoxBadResponse(f"Fortnox token endpoint: unreadable answer ({exc.__class__.__name__})") from exc


def revoke(refresh_token: str) -> None:
    """Tell Fortnox to forget the refresh token (and the authorization behind it)."""
    try:
        response = requests.post(
            _url("/oauth-v1/revoke"), auth=_client_auth(), timeout=settings.FORTNOX_TIMEOUT_SECONDS,
            data={"token_type_hint": "refresh_token", "token": refresh_token},
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise FortnoxTransientError(f"Fortnox revoke endpoint unreachable: {exc.__class__.__name__}") from exc
    _raise_on_server_error(response)
    if response.status_code == 401:
        raise FortnoxOAuthError("invalid_client")
    if response.status_code >= 400:
        raise FortnoxAuthError(f"Fortnox revoke answered {response.status_code}", status=response.status_code)
