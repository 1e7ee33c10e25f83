"""Fortnox's consent webhooks, as far as the seam knows them: who may send one and what it says.

Fortnox POSTs to the app's registered webhook URL when a customer creates or revokes a
service-account consent. Its body is not documented beyond carrying the TenantId (API-FACTS §1,
UNCONFIRMED); Brygga reads `{"event": "consent-created" | "consent-revoked", "tenantId": ...,
"clientId": ...}`, the body the sandbox sends. Nothing signs it, so a webhook is never trusted
by itself:

1. it must come from Fortnox's host: the addresses in `FORTNOX_WEBHOOK_SOURCES`, or, when that is
   empty, those the host of `FORTNOX_AUTH_BASE_URL` resolves to (`from_fortnox`);
2. it must name Brygga's own client id (`read`);
3. what it claims is confirmed with Fortnox before anything changes: the receiver asks for a
   client-credentials token for that TenantId (`tokens.consent_stands`), which is refused once
   the consent is revoked and given while it stands.

A forged "revoked" for a company that still consents therefore changes nothing, and a forged
"created" cannot connect anything that Fortnox does not let Brygga use.
"""

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CREATED = "consent-created"
REVOKED = "consent-revoked"
EVENTS = (CREATED, REVOKED)


class NotAWebhook(ValueError):
    """The body is not a consent webhook for Brygga's app."""


@dataclass(frozen=True)
class ConsentWebhook:
    event: str
    tenant_id: str


def _networks() -> list:
    sources = list(settings.FORTNOX_WEBHOOK_SOURCES)
    if not sources:
        host = urlsplit(settings.FORTNOX_AUTH_BASE_URL).hostname or ""
        try:
            sources = sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
        except OSError:
            sources = []
    networks = []
    for source in sources:
        try:
            networks.append(ipaddress.ip_network(source.split("%")[0], strict=False))
        except ValueError:
            continue
    return networks


def from_fortnox(remote_address: str) -> bool:
    """Whether a request from `remote_address` comes from Fortnox's configured host."""
    try:
        address = ipaddress.ip_address((remote_address or "").split("%")[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks())


def read(body: bytes) -> ConsentWebhook:
    """The webhook in `body`; NotAWebhook for anything else (another app's, unknown event)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotAWebhook("not JSON") from None
    if not isinstance(data, dict):
        raise NotAWebhook("not a JSON object")
    event, tenant, client_id = data.get("event"), data.get("tenantId"), data.get("clientId")
    if event not in EVENTS:
        raise NotAWebhook("unknown event")
    if client_id != settings.FORTNOX_CLIENT_ID:
        raise NotAWebhook("another app's webhook")
    if isinstance(tenant, bool) or not isinstance(tenant, int | str) or not (str(tenant).isascii() and str(tenant).isdigit()):
        raise NotAWebhook("no TenantId")
    return ConsentWebhook(event=event, tenant_id=str(int(tenant)))
