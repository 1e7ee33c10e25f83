"""The client against the sandbox over HTTP: envelopes, pages, numbers, typed errors, which
requests are retried (and which never are), the shared budget, and logs without secrets."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.fortnox import client as client_module
from integrations.fortnox.client import CallCounter, FortnoxClient
from integrations.fortnox.errors import (
    FortnoxMissingScope,
    FortnoxNoLicence,
    FortnoxNotFound,
    FortnoxTransientError,
    FortnoxValidationError,
)
from integrations.fortnox.values import normalise_numbers
from tests.support.fortnox import fetch

EMPLOYEE = {"Employee": {"FirstName": "Åsa", "LastName": "Öberg", "Email": "asa@example.se", "MonthlySalary": 45000}}


@pytest.fixture
def api(connection):
    """A client with quick backoff, and its call counter."""
    counter = CallCounter()
    with FortnoxClient(connection, call_counter=counter, backoff_seconds=0.01, max_attempts=3) as client:
        yield client, counter


def test_a_single_record_comes_without_its_envelope_and_numbers_normalise(api):
    client, counter = api
    created = client.post("/3/employees", EMPLOYEE)
    fetched = client.get(f"/3/employees/{created['EmployeeId']}")
    assert fetched["FirstName"] == "Åsa" and "Employee" not in fetched
    assert normalise_numbers(fetched, ["MonthlySalary"])["MonthlySalary"] == 45000
    assert counter.by_status == {201: 1, 200: 1}


def test_iteration_reads_every_page(api, sandbox, fortnox_company, monkeypatch):
    client, _ = api
    for n in range(5):
        client.post("/3/employees", {"Employee": {"FirstName": f"Person {n}", "LastName": "Test", "Email": f"p{n}@example.se"}})
    monkeypatch.setattr(client_module, "PAGE_SIZE", 2)  # five records over three pages, without creating 1,001
    names = [e["FirstName"] for e in client.iterate("/3/employees")]
    assert sorted(names) == [f"Person {n}" for n in range(5)]
    pages = [e["query"] for e in sandbox.request_log(fortnox_company.data) if e["method"] == "GET" and e["path"].endswith("employees")]
    assert sorted(pages) == sorted(["limit=2&page=1", "limit=2&page=2", "limit=2&page=3"])


def test_iteration_asks_for_the_largest_pages_and_filters_by_lastmodified(api, sandbox, fortnox_company):
    client, _ = api
    client.post("/3/employees", EMPLOYEE)
    assert len(list(client.iterate("/3/employees", modified_since=timezone.now() - timedelta(minutes=5)))) == 1
    assert list(client.iterate("/3/employees", modified_since=timezone.now() + timedelta(minutes=5))) == []
    queries = [e["query"] for e in sandbox.request_log(fortnox_company.data) if e["path"].endswith("employees") and e["method"] == "GET"]
    assert all("limit=500" in q and "lastmodified=" in q for q in queries) and len(queries) == 2


def test_a_missing_scope_is_named(api):
    client, _ = api
    with pytest.raises(FortnoxMissingScope) as failure:
        client.get("/3/articles")
    assert failure.value.code == 2000663 and failure.value.scope == "article"
    assert '"article"' in failure.value.user_message and "re-connect" in failure.value.user_message


def test_a_missing_warehouse_right_is_named_too(api):
    client, _ = api
    with pytest.raises(FortnoxMissingScope) as failure:
        client.get("/api/warehouse/tenants-v4")
    assert failure.value.scope == "warehouse"


def test_a_module_without_licence_says_to_activate_it(api, sandbox, fortnox_company):
    client, _ = api
    sandbox.update_company(fortnox_company.data, salary_licence=False)
    with pytest.raises(FortnoxNoLicence) as failure:
        client.get("/3/employees")
    assert failure.value.code == 2001101 and "Activate the module in Fortnox" in failure.value.user_message


def test_a_missing_record_is_not_found(api):
    client, counter = api
    with pytest.raises(FortnoxNotFound) as failure:
        client.get("/3/employees/does-not-exist")
    assert failure.value.status == 404 and failure.value.code == 2003450
    assert counter.total == 1  # a 404 is an answer, not a fault: not retried


def test_a_validation_error_keeps_fortnox_code_and_message(api):
    client, counter = api
    with pytest.raises(FortnoxValidationError) as failure:
        client.post("/3/employees", {"Employee": {**EMPLOYEE["Employee"], "Favourite": "blue"}})
    assert failure.value.status == 400 and failure.value.code == 2001399 and failure.value.message
    assert str(failure.value.code) in failure.value.user_message and failure.value.message in failure.value.user_message
    assert counter.total == 1


def test_server_faults_are_retried_for_reads_then_reported_as_transient(api, sandbox, fortnox_company):
    client, counter = api
    sandbox.update_company(fortnox_company.data, fault_error_rate=1.0, fault_error_status=503)
    with pytest.raises(FortnoxTransientError) as failure:
        client.get("/3/companyinformation")
    assert counter.by_status == {503: 3}
    assert "try again" in failure.value.user_message


def test_a_post_is_not_repeated_after_a_server_fault(api, sandbox, fortnox_company):
    client, counter = api
    sandbox.update_company(fortnox_company.data, fault_error_rate=1.0, fault_error_status=500)
    with pytest.raises(FortnoxTransientError):
        client.post("/3/employees", EMPLOYEE)
    assert counter.by_status == {500: 1}


def test_a_read_that_times_out_is_retried_then_reported_as_transient(connection, sandbox, fortnox_company):
    sandbox.update_company(fortnox_company.data, fault_timeout_seconds=0.6)
    counter = CallCounter()
    with pytest.raises(FortnoxTransientError):
        fetch(connection, call_counter=counter, timeout=0.2, max_attempts=2, backoff_seconds=0.01)
    assert counter.by_status == {None: 2}
    # The sandbox still finishes both requests after we gave up; let it, before the test data goes.
    deadline = time.monotonic() + 10
    while len(sandbox.request_log(fortnox_company.data)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_post_whose_connection_drops_after_the_change_is_not_repeated(api, sandbox, fortnox_company):
    client, counter = api
    sandbox.update_company(fortnox_company.data, fault_drop_rate=1.0)
    with pytest.raises(FortnoxTransientError):
        client.post("/3/employees", EMPLOYEE)
    assert counter.total == 1
    assert len(sandbox.records(fortnox_company.data, "employees")) == 1  # applied once, and only once


def test_a_put_whose_connection_drops_is_repeated_because_it_is_idempotent(api, sandbox, fortnox_company):
    client, counter = api
    employee = client.post("/3/employees", EMPLOYEE)
    sandbox.update_company(fortnox_company.data, fault_drop_rate=1.0)
    with pytest.raises(FortnoxTransientError):
        client.put(f"/3/employees/{employee['EmployeeId']}", {"Employee": {"JobTitle": "Lagerchef"}})
    assert counter.by_status == {201: 1, None: 3}
    (record,) = sandbox.records(fortnox_company.data, "employees")
    assert record["document"]["JobTitle"] == "Lagerchef"


def test_a_429_is_waited_out_and_the_request_repeated_even_a_post(api, sandbox, fortnox_company, settings):
    settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 0.2  # the pause when Fortnox gives no Retry-After
    client, counter = api
    sandbox.update_company(fortnox_company.data, fault_429_burst=2)
    assert client.get("/3/companyinformation")["CompanyName"] == "Sandlådan AB"
    sandbox.update_company(fortnox_company.data, fault_429_burst=1)
    client.post("/3/employees", EMPLOYEE)
    assert counter.by_status == {429: 3, 200: 1, 201: 1}
    assert len(sandbox.records(fortnox_company.data, "employees")) == 1


def test_threads_sharing_a_connection_never_meet_a_429(connection, sandbox, fortnox_company, settings):
    sandbox.update_company(fortnox_company.data, rate_limit_requests=5, rate_limit_window_seconds=1.0)
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 5, 1.0
    counter = CallCounter()

    def work():
        for _ in range(5):
            fetch(connection, call_counter=counter)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.by_status == {200: 15}
    assert sandbox.requests_with_status(fortnox_company.data, 429) == []


def test_a_reconnect_shares_the_budget_with_the_tokens_before_it(connect, tenant, connection, sandbox, fortnox_company, settings):
    """Fortnox counts per app and company, not per token (API-FACTS §2.3): calls made just
    before a re-connect still count after it, so the new token does not get a fresh budget."""
    sandbox.update_company(fortnox_company.data, rate_limit_requests=5, rate_limit_window_seconds=2.0)
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 5, 2.0
    counter = CallCounter()
    for _ in range(3):
        fetch(connection, call_counter=counter)
    started = time.monotonic()
    reconnected = connect(tenant, fortnox_company)  # one more call: the company's information
    for _ in range(3):
        fetch(reconnected, call_counter=counter)
    assert time.monotonic() - started > 1.0  # the seventh call waited for the window
    assert counter.by_status == {200: 6}
    assert sandbox.requests_with_status(fortnox_company.data, 429) == []


def test_logs_name_requests_but_never_a_token_or_secret(connection, api, caplog, settings):
    caplog.set_level(logging.DEBUG)
    client, _ = api
    client.get("/3/companyinformation")
    from integrations.fortnox import tokens

    tokens.rotate(client.connection, stale_access_token=client.connection.access_token)
    client.get("/3/companyinformation")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /3/companyinformation -> 200" in logged
    secrets = [connection.access_token, connection.refresh_token, client.connection.access_token,
               client.connection.refresh_token, settings.FORTNOX_CLIENT_SECRET, "Bearer", "Authorization"]
    assert not [secret for secret in secrets if secret in logged]


def _fill_the_budget(connection) -> int:
    """Another worker takes every slot left in the connection's window (none waits)."""
    from integrations.fortnox.ratelimit import _window_model, get_rate_limiter

    limiter, key = get_rate_limiter(), connection.rate_limit_key
    row = _window_model().objects.get(pk=key)
    free = limiter.limit - sum(1 for t in row.sent_at if t > time.time() - limiter.window)
    for _ in range(free):
        limiter.acquire(key)
    return free


def test_a_write_decided_on_a_read_waits_for_no_budget_after_the_read(connection, sandbox, fortnox_company, settings):
    """Fortnox has no conditional write: whatever time passes between its answer to the read and
    the write is time in which a change made in Fortnox is overwritten. The write's slot is taken
    before the read, so others filling the budget meanwhile cannot hold the write back a window."""
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 5, 2.0
    counter = CallCounter()
    with FortnoxClient(connection, call_counter=counter) as client:
        created = client.post("/3/employees", EMPLOYEE)
        path = f"/3/employees/{created['EmployeeId']}"
        decided = {}

        def decide(document):
            decided["taken"] = _fill_the_budget(connection)
            decided["at"] = time.monotonic()
            return {"Employee": {"JobTitle": f"{document['JobTitle'] or ''}Lagerchef"}}

        document, answer = client.read_then_write(path, decide)
        written_after = time.monotonic() - decided["at"]

    assert decided["taken"] >= 1, "the test filled nothing: nothing to wait for"
    assert written_after < 1.0, f"the write waited {written_after:.2f} s after the read for the budget"
    assert answer["JobTitle"] == "Lagerchef" and document["EmployeeId"] == created["EmployeeId"]
    assert counter.by_status == {201: 1, 200: 2}
    assert sandbox.requests_with_status(fortnox_company.data, 429) == []


def test_a_read_that_decides_on_no_write_gives_its_slot_back(connection, settings):
    from integrations.fortnox.ratelimit import _window_model

    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 5, 2.0
    def counted() -> int:
        return len(_window_model().objects.get(pk=connection.rate_limit_key).sent_at)

    with FortnoxClient(connection) as client:
        created = client.post("/3/employees", EMPLOYEE)
        before = counted()
        document, answer = client.read_then_write(f"/3/employees/{created['EmployeeId']}", lambda document: None)

    assert answer is None and document["FirstName"] == "Åsa"
    assert counted() == before + 1, "the write's slot still counts though no write went"


def test_between_the_reads_answer_and_the_write_the_client_touches_no_database(connection):
    """The rate limit's bookkeeping is a database write that may wait for a lock: none of it
    falls between Fortnox's answer to the read and the write."""
    from django.db import connection as database
    from django.test.utils import CaptureQueriesContext

    with FortnoxClient(connection) as client:
        created = client.post("/3/employees", EMPLOYEE)
        real, marks = client.session.request, []

        def marked(method, url, **kwargs):
            marks.append((method, "sent", len(queries)))
            response = real(method, url, **kwargs)
            marks.append((method, "answered", len(queries)))
            return response

        client.session.request = marked
        with CaptureQueriesContext(database) as queries:
            client.read_then_write(f"/3/employees/{created['EmployeeId']}", lambda document: {"Employee": {"City": "Visby"}})

    (read_answered,) = [count for method, what, count in marks if (method, what) == ("GET", "answered")]
    (write_sent,) = [count for method, what, count in marks if (method, what) == ("PUT", "sent")]
    assert write_sent == read_answered, [query["sql"] for query in queries.captured_queries[read_answered:write_sent]]
    assert len(queries) > write_sent, "the read's slot was never settled"
