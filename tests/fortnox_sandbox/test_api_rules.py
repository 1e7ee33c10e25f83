"""Rules every resource shares: auth, licences, scopes, lists, lastmodified, rate limit."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fortnox_sandbox.models import Company, OAuthClient, Record, SandboxUser, Token
from tests.support.sandbox_api import (
    ANNA,
    API,
    Api,
    approve,
    create_employee,
    error_code,
    exchange,
    logged_in_browser,
    refresh,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def seed_employees(company, count):
    Record.objects.bulk_create(Record(company=company, resource="employees", key=str(n), document={
        **ANNA, "EmployeeId": str(n), "Inactive": False, "DatedSchedules": [], "DatedWages": []})
        for n in range(1, count + 1))


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_requests_without_a_valid_bearer_token_are_unauthorized(company, header):
    response = Client().get(API + "3/companyinformation", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.json() == {"message": "unauthorized"}


def test_a_missing_scope_is_2000663_with_status_400_by_default(connect):
    response = connect("companyinformation").get("3/employees")
    assert response.status_code == 400 and error_code(response) == 2000663
    assert response.json()["ErrorInformation"]["message"] == "Har inte behörighet för scope."


def test_the_missing_scope_status_can_be_403(connect, company):
    company.missing_scope_status = 403
    company.save(update_fields=["missing_scope_status"])
    assert connect("companyinformation").get("3/employees").status_code == 403


def test_a_company_without_the_api_licence_gets_2001103(connect, company):
    company.api_licence = False
    company.save(update_fields=["api_licence"])
    assert error_code(connect().get("3/companyinformation")) == 2001103


def test_a_scope_without_its_module_licence_gets_2001101(connect, company):
    company.salary_licence = False
    company.save(update_fields=["salary_licence"])
    response = connect("salary").get("3/employees")
    assert response.status_code == 403 and error_code(response) == 2001101


def test_a_module_switched_on_after_consent_needs_a_new_consent(company, sandbox_user, oauth_client):
    company.salary_licence = False
    company.save(update_fields=["salary_licence"])
    browser = logged_in_browser(sandbox_user)
    old = exchange(approve(browser)["code"][0]).json()
    company.salary_licence = True
    company.save(update_fields=["salary_licence"])
    assert error_code(Api(old["access_token"]).get("3/employees")) == 2000663
    refreshed = refresh(old["refresh_token"]).json()
    assert error_code(Api(refreshed["access_token"]).get("3/employees")) == 2000663
    fresh = exchange(approve(browser)["code"][0]).json()
    assert Api(fresh["access_token"]).get("3/employees").status_code == 200


def test_paths_answer_with_and_without_a_trailing_slash(connect):
    api = connect()
    assert api.get("3/employees/").status_code == 200 and api.get("3/employees").status_code == 200


def test_lists_page_with_limit_page_and_offset(connect, company):
    seed_employees(company, 7)
    api = connect()
    body = api.get("3/employees", {"limit": 3, "page": 2}).json()
    assert body["MetaInformation"] == {"@TotalResources": 7, "@TotalPages": 3, "@CurrentPage": 2}
    assert [e["EmployeeId"] for e in body["Employees"]] == ["4", "5", "6"]
    shifted = api.get("3/employees", {"limit": 3, "page": 2, "offset": 1}).json()["Employees"]
    assert [e["EmployeeId"] for e in shifted] == ["5", "6", "7"]
    assert len(api.get("3/employees").json()["Employees"]) == 7


def test_the_default_page_holds_100_and_the_limit_is_at_most_500(connect, company):
    seed_employees(company, 101)
    api = connect()
    assert len(api.get("3/employees").json()["Employees"]) == 100
    assert len(api.get("3/employees", {"limit": 500}).json()["Employees"]) == 101
    for params in ({"limit": 501}, {"limit": 0}, {"page": 0}, {"page": "x"}, {"offset": -1}):
        assert error_code(api.get("3/employees", params)) == 2000588


def test_lists_sort_in_numeric_order_and_descending(connect, company):
    seed_employees(company, 11)
    api = connect()
    ascending = [e["EmployeeId"] for e in api.get("3/employees").json()["Employees"]]
    assert ascending[:3] == ["1", "2", "3"] and ascending[-1] == "11"
    descending = [e["EmployeeId"] for e in api.get("3/employees", {"sortorder": "descending"}).json()["Employees"]]
    assert descending == ascending[::-1]
    assert error_code(api.get("3/employees", {"sortorder": "sideways"})) == 2000588
    assert error_code(api.get("3/employees", {"sortby": "shoesize"})) == 2000588


def test_an_unknown_filter_is_400_2000587_with_lower_case_keys(connect):
    response = connect().get("3/employees", {"filter": "doesntexist"})
    assert response.status_code == 400
    assert response.json() == {"ErrorInformation": {"error": 1, "message": "Ett ogiltigt filter har använts.", "code": 2000587}}


def test_lastmodified_has_minute_resolution_in_swedish_time(connect, company):
    seed_employees(company, 3)
    moments = ["2025-06-01 12:29:59", "2025-06-01 12:30:45", "2025-06-01 12:31:00"]
    for key, moment in zip(("1", "2", "3"), moments):
        Record.objects.filter(key=key).update(modified=datetime.fromisoformat(moment).replace(tzinfo=STOCKHOLM))
    api = connect()

    def since(value):
        return [e["EmployeeId"] for e in api.get("3/employees", {"lastmodified": value}).json()["Employees"]]

    assert since("2025-06-01 12:30") == ["2", "3"]
    assert since("2025-06-01 12:30:50") == ["2", "3"]
    assert since("2025-06-01 12:31") == ["3"]
    assert since("2025-06-01 11:00") == ["1", "2", "3"]  # 11:00 in Stockholm is 09:00 UTC
    assert since("2025-06-01") == ["1", "2", "3"]
    assert error_code(api.get("3/employees", {"lastmodified": "yesterday"})) == 2000588


def test_a_change_moves_a_record_into_lastmodified(connect):
    api = connect()
    create_employee(api, EmployeeId="1")
    stamp = datetime.now(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    assert [e["EmployeeId"] for e in api.get("3/employees", {"lastmodified": stamp}).json()["Employees"]] == ["1"]


def test_bad_json_is_2002115_and_a_missing_wrapper_is_2001392(connect):
    api = connect()
    bad = api.client.post(API + "3/employees", "{nope", content_type="application/json", headers=api.headers)
    assert bad.status_code == 400 and error_code(bad) == 2002115
    assert error_code(api.post("3/employees", {"Person": ANNA})) == 2001392
    assert error_code(api.post("3/employees", {"Employee": ANNA, "Extra": {}})) == 2001399


def test_the_26th_request_in_five_seconds_gets_429(connect):
    api = connect("companyinformation")
    statuses = [api.get("3/companyinformation").status_code for _ in range(26)]
    assert statuses[:25] == [200] * 25 and statuses[25] == 429


def test_refused_requests_do_not_use_up_the_window_and_it_slides(connect, company):
    company.rate_limit_requests, company.rate_limit_window_seconds = 3, 0.5
    company.save(update_fields=["rate_limit_requests", "rate_limit_window_seconds"])
    api = connect("companyinformation")
    assert [api.get("3/companyinformation").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    time.sleep(0.55)
    assert [api.get("3/companyinformation").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_two_tokens_of_one_app_for_one_company_share_one_rate_window(connect, company):
    """Live counts per client id and tenant (API-FACTS §2.3): a second token or a re-connect
    does not double the budget."""
    company.rate_limit_requests = 2
    company.save(update_fields=["rate_limit_requests"])
    first, second = connect("companyinformation"), connect("companyinformation")
    assert [first.get("3/companyinformation").status_code for _ in range(2)] == [200, 200]
    assert second.get("3/companyinformation").status_code == 429
    assert first.get("3/companyinformation").status_code == 429


def test_another_app_or_another_company_has_its_own_rate_window(connect, company, sandbox_user):
    company.rate_limit_requests = 1
    company.save(update_fields=["rate_limit_requests"])
    api = connect("companyinformation")
    assert [api.get("3/companyinformation").status_code for _ in range(2)] == [200, 429]

    other_app = OAuthClient.objects.create(client_id="other-app", name="Annan app", secret_hash="x")
    _, access, _ = Token.issue(other_app, company, sandbox_user, "companyinformation", sorted(company.modules), False)
    assert Api(access).get("3/companyinformation").status_code == 200

    other = Company.objects.create(database_number=7654321, name="Annat AB", rate_limit_requests=1)
    user = SandboxUser.objects.create(company=other, username="annan@annat.test", name="Annan")
    _, access, _ = Token.issue(OAuthClient.objects.ensure_builtin(), other, user, "companyinformation", [], False)
    assert Api(access).get("3/companyinformation").status_code == 200


def test_every_request_is_logged_with_its_token_but_not_the_token_itself(connect, company):
    api = connect("companyinformation")
    api.get("3/companyinformation", {"x": "1"})
    entry = company.requests.get()
    assert (entry.method, entry.path, entry.query, entry.status) == ("GET", API + "3/companyinformation", "x=1", 200)
    assert entry.token_id is not None and api.headers["Authorization"][7:] not in str(entry.__dict__)


def test_companies_do_not_see_each_others_records(connect, company, sandbox_user):
    create_employee(connect(), EmployeeId="1")
    other = Company.objects.create(database_number=7654321, name="Annan AB")
    assert connect(company=other).get("3/employees/1").status_code == 404


def test_only_json_is_spoken(connect):
    api = connect()
    assert error_code(api.get("3/employees", Accept="application/xml")) == 1000030
    assert api.get("3/employees", Accept="application/json").status_code == 200
    form = api.client.post(API + "3/employees", {"FirstName": "A"}, headers=api.headers)
    assert form.status_code == 400 and error_code(form) == 1000031
