"""An organization that requires MFA for its admins: an admin without an authenticator can set one
up (background requests stay out of the activation flow, the secret holds still), and a superuser
gets no way around the rule."""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from integrations.connection.views import OAUTH_SESSION_KEY
from organizations.middleware import SESSION_KEY

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_required(tenant):
    tenant.organization.require_mfa_for_admins = True
    tenant.organization.save(update_fields=["require_mfa_for_admins"])
    return tenant


def logged_in(user) -> Client:
    """Logged in through the login page and confirmed with the password again, as allauth's
    activation asks."""
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": "pw-for-tests-1"}).status_code == 302
    assert client.post("/accounts/reauthenticate/", {"password": "pw-for-tests-1"}).status_code == 302
    return client


def secret_on(page) -> str:
    field = re.search(r'<input[^>]*id="authenticator_secret"[^>]*>', page).group(0)
    return re.search(r'value="([A-Z2-7=]+)"', field).group(1)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_the_bells_poll_and_the_favicon_of_an_admin_without_an_authenticator_are_not_sent_to_the_activation_page(mfa_required):
    admin = logged_in(mfa_required.owner)
    bell = admin.get("/org/notifications/bell/", HTTP_HX_REQUEST="true", HTTP_SEC_FETCH_MODE="cors", HTTP_SEC_FETCH_DEST="empty")
    favicon = admin.get("/favicon.ico", HTTP_SEC_FETCH_MODE="no-cors", HTTP_SEC_FETCH_DEST="image", HTTP_ACCEPT="image/avif,image/webp,*/*")
    image = admin.get("/hr/employees/", HTTP_ACCEPT="image/webp,*/*")  # no Sec-Fetch headers: an older browser's image request
    for response in (bell, favicon, image):
        assert response.status_code == 403
        assert "Location" not in response
    page = admin.get("/hr/employees/", HTTP_SEC_FETCH_MODE="navigate", HTTP_SEC_FETCH_DEST="document", HTTP_ACCEPT="text/html")
    assert page.status_code == 302 and page.url == ACTIVATE


def test_an_admin_activates_totp_with_the_secret_first_shown_although_the_page_was_loaded_again_meanwhile(mfa_required):
    admin = logged_in(mfa_required.owner)
    first = admin.get(ACTIVATE).content.decode()
    secret = secret_on(first)
    admin.get("/org/notifications/bell/", HTTP_HX_REQUEST="true")
    assert secret_on(admin.get(ACTIVATE).content.decode()) == secret

    response = admin.post(ACTIVATE, {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=mfa_required.owner, type=Authenticator.Type.TOTP).exists()
    assert admin.get("/").status_code == 200


def test_a_superuser_who_is_not_a_member_must_set_up_mfa_before_browsing_an_organization_that_requires_it(mfa_required, outsider):
    outsider.is_superuser = outsider.is_staff = True
    outsider.save(update_fields=["is_superuser", "is_staff"])
    superuser = logged_in(outsider)
    session = superuser.session
    session[SESSION_KEY] = mfa_required.organization.pk
    session.save()

    response = superuser.get("/hr/employees/")

    assert response.status_code == 302 and response.url == ACTIVATE


def test_a_superuser_cannot_activate_fortnox_for_an_organization_that_requires_mfa_without_an_authenticator(mfa_required, other_tenant, outsider):
    outsider.is_superuser = outsider.is_staff = True
    outsider.save(update_fields=["is_superuser", "is_staff"])
    superuser = logged_in(outsider)

    response = superuser.post("/integrations/fortnox/activate/", {"organization": mfa_required.organization.pk})

    assert response.status_code == 302 and response.url == ACTIVATE
    assert OAUTH_SESSION_KEY not in superuser.session
    # Nothing stands in the way where MFA is not required.
    assert superuser.post("/integrations/fortnox/activate/", {"organization": other_tenant.organization.pk}).status_code == 302
    assert OAUTH_SESSION_KEY in superuser.session
