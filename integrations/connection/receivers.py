from django.dispatch import receiver

from integrations.fortnox.signals import authorisation_lost
from organizations.stored_text import StoredText, gettext_noop

from .actions import do_consent_revoked, do_mark_needs_reauth

CONSENT_REVOKED = gettext_noop("The Fortnox company revoked Brygga's service account (consent). Fortnox said: %(reason)s")


@receiver(authorisation_lost, dispatch_uid="connection.authorisation_lost")
def mark_needs_reauth(sender, connection, reason, **kwargs):
    """The seam found the authorization gone: stop using it and tell the admins (once). For a
    service account that means the customer revoked its consent."""
    if connection.service_account:
        do_consent_revoked(connection, reason=StoredText(CONSENT_REVOKED, reason=reason))
    else:
        do_mark_needs_reauth(connection, reason=reason)
