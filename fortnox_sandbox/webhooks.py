"""Consent webhooks: Fortnox POSTs "consent created" and "consent revoked" to the URL an app
registers in the developer portal (API-FACTS §10, body format UNCONFIRMED; the body chosen
here is in the README). Delivery happens on a background thread after the change is
committed, so the request that caused it never waits, and it is retried a bounded number of
times; a delivery that never succeeds is logged as an error, never dropped quietly."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone

from .models import settings_value

logger = logging.getLogger(__name__)

CREATED = "consent-created"
REVOKED = "consent-revoked"


def consent_body(event: str, consent) -> dict:
    return {"event": event, "tenantId": consent.company.database_number, "clientId": consent.client.client_id,
            "timestamp": timezone.now().isoformat()}


def delays() -> list[float]:
    """Seconds before each retry: their number bounds the retries (tests shorten them)."""
    return [float(d) for d in settings_value("WEBHOOK_RETRY_DELAYS", (1, 5, 30))]


def send_consent_webhook(event: str, consent):
    """Queues the webhook for after the surrounding transaction commits (a receiver that asks
    for a token at once must find the consent); nothing is sent without a registered URL."""
    url = consent.client.webhook_url
    if not url:
        return
    body = json.dumps(consent_body(event, consent)).encode()
    transaction.on_commit(
        lambda: threading.Thread(target=deliver, args=(url, body), name=f"sandbox-{event}", daemon=True).start()
    )


def deliver(url: str, body: bytes) -> bool:
    """First attempt at once, then one per delay; any 2xx answer counts as delivered."""
    waits = [0.0, *delays()]
    for attempt, wait in enumerate(waits, start=1):
        time.sleep(wait)
        try:
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=settings_value("WEBHOOK_TIMEOUT_SECONDS", 10)) as answer:
                if 200 <= answer.status < 300:
                    return True
                problem = f"HTTP {answer.status}"
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            problem = str(error)
        logger.warning("Consent webhook to %s failed (attempt %d of %d): %s", url, attempt, len(waits), problem)
    logger.error("Consent webhook to %s was not delivered after %d attempts; giving up.", url, len(waits))
    return False
