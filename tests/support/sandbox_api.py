"""Talking to the sandbox from inside the test process (Django's test client, no live server): a
client that sends a Bearer token and JSON, the OAuth endpoints as an app and a browser use them,
and records made through the API itself."""

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.test import Client

API = "/sandbox/fortnox/"
# Every scope the warehouse and the event stream need: for tests about rules, not about scopes.
ALL_SCOPES = "article customer supplier order invoice warehouse companyinformation"


def basic(client_id=None, secret=None) -> str:
    raw = f"{client_id or settings.FORTNOX_CLIENT_ID}:{secret or settings.FORTNOX_CLIENT_SECRET}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Api:
    """A test client that sends a Bearer token and JSON."""

    def __init__(self, access_token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {access_token}"}

    def get(self, tail, params=None, **headers):
        return self.client.get(API + tail, params or {}, headers={**self.headers, **headers})

    def post(self, tail, body):
        return self.client.post(API + tail, body, content_type="application/json", headers=self.headers)

    def put(self, tail, body=None):
        return self.client.put(API + tail, body or {}, content_type="application/json", headers=self.headers)

    def delete(self, tail):
        return self.client.delete(API + tail, headers=self.headers)


CALLBACK = f"{settings.SITE_URL}/integrations/fortnox/callback/"


def auth_params(**overrides):
    params = {"client_id": settings.FORTNOX_CLIENT_ID, "redirect_uri": CALLBACK, "scope": "salary companyinformation",
              "state": "st-123", "access_type": "offline", "response_type": "code"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def logged_in_browser(sandbox_user) -> Client:
    browser = Client()
    browser.post(API + "oauth-v1/auth?" + as_query(auth_params()), {"action": "login", "username": sandbox_user.username,
                                                                  "password": "sandbox-pw"})
    return browser


def as_query(params):
    return urlencode(params)


def approve(browser, **overrides) -> dict:
    response = browser.post(API + "oauth-v1/auth?" + as_query(auth_params(**overrides)), {"action": "approve"})
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


def body(response) -> dict:
    """Token-endpoint errors are JSON labelled text/html or text/plain, as live."""
    return json.loads(response.content)


def exchange(code, redirect_uri=CALLBACK, authorization=None):
    return Client().post(API + "oauth-v1/token", {"grant_type": "authorization_code", "code": code,
                                                  "redirect_uri": redirect_uri},
                         headers={"Authorization": authorization or basic()})


CONTROL = API + "_control/api/"


def control(method, path, body=None, key=None, **extra):
    """The control API as the test suite uses it: JSON with the control key (the test settings' own)."""
    key = settings.FORTNOX_SANDBOX_CONTROL_KEY if key is None else key
    headers = {"X-Sandbox-Control-Key": key} if key else {}
    return getattr(Client(), method)(CONTROL + path, json.dumps(body) if body is not None else None,
                                     content_type="application/json", headers=headers, **extra)


def client_credentials(tenant_id, authorization=None):
    """A service account's token request: client credentials plus the TenantId header."""
    headers = {"Authorization": authorization or basic()}
    if tenant_id is not None:
        headers["TenantId"] = str(tenant_id)
    return Client().post(API + "oauth-v1/token", {"grant_type": "client_credentials"}, headers=headers)


def refresh(refresh_token):
    return Client().post(API + "oauth-v1/token", {"grant_type": "refresh_token", "refresh_token": refresh_token},
                         headers={"Authorization": basic()})



ANNA = {"FirstName": "Anna", "LastName": "Berg", "Email": "anna@example.se"}


def create_employee(api, **fields):
    response = api.post("3/employees", {"Employee": {**ANNA, **fields}})
    assert response.status_code == 201, response.content
    return response.json()["Employee"]


def error_code(response) -> int:
    info = response.json()["ErrorInformation"]
    return info.get("code", info.get("Code"))
