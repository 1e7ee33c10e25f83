"""Writes with side effects, one small function each."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, Membership


def do_invite_member(organization, email, role, invited_by) -> Invitation:
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


@transaction.atomic
def do_accept_invitation(invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def do_change_role(membership: Membership, role) -> Membership:
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def do_remove_member(membership: Membership) -> None:
    membership.delete()
