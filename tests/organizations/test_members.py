from django.core import mail
from django.db.models.signals import pre_save
from django.utils import timezone

from organizations.models import Invitation, Membership, User
from organizations.permissions import Role


def test_an_admin_invites_a_person_who_gets_an_email_with_a_link(tenant, client_for):
    response = client_for(tenant.owner).post("/org/members/", {"email": "New.Person@Example.se", "role": Role.MANAGER})
    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=tenant.organization)
    assert invitation.email == "new.person@example.se"
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.person@example.se"]


def test_inviting_an_existing_member_is_refused_with_a_message(tenant, client_for):
    response = client_for(tenant.owner).post("/org/members/", {"email": tenant.employee.email.upper(), "role": Role.MANAGER})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_person_accepts_an_invitation_by_choosing_a_password(tenant, client):
    invitation = Invitation.objects.create(organization=tenant.organization, email="ny@example.se", role=Role.WAREHOUSE)
    response = client.post(f"/org/invitations/{invitation.token}/", {
        "first_name": "Nils", "last_name": "Ödmark", "password1": "a-long-secret-97", "password2": "a-long-secret-97",
    })
    assert response.status_code == 302
    user = User.objects.get(email="ny@example.se")
    assert Membership.objects.get(user=user).role == Role.WAREHOUSE
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get("/").status_code == 200


def test_an_invitation_works_only_once(tenant, client):
    invitation = Invitation.objects.create(organization=tenant.organization, email="ny@example.se", role=Role.EMPLOYEE)
    data = {"first_name": "A", "last_name": "B", "password1": "a-long-secret-97", "password2": "a-long-secret-97"}
    client.post(f"/org/invitations/{invitation.token}/", data)
    client.logout()
    assert client.get(f"/org/invitations/{invitation.token}/").status_code == 404


def test_an_existing_user_accepts_after_logging_in_and_joins_a_second_organization(tenant, other_tenant, client_for):
    invitation = Invitation.objects.create(
        organization=other_tenant.organization, email=tenant.hr_admin.email, role=Role.MANAGER
    )
    client = client_for(tenant.hr_admin)
    assert client.post(f"/org/invitations/{invitation.token}/").status_code == 302
    assert set(tenant.hr_admin.memberships.values_list("organization__name", flat=True)) == {"Alfa AB", "Beta AB"}


def test_an_invitation_for_someone_else_is_not_accepted_by_the_logged_in_user(tenant, client_for):
    invitation = Invitation.objects.create(organization=tenant.organization, email="someone@else.se", role=Role.ORG_ADMIN)
    client_for(tenant.employee).post(f"/org/invitations/{invitation.token}/")
    assert not Membership.objects.filter(user=tenant.employee, role=Role.ORG_ADMIN).exists()


def test_the_last_organization_admin_cannot_be_demoted(tenant, client_for):
    own = Membership.objects.get(user=tenant.owner, organization=tenant.organization)
    response = client_for(tenant.owner).post(f"/org/members/{own.pk}/role/", {"role": Role.EMPLOYEE}, follow=True)
    assert "at least one organization admin" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ORG_ADMIN


def test_an_admin_changes_a_members_role(tenant, client_for):
    target = Membership.objects.get(user=tenant.employee, organization=tenant.organization)
    client_for(tenant.owner).post(f"/org/members/{target.pk}/role/", {"role": Role.MANAGER})
    target.refresh_from_db()
    assert target.role == Role.MANAGER


def test_an_admin_cannot_remove_themselves(tenant, client_for):
    own = Membership.objects.get(user=tenant.owner, organization=tenant.organization)
    client_for(tenant.owner).post(f"/org/members/{own.pk}/remove/")
    assert Membership.objects.filter(pk=own.pk).exists()


def test_organization_settings_refuse_an_invalid_organisation_number(tenant, client_for):
    response = client_for(tenant.owner).post("/org/settings/", {
        "name": "Alfa AB", "organisation_number": "556000-0000", "language": "sv",
    })
    assert response.status_code == 200
    assert "not a valid Swedish organisation number" in response.content.decode()


def test_a_new_persons_account_is_made_in_the_same_transaction_as_the_acceptance(tenant, client):
    """Someone else accepts the invitation while the form is being sent (here: the moment the new
    account is saved). The late acceptance is refused and leaves no account behind."""
    invitation = Invitation.objects.create(organization=tenant.organization, email="ny@example.se", role=Role.EMPLOYEE)

    def accepted_meanwhile(sender, instance, **kwargs):
        if instance.email == "ny@example.se":
            Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    pre_save.connect(accepted_meanwhile, sender=User)
    try:
        response = client.post(f"/org/invitations/{invitation.token}/", {
            "first_name": "A", "last_name": "B", "password1": "a-long-secret-97", "password2": "a-long-secret-97"})
    finally:
        pre_save.disconnect(accepted_meanwhile, sender=User)
    assert response.status_code == 404 and "cannot be used" in response.content.decode()
    assert not User.objects.filter(email="ny@example.se").exists()
    assert client.get("/").status_code == 302  # not logged in
