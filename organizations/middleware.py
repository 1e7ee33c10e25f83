from contextvars import ContextVar

from django.utils import translation

from .mfa import require_mfa_setup
from .models import Membership, Organization

SESSION_KEY = "organization_id"
# The person whose request is running. Domain signals (hr, warehouse) do not carry who acted, yet a
# change Fortnox later refuses must be able to tell that person (integrations.core.outbox reads this).
_acting_user = ContextVar("acting_user", default=None)


def acting_user():
    """The logged-in user of the request being handled; None in jobs and for visitors."""
    return _acting_user.get()


def resolve_organization(request):
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


def activate_users_language(request, org) -> None:
    language = request.user.language or (org.language if org else None)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class CurrentOrganizationMiddleware:
    """Sets request.organization and request.membership, activates the user's language, and
    sends admins of organizations that require MFA to set it up before anything else."""

    MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/static/", "/sandbox/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _acting_user.set(request.user if request.user.is_authenticated else None)
        try:
            return self._handle(request)
        finally:
            _acting_user.reset(token)

    def _handle(self, request):
        org, membership = resolve_organization(request)
        request.organization, request.membership = org, membership
        if request.user.is_authenticated:
            activate_users_language(request, org)
            if org is not None and not request.path.startswith(self.MFA_EXEMPT_PREFIXES):
                refused = require_mfa_setup(request, org, membership)
                if refused is not None:
                    return refused
        return self.get_response(request)
