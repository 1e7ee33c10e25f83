"""One Fortnox company, one organization (issue 24): two organizations connected to one company
would each pull every order and push every absence, so everything would be handled twice."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from integrations.core.models import FortnoxConnection
from integrations.fortnox import oauth
from organizations.middleware import SESSION_KEY
from organizations.models import Notification, User
from tests.support.fortnox import path_of, start_and_consent


def connect_again(client, sandbox, company):
    return client.get(start_and_consent(client, sandbox, company))


def test_a_second_organization_connecting_a_company_already_connected_is_refused_with_the_holders_name(
        connection, sandbox, fortnox_company, other_tenant, client_for):
    refused = connect_again(client_for(other_tenant.owner), sandbox, fortnox_company)
    page = refused.content.decode()
    assert refused.status_code == 409
    assert "already connected to the organization Alfa AB" in page and "Sandlådan AB" in page
    assert "Move the Fortnox company here" not in page  # only a superuser may move it
    second = FortnoxConnection.objects.get(organization=other_tenant.organization)
    assert second.status == FortnoxConnection.Status.DISCONNECTED and second.tenant_id == "" and not second.refresh_token
    connection.refresh_from_db()
    assert connection.is_connected and connection.tenant_id == str(fortnox_company.database_number)


def test_the_database_holds_one_organization_per_company_even_when_two_connect_at_the_same_moment(connection, other_tenant):
    with pytest.raises(IntegrityError):
        FortnoxConnection.objects.create(organization=other_tenant.organization, tenant_id=connection.tenant_id)


def test_an_organization_admin_cannot_move_a_company_another_organization_holds(connection, other_tenant, client_for):
    response = client_for(other_tenant.owner).post(
        reverse("fortnox_take_over"), {"tenant_id": connection.tenant_id, "confirmed": "1"})
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.is_connected


def test_a_superuser_moves_a_company_to_another_organization_only_after_confirming(
        connection, sandbox, fortnox_company, tenant, other_tenant, client_for):
    superuser = client_for(User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1"))
    session = superuser.session
    session[SESSION_KEY] = other_tenant.organization.pk
    session.save()
    holders_grant = connection.refresh_token

    refused = connect_again(superuser, sandbox, fortnox_company).content.decode()
    assert "already connected to the organization Alfa AB" in refused and "Move the Fortnox company here" in refused
    unconfirmed = superuser.post(reverse("fortnox_take_over"), {"tenant_id": connection.tenant_id})
    assert unconfirmed["Location"] == reverse("fortnox_connection")
    connection.refresh_from_db()
    assert connection.is_connected

    started = superuser.post(reverse("fortnox_take_over"), {"tenant_id": connection.tenant_id, "confirmed": "1"})
    finished = superuser.get(path_of(sandbox.consent(started["Location"], fortnox_company.user)))
    assert finished["Location"] == reverse("fortnox_connection")
    moved = FortnoxConnection.objects.get(organization=other_tenant.organization)
    assert moved.is_connected and moved.tenant_id == str(fortnox_company.database_number)
    connection.refresh_from_db()
    assert connection.status == FortnoxConnection.Status.DISCONNECTED and connection.tenant_id == ""
    with pytest.raises(oauth.FortnoxOAuthError):
        oauth.refresh(holders_grant)  # the organization that held it no longer has a grant at Fortnox
    told = Notification.objects.get(organization=tenant.organization, user=tenant.owner)
    assert "Beta AB" in told.body and "Sandlådan AB" in told.body


def test_a_confirmed_move_takes_only_the_company_named_in_it(
        connection, sandbox, make_company, fortnox_company, other_tenant, client_for):
    superuser = client_for(User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1"))
    session = superuser.session
    session[SESSION_KEY] = other_tenant.organization.pk
    session.save()
    started = superuser.post(reverse("fortnox_take_over"), {"tenant_id": "999999", "confirmed": "1"})
    refused = superuser.get(path_of(sandbox.consent(started["Location"], fortnox_company.user)))
    assert refused.status_code == 409
    connection.refresh_from_db()
    assert connection.is_connected


def test_a_re_connect_to_a_company_another_organization_has_is_refused_and_the_working_connection_stays(
        connection, sandbox, make_company, fortnox_company, tenant, other_tenant, client_for):
    from tests.support.fortnox import fetch

    other_company = make_company(name="Annat AB", organisation_number="556677-8899")
    connect_again(client_for(other_tenant.owner), sandbox, other_company)
    before = (connection.tenant_id, connection.refresh_token)

    refused = connect_again(client_for(tenant.owner), sandbox, other_company).content.decode()

    assert "already connected to the organization Beta AB" in refused
    assert "Your existing connection to Sandlådan AB is unchanged and still works." in refused
    connection.refresh_from_db()
    assert connection.is_connected and (connection.tenant_id, connection.refresh_token) == before
    assert fetch(connection)["CompanyName"] == "Sandlådan AB"
