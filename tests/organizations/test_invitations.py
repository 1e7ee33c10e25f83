"""Invitations: one pending invitation per address and organization, revocable by the admin and
listed with their roles; a link that was revoked or replaced says so when someone opens it."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from organizations.models import Invitation, Membership
from organizations.permissions import Role

NEW = "ny.person@example.se"
ACCEPT = {"first_name": "Nils", "last_name": "Ödmark", "password1": "a-long-secret-97", "password2": "a-long-secret-97"}


def invite(client, email=NEW, role=Role.EMPLOYEE):
    return client.post("/org/members/", {"email": email, "role": role})


def test_inviting_an_address_again_replaces_the_pending_invitation(tenant, client_for, client):
    admin = client_for(tenant.owner)
    invite(admin, role=Role.EMPLOYEE)
    first = Invitation.objects.get()
    invite(admin, email=NEW.upper(), role=Role.HR_ADMIN)

    pending = Invitation.objects.pending().filter(organization=tenant.organization)
    assert [(i.email, i.role) for i in pending] == [(NEW, Role.HR_ADMIN)]
    assert len(mail.outbox) == 2
    replaced = client.get(f"/org/invitations/{first.token}/")
    assert replaced.status_code == 404
    assert "A newer invitation to Alfa AB replaced this one" in replaced.content.decode()
    client.post(f"/org/invitations/{first.token}/", ACCEPT)
    assert not Membership.objects.filter(user__email=NEW).exists()


def test_the_members_page_lists_open_invitations_with_their_roles_and_an_admin_revokes_one(tenant, client_for, client):
    admin = client_for(tenant.owner)
    invite(admin, role=Role.WAREHOUSE)
    invitation = Invitation.objects.get()
    page = admin.get("/org/members/").content.decode()
    assert NEW in page and "Warehouse staff" in page

    response = admin.post(f"/org/invitations/{invitation.pk}/revoke/", follow=True)

    assert f"The invitation for {NEW} was revoked." in response.content.decode()
    assert NEW not in admin.get("/org/members/").content.decode().split("Invite a person")[1]
    revoked = client.get(f"/org/invitations/{invitation.token}/")
    assert "Alfa AB revoked this invitation" in revoked.content.decode()
    client.post(f"/org/invitations/{invitation.token}/", ACCEPT)
    assert not Membership.objects.filter(user__email=NEW).exists()


def test_an_invitation_revoked_while_the_acceptance_page_was_open_is_not_accepted(tenant, client_for, client):
    invite(client_for(tenant.owner))
    invitation = Invitation.objects.get()
    client.get(f"/org/invitations/{invitation.token}/")
    client_for(tenant.owner).post(f"/org/invitations/{invitation.pk}/revoke/")

    response = client.post(f"/org/invitations/{invitation.token}/", ACCEPT)

    assert "revoked this invitation" in response.content.decode()
    assert not Membership.objects.filter(user__email=NEW).exists()


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "warehouse"])
def test_only_organization_admins_revoke_invitations(tenant, client_for, role):
    invite(client_for(tenant.owner))
    invitation = Invitation.objects.get()
    assert client_for(getattr(tenant, role)).post(
        f"/org/invitations/{invitation.pk}/revoke/").status_code == 403
    assert Invitation.objects.pending().count() == 1


def test_another_organizations_invitation_cannot_be_revoked(tenant, other_tenant, client_for):
    invite(client_for(other_tenant.owner))
    invitation = Invitation.objects.get()
    assert client_for(tenant.owner).post(f"/org/invitations/{invitation.pk}/revoke/").status_code == 404
    assert Invitation.objects.pending().count() == 1


def test_the_database_holds_at_most_one_pending_invitation_per_address_and_organization(tenant, other_tenant):
    Invitation.objects.create(organization=tenant.organization, email=NEW, role=Role.EMPLOYEE)
    Invitation.objects.create(organization=other_tenant.organization, email=NEW, role=Role.EMPLOYEE)  # another organization
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(organization=tenant.organization, email=NEW.upper(), role=Role.MANAGER)
