"""Writes with side effects, one small function each."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, Membership, Organization, User
from .stored_text import StoredText


def do_invite_member(organization, email, role, invited_by) -> Invitation:
    """Invites `email` with `role`; a pending invitation for the same address is replaced (its
    link then says so), so the role chosen last is the one the person gets."""
    with transaction.atomic():
        # One invitation at a time per organization: two admins (or a double click) inviting the
        # same address at once would otherwise both find no pending invitation to replace.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        Invitation.objects.pending().filter(organization=organization, email__iexact=email).update(
            revoked_at=timezone.now(), revocation=Invitation.Revocation.REPLACED,
        )
        invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=invited_by)
    url = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    with translation.override(organization.language):
        context = {"invitation": invitation, "url": url}
        send_mail(
            subject=render_to_string("organizations/email/invitation_subject.txt", context).strip(),
            message=render_to_string("organizations/email/invitation_body.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return invitation


class InvitationUsedUp(Exception):
    """Accepted, revoked, replaced or expired between showing the page and pressing the button;
    `invitation` (as it is now) says which."""

    def __init__(self, invitation):
        super().__init__(f"invitation {invitation.pk} cannot be used")
        self.invitation = invitation


def do_revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.pending().filter(pk=invitation.pk).update(
        revoked_at=timezone.now(), revocation=Invitation.Revocation.REVOKED,
    )


@transaction.atomic
def do_accept_invitation(invitation: Invitation, user) -> Membership:
    """Raises InvitationUsedUp when the invitation was accepted, revoked, replaced or expired since
    the person opened it."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationUsedUp(invitation)
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def do_join_by_invitation(invitation: Invitation, form) -> User:
    """A person without an account accepts: the account and the membership come together or not at
    all (an invitation used up meanwhile must not leave an account behind that belongs nowhere)."""
    user = form.save(commit=False)
    user.set_password(form.cleaned_data["password1"])
    user.language = invitation.organization.language
    user.save()
    do_accept_invitation(invitation, user)
    return user


def do_change_role(membership: Membership, role) -> Membership:
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def do_remove_member(membership: Membership) -> None:
    membership.delete()


def do_notify(organization, users, *, title_template, body_template, context=None, link="", level="info", email=True):
    """Tell people something: an in-app notification each, and (optionally) an email, both
    rendered in each recipient's own language. Templates get `recipient` and `organization`."""
    from .models import Notification, language_for

    created = []
    for user in users:
        ctx = {**(context or {}), "recipient": user, "organization": organization, "link": link, "site_url": settings.SITE_URL}
        # In every language for the bell (read in whichever the person reads later), in theirs for the email.
        title = StoredText.each_language(_rendered, title_template, ctx)
        body = StoredText.each_language(_rendered, body_template, ctx)
        created.append(Notification(organization=organization, user=user, level=level, title=title, body=body, link=link))
        if email and user.email:
            with translation.override(language_for(user, organization)):
                send_mail(subject=str(title), message=str(body), from_email=None, recipient_list=[user.email])
    return Notification.objects.bulk_create(created)


def _rendered(template: str, context: dict) -> str:
    return render_to_string(template, context).strip()


def do_mark_notifications_read(user, organization, ids=None) -> int:
    from .models import Notification

    unread = Notification.objects.filter(user=user, organization=organization, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
