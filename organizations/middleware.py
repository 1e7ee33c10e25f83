from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .models import Membership, Organization

SESSION_KEY = "organization_id"


def _resolve(request):
    """The organization the user works in now, and their membership in it (None for superusers
    looking at an organization they do not belong to). Leaves all the user's memberships, by
    organization name, on `request.memberships` for the organization switcher."""
    user = request.user
    request.memberships = []
    if not user.is_authenticated:
        return None, None
    request.memberships = list(
        Membership.objects.filter(user=user).select_related("organization").order_by("organization__name", "organization_id")
    )
    memberships = {m.organization_id: m for m in request.memberships}
    wanted = request.session.get(SESSION_KEY)
    if wanted in memberships:
        return memberships[wanted].organization, memberships[wanted]
    if user.is_superuser and wanted:
        org = Organization.objects.filter(pk=wanted).first()
        if org:
            return org, None
    if memberships:
        first = request.memberships[0]
        return first.organization, first
    return None, None


class CurrentOrganizationMiddleware:
    """Sets request.organization and request.membership, activates the user's language, and
    sends admins of organizations that require MFA to set it up before anything else."""

    MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/static/", "/sandbox/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        org, membership = _resolve(request)
        request.organization, request.membership = org, membership
        if request.user.is_authenticated:
            language = request.user.language or (org.language if org else None)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            if membership is not None and membership.needs_mfa and not request.path.startswith(self.MFA_EXEMPT_PREFIXES):
                from allauth.mfa.models import Authenticator

                if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                    from django.contrib import messages
                    from django.utils.translation import gettext as _

                    messages.warning(
                        request,
                        _("%(org)s requires two-factor authentication for admins. Set up an authenticator app to continue.")
                        % {"org": org.name},
                    )
                    return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
