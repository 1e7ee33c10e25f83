from django.dispatch import receiver

from integrations.fortnox.signals import authorisation_lost

from .actions import do_mark_needs_reauth


@receiver(authorisation_lost, dispatch_uid="connection.authorisation_lost")
def mark_needs_reauth(sender, connection, reason, **kwargs):
    """The seam found the authorization gone: stop using it and tell the admins (once)."""
    do_mark_needs_reauth(connection, reason=reason)
