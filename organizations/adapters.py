from allauth.account.adapter import DefaultAccountAdapter

from .middleware import activate_users_language, resolve_organization


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """People join Brygga through an organization admin's invitation, never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        super().login(request, user)
        # The middleware chose the language while the visitor was still anonymous; the "signed
        # in" message is rendered in this same request, so it must already be in theirs.
        org, _membership = resolve_organization(request)
        activate_users_language(request, org)
