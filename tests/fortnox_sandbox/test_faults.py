import time

import pytest
import requests

from fortnox_sandbox.models import Company, Record, RequestLog, Token
from tests.support.sandbox_api import ANNA, API


def set_faults(company, **faults):
    Company.objects.filter(pk=company.pk).update(**faults)


def statuses(api, count):
    return [api.get("3/companyinformation").status_code for _ in range(count)]


def test_a_share_of_requests_fails_with_the_chosen_status(connect, company):
    set_faults(company, fault_error_rate=1.0, fault_error_status=500)
    response = connect().get("3/companyinformation")
    assert response.status_code == 500
    assert response.json()["ErrorInformation"]["code"] == 1000003


def test_seeded_faults_repeat_exactly_after_a_reset(connect, company):
    set_faults(company, fault_error_rate=0.5, fault_seed=42, rate_limit_requests=100)
    first = statuses(connect(), 20)
    Company.objects.filter(pk=company.pk).update(fault_counter=0)
    second = statuses(connect(), 20)
    assert first == second and set(first) == {200, 503}


def test_a_429_burst_answers_the_next_requests_with_429(connect, company):
    set_faults(company, fault_429_burst=2)
    assert statuses(connect(), 3) == [429, 429, 200]


def test_added_latency_shows_in_the_request_log(connect, company):
    set_faults(company, fault_latency_ms=150)
    connect().get("3/companyinformation")
    assert RequestLog.objects.get().duration_ms >= 150


def test_a_drop_burst_drops_the_next_successful_writes_only_and_reads_and_refusals_do_not_use_it_up(connect, company):
    set_faults(company, fault_drop_burst=2)
    api = connect()
    assert api.get("3/companyinformation").status_code == 200
    assert api.post("3/employees", {"Employee": {"FirstName": "Utan id"}}).status_code == 400
    for number in ("1", "2", "3"):
        assert api.post("3/employees", {"Employee": {**ANNA, "EmployeeId": number}}).status_code == 201
    assert [entry.fault for entry in RequestLog.objects.order_by("pk")] == [
        "", "", "drop impossible (no socket)", "drop impossible (no socket)", ""]
    assert Company.objects.get(pk=company.pk).fault_drop_burst == 0


def test_under_the_test_client_a_drop_is_logged_as_impossible(connect, company):
    set_faults(company, fault_drop_rate=1.0)
    assert connect().post("3/employees", {"Employee": ANNA}).status_code == 201
    assert RequestLog.objects.get().fault == "drop impossible (no socket)"


@pytest.fixture
def live_token(transactional_db, company, sandbox_user, oauth_client):
    _, access, _ = Token.issue(oauth_client, company, sandbox_user, "salary companyinformation", ["salary"], False)
    return {"Authorization": f"Bearer {access}"}


def test_a_dropped_write_happened_although_the_client_saw_a_connection_error(live_server, company, live_token):
    set_faults(company, fault_drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{live_server.url}{API}3/employees", json={"Employee": ANNA}, headers=live_token, timeout=10)
    assert Record.objects.filter(company=company, resource="employees").count() == 1
    assert RequestLog.objects.get().fault == "dropped"


def test_reads_are_never_dropped(live_server, company, live_token):
    set_faults(company, fault_drop_rate=1.0)
    response = requests.get(f"{live_server.url}{API}3/companyinformation", headers=live_token, timeout=10)
    assert response.status_code == 200


def test_a_timeout_fault_outlasts_a_client_timeout(live_server, company, live_token):
    set_faults(company, fault_timeout_seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(f"{live_server.url}{API}3/companyinformation", headers=live_token, timeout=0.3)
    # The server still answers (late): wait for it so it does not outlive the test's database.
    for _ in range(100):
        if RequestLog.objects.exists():
            break
        time.sleep(0.05)
    assert RequestLog.objects.get().status == 200
