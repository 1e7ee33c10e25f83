from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """People join Brygga through an organization admin's invitation, never by open sign-up."""

    def is_open_for_signup(self, request):
        return False
