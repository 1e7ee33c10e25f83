"""Malformed and hostile Fortnox responses — wrong types, missing keys, huge strings, HTML error
pages, truncated JSON, bytes that are not text — served by a tiny HTTP server started in the
test: a stand-in for a broken Fortnox (or a proxy in front of it), which the sandbox, being a
faithful Fortnox, will not imitate. Brygga must answer each with a typed Fortnox error or read
what it can, record a clear error, lose nothing, and never crash a run."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from integrations.fortnox.client import FortnoxClient, unwrap
from integrations.fortnox.errors import FortnoxError
from integrations.hr_sync import do_plan_user_sync
from integrations.models import FortnoxConnection
from integrations.sync_models import SyncRun

EXAMPLES = hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class BrokenFortnox(ThreadingHTTPServer):
    """Answers every request with `self.reply`: (status, content type, body bytes)."""

    daemon_threads = True
    reply = (200, "application/json", b"{}")


class _Handler(BaseHTTPRequestHandler):
    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, content_type, body = self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def broken_fortnox(settings, monkeypatch):
    server = BrokenFortnox(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FORTNOX_API_BASE_URL = settings.FORTNOX_AUTH_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    # Time compressed: the stand-in has no rate limit to respect, and the client's pauses between
    # retries (after a 5xx or a 429) are cut to nothing; the retries themselves still happen.
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 100_000, 0.01
    monkeypatch.setattr(FortnoxClient, "_sleep_backoff", lambda client, attempt: None)
    yield server
    server.shutdown()
    server.server_close()


def fresh_connection(organization) -> FortnoxConnection:
    """A connected organization for each example: an example answering 401 leaves the connection
    needing re-authorization (as it must), which would cut every later example short."""
    FortnoxConnection.objects.filter(organization=organization).delete()
    return FortnoxConnection.objects.create(
        organization=organization, status=FortnoxConnection.Status.CONNECTED, access_token="access",
        refresh_token="refresh", expires_at=timezone.now() + timedelta(hours=1), connected_at=timezone.now(),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
employee_documents = st.fixed_dictionaries({}, optional={
    "EmployeeId": json_values | st.text(max_size=8), "FirstName": json_values, "LastName": json_values,
    "Email": json_values | st.emails(), "Phone1": json_values, "City": st.integers(min_value=10_000, max_value=100_000).map(lambda n: "Ö" * n),
    "ClearingNo": json_values, "BankAccountNo": json_values, "EmploymentDate": json_values,
})
documents = (
    json_values
    | st.fixed_dictionaries({"Employee": json_values | employee_documents})
    | st.fixed_dictionaries({"Employees": st.lists(employee_documents | json_values, max_size=5),
                             "MetaInformation": json_values | st.fixed_dictionaries({"@TotalPages": json_values})})
    | st.fixed_dictionaries({"ErrorInformation": st.fixed_dictionaries({"code": json_values, "message": json_values})})
)


def as_bytes(document) -> bytes:
    return json.dumps(document).encode()


bodies = st.one_of(
    documents.map(as_bytes),
    st.tuples(documents.map(as_bytes), st.integers(min_value=1)).map(lambda pair: pair[0][: pair[1] % max(1, len(pair[0]))]),
    st.just(b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"),
    st.binary(max_size=200),
)
replies = st.tuples(
    st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503]),
    st.sampled_from(["application/json", "text/html; charset=utf-8", "text/plain"]),
    bodies,
)


@EXAMPLES
@given(reply=replies)
def test_the_client_answers_any_response_with_data_or_a_typed_fortnox_error(broken_fortnox, tenant, reply):
    broken_fortnox.reply = reply
    client = FortnoxClient(fresh_connection(tenant.organization), max_attempts=1)
    for call in (lambda: client.get("/3/employees/1"), lambda: list(client.iterate("/3/employees")),
                 lambda: client.put("/3/employees/1", {"Employee": {"Phone1": "070"}})):
        try:
            call()
        except FortnoxError as error:
            assert str(error.user_message)  # something a person can read


@EXAMPLES
@given(reply=replies)
def test_planning_a_user_sync_against_any_response_records_a_plan_or_a_clear_error(broken_fortnox, tenant, reply):
    broken_fortnox.reply = reply
    fresh_connection(tenant.organization)
    try:
        run = do_plan_user_sync(tenant.organization, acting_user=None)
    except FortnoxError:
        run = SyncRun.objects.filter(organization=tenant.organization).latest("pk")
        assert run.status == SyncRun.Status.FAILED and run.error
    else:
        served = unwrap(json.loads(reply[2]))
        assert run.status == SyncRun.Status.PLANNED
        assert len(run.data["plan"]["people"]) == len(served), "every Fortnox employee is in the plan"
