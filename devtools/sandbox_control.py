"""The Fortnox sandbox's JSON control API and consent page, driven over HTTP exactly as a person
or a test would (nothing of the sandbox is imported). For tests and benchmarks only."""

import re

import requests


class SandboxControl:
    """The sandbox's JSON control API and consent page, over HTTP (as a test or a person
    would use them; nothing of the sandbox is imported)."""

    def __init__(self, sandbox_url: str, key: str | None = None):
        from django.conf import settings

        self.url = sandbox_url.rstrip("/")
        self.key = settings.FORTNOX_SANDBOX_CONTROL_KEY if key is None else key

    def _call(self, verb: str, endpoint: str, **json):
        # Always a JSON body, even an empty one: the control API refuses writes that are not JSON.
        response = requests.request(verb, f"{self.url}/_control/api/{endpoint}", json=json, timeout=30,
                                    headers={"X-Sandbox-Control-Key": self.key} if self.key else {})
        response.raise_for_status()
        return response.json() if response.content else None

    def create_company(self, **fields) -> dict:
        return self._call("POST", "companies", **fields)

    def update_company(self, company: dict, **fields) -> dict:
        return self._call("PATCH", f"companies/{company['database_number']}", **fields)

    def create_user(self, company: dict, username: str = "", password: str = "sandbox-pw-1") -> dict:
        user = self._call("POST", f"companies/{company['database_number']}/users",
                          username=username or f"admin-{company['database_number']}", password=password)
        return {**user, "password": password}

    def in_fortnox(self, database_number: int, method: str, path: str, body: dict | None = None) -> dict:
        """A change made in Fortnox itself (no token, rate limit or faults): `{"status", "body"}`."""
        return self._call("POST", f"companies/{database_number}/fortnox", method=method, path=path, body=body)

    def stream_events(self, database_number: int, limit: int = 500) -> list[dict]:
        """The company's latest events on the stream, newest first."""
        return self._call("GET", f"companies/{database_number}/events?limit={limit}")["events"]

    def update_user(self, company: dict, username: str, **fields) -> dict:
        return self._call("PATCH", f"companies/{company['database_number']}/users/{username}", **fields)

    def update_client(self, client_id: str, **fields) -> dict:
        """An app's developer-portal settings: `service_accounts_allowed`, `webhook_url`."""
        return self._call("PATCH", f"clients/{client_id}", **fields)

    def consents(self, company: dict) -> list[dict]:
        """The company's service-account consents (the customer's integration settings)."""
        return self._call("GET", f"companies/{company['database_number']}/consents")["consents"]

    def revoke_consent(self, company: dict, client_id: str) -> bool:
        """The customer revokes an app's service account; the sandbox sends the consent webhook."""
        return self._call("POST", f"companies/{company['database_number']}/consents/{client_id}/revoke")["revoked"]

    def requests_with_status(self, company: dict, status: int) -> list[dict]:
        return [entry for entry in self.request_log(company) if entry["status"] == status]

    def records(self, company: dict, resource: str) -> list[dict]:
        return self._call("GET", f"companies/{company['database_number']}/records/{resource}")["records"]

    def request_log(self, company: dict) -> list[dict]:
        return self._call("GET", f"companies/{company['database_number']}/requests")["requests"]

    def consent(self, authorization_url: str, user: dict, action: str = "approve") -> str:
        """Log in on the consent page and press Approve (or Deny); the URL the sandbox sends the
        browser back to (the app's callback with `code` or `error`, and `state`)."""
        page = self.answer_consent(authorization_url, user, action)
        if page.status_code != 302:
            raise RuntimeError(f"the consent page did not redirect back (status {page.status_code})")
        return page.headers["Location"]

    def answer_consent(self, authorization_url: str, user: dict, *actions: str) -> requests.Response:
        """Log in on the consent page and press each of `actions` in turn ("approve", "deny");
        the last answer of the page (a redirect back to the app, or the page with its message)."""
        with requests.Session() as browser:
            page = browser.get(authorization_url, timeout=30)
            steps = [{"action": "login", "username": user["username"], "password": user["password"]}]
            for step in [*steps, *({"action": action} for action in actions or ("approve",))]:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                data = {**step, **({"csrfmiddlewaretoken": token.group(1)} if token else {})}
                page = browser.post(authorization_url, data=data, allow_redirects=False, timeout=30,
                                    headers={"Referer": authorization_url})
        return page
