"""Project-wide guards: NUL characters never reach the database, every page carries a
Content-Security-Policy."""

import json

import pytest
from django.test import Client

from organizations.models import Invitation
from organizations.permissions import Role


@pytest.mark.parametrize("path", [
    "/org/invitations/%00/", "/org/invitations/abc%00def/", "/sandbox/fortnox/3/employees/%00",
    "/sandbox/fortnox/_control/companies/1/records/%00/",
])
def test_a_nul_in_the_address_is_a_bad_request(db, path):
    # PostgreSQL refused the lookup with DataError (a 500).
    response = Client().get(path)
    assert response.status_code == 400
    assert "character that is not allowed" in response.content.decode()


def test_a_nul_in_a_parameter_or_form_field_is_a_bad_request_and_changes_nothing(tenant, client_for):
    invitation = Invitation.objects.create(organization=tenant.organization, email="ny@example.se", role=Role.EMPLOYEE)
    assert Client().get("/accounts/login/", {"next": "/\x00"}).status_code == 400
    assert Client().post("/sandbox/fortnox/oauth-v1/token", {"grant_type": "authorization_code", "code": "a\x00b"}
                         ).status_code == 400
    response = Client().post(f"/org/invitations/{invitation.token}/", {
        "first_name": "A\x00", "last_name": "B", "password1": "a-long-secret-97", "password2": "a-long-secret-97"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert client_for(tenant.owner).post("/org/settings/", {"name\x00": "x"}).status_code == 400


def test_a_nul_escape_in_a_json_body_is_a_bad_request(db):
    response = Client().post("/sandbox/fortnox/3/employees", json.dumps({"Employee": {"FirstName": "A\u0000"}}),
                             content_type="application/json", headers={"Authorization": "Bearer x"})
    assert response.status_code == 400


def test_a_nul_in_a_cookie_never_reaches_the_session_table(db):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 400


def test_the_sandbox_token_endpoint_refuses_a_nul_in_the_basic_client_id(db):
    import base64

    credentials = base64.b64encode(b"brygga\x00:secret").decode()
    response = Client().post("/sandbox/fortnox/oauth-v1/token", {"grant_type": "authorization_code", "code": "x"},
                             headers={"Authorization": f"Basic {credentials}"})
    assert response.status_code == 401


def test_every_page_carries_a_content_security_policy_without_inline_script(db, settings):
    settings.FORTNOX_AUTH_BASE_URL = "https://apps.fortnox.se"
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["form-action"] == "'self' https://apps.fortnox.se"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
