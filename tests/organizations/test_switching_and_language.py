from django.utils import translation

from organizations.models import Membership
from organizations.permissions import Role


def test_a_user_in_two_organizations_switches_between_them(tenant, other_tenant, client_for):
    Membership.objects.create(user=tenant.manager, organization=other_tenant.organization, role=Role.EMPLOYEE)
    client = client_for(tenant.manager)
    assert "Alfa AB" in client.get("/").content.decode()
    client.post("/org/switch/", {"organization": other_tenant.organization.pk})
    page = client.get("/").content.decode()
    assert "<h1>Beta AB</h1>" in page


def test_switching_to_an_organization_one_does_not_belong_to_is_not_found(tenant, other_tenant, client_for):
    client = client_for(tenant.owner)
    assert client.post("/org/switch/", {"organization": other_tenant.organization.pk}).status_code == 404
    assert "<h1>Alfa AB</h1>" in client.get("/").content.decode()


def test_a_garbage_organization_id_gets_a_message_not_an_error(tenant, client_for):
    response = client_for(tenant.owner).post("/org/switch/", {"organization": "'; drop"}, follow=True)
    assert response.status_code == 200
    assert "Choose an organization" in response.content.decode()


def test_switching_never_redirects_to_another_site(tenant, client_for):
    response = client_for(tenant.owner).post("/org/switch/", {"organization": tenant.organization.pk, "next": "https://evil.example/"})
    assert response.url == "/"


def test_a_next_that_is_a_bare_word_goes_to_that_relative_address_not_an_error(tenant, client_for):
    # redirect() would have taken "abc" for a URL pattern name and crashed with NoReverseMatch.
    response = client_for(tenant.owner).post("/org/switch/", {"organization": tenant.organization.pk, "next": "abc"})
    assert response.status_code == 302 and response.url == "abc"


def test_an_organization_id_too_big_for_the_database_is_not_found(tenant, client_for):
    response = client_for(tenant.owner).post("/org/switch/", {"organization": "9" * 23})
    assert response.status_code == 404


def test_the_menu_follows_the_role(tenant, client_for):
    admin_page = client_for(tenant.owner).get("/").content.decode()
    employee_page = client_for(tenant.employee).get("/").content.decode()
    assert 'href="/org/members/"' in admin_page
    assert 'href="/org/members/"' not in employee_page


def test_the_users_own_language_wins_over_the_organizations(tenant, client_for):
    client = client_for(tenant.employee)
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/org/preferences/", {"language": "sv"})
    page = client.get("/").content.decode()
    assert '<html lang="sv">' in page
    assert "Logga ut" in page


def test_without_a_personal_choice_the_organizations_language_applies(tenant, client_for):
    tenant.organization.language = "sv"
    tenant.organization.save(update_fields=["language"])
    assert '<html lang="sv">' in client_for(tenant.employee).get("/").content.decode()


def test_a_language_chosen_on_the_login_page_is_kept_after_signing_in(tenant, client):
    tenant.employee.language = "sv"  # an older preference
    tenant.employee.save(update_fields=["language"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.post("/accounts/login/", {"login": tenant.employee.email, "password": "pw-for-tests-1"}, follow=True)
    assert "Successfully signed in" in response.content.decode()
    assert '<html lang="en">' in client.get("/").content.decode()
    tenant.employee.refresh_from_db()
    assert tenant.employee.language == "en"


def test_saving_preferences_says_so_in_the_language_just_chosen_and_the_next_sign_in_keeps_it(tenant, client):
    client.post("/accounts/login/", {"login": tenant.employee.email, "password": "pw-for-tests-1"})
    page = client.post("/org/preferences/", {"language": "sv"}, follow=True).content.decode()
    with translation.override("sv"):
        saved = translation.gettext("Your preferences were saved.")
    assert saved != "Your preferences were saved." and saved in page
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": tenant.employee.email, "password": "pw-for-tests-1"})
    assert '<html lang="sv">' in client.get("/").content.decode()  # no stale switcher cookie undoes the choice
