"""An organization's rule "require MFA for admins": who it applies to, and setting it up without
being locked out by one's own browser."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal import auth
from django import forms
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def must_set_up_mfa(user, organization, membership) -> bool:
    """Is `user` held back from working in `organization` until they set up an authenticator app?
    A superuser may do everything an admin may, so the rule holds for them too."""
    if organization is None or not organization.require_mfa_for_admins:
        return False
    if not (user.is_superuser or (membership is not None and membership.is_admin)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_navigation(request) -> bool:
    """Did the person ask for a page (rather than the browser for a favicon or an image, or htmx
    polling the bell)? Only a page may be answered with the activation page: every other request
    that follows a redirect there would load it again behind the person's back."""
    if request.headers.get("HX-Request"):
        return False
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode is not None:
        return mode == "navigate"
    accept = request.headers.get("Accept")
    return accept is None or "text/html" in accept


def require_mfa_setup(request, organization, membership):
    """The answer to a person who must set up MFA in `organization` (where they hold `membership`,
    or none) before working there, or None to go on."""
    if not must_set_up_mfa(request.user, organization, membership):
        return None
    message = _("%(org)s requires two-factor authentication for admins. Set up an authenticator app to continue.") % {
        "org": organization.name
    }
    if not is_navigation(request):
        return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    messages.warning(request, message)
    return redirect("mfa_activate_totp")


class StableActivateTOTPForm(ActivateTOTPForm):
    """allauth's activation form makes a new secret on every GET, so loading the page again (or
    another tab doing it) silently invalidates the QR code already scanned. The secret made first
    is kept in the session until activation succeeds (allauth clears it then)."""

    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = auth.get_totp_secret(regenerate=False)
