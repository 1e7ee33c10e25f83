"""Malformed and hostile Fortnox responses — wrong types, missing keys, huge strings, HTML error
pages, truncated JSON, bytes that are not text — served by a tiny HTTP server started in the
test: a stand-in for a broken Fortnox (or a proxy in front of it), which the sandbox, being a
faithful Fortnox, will not imitate. Brygga must answer each with a typed Fortnox error or read
what it can, record a clear error, lose nothing, and never crash a run."""

import json

from hypothesis import example, given, strategies as st

from integrations.core.models import SyncRun
from integrations.fortnox.client import FortnoxClient, unwrap
from integrations.fortnox.errors import FortnoxError
from integrations.hr_sync.plan import do_plan_user_sync
from tests.support.bad_input import EXAMPLES, HTML_ERROR_PAGE, as_bytes, cut_short, fresh_connection, json_values

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
bodies = st.one_of(
    documents.map(as_bytes),
    cut_short(documents.map(as_bytes)),
    st.just(HTML_ERROR_PAGE),
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
        else:
            assert reply[0] < 300, f"a {reply[0]} answer was taken for data"


def test_a_list_claiming_a_million_pages_is_read_to_its_short_last_page_not_a_million_times(broken_fortnox, tenant):
    """Found by the test above in CI: each page answered alike, `@TotalPages` 10**6, and the client
    asked for page after page."""
    broken_fortnox.reply = (200, "application/json", as_bytes(
        {"Employees": [{"EmployeeId": "1"}], "MetaInformation": {"@TotalPages": 10 ** 6, "@CurrentPage": 1}}))
    client = FortnoxClient(fresh_connection(tenant.organization), max_attempts=1)
    assert list(client.iterate("/3/employees")) == [{"EmployeeId": "1"}]
    assert broken_fortnox.asked == ["/3/employees"]


@EXAMPLES
@given(reply=replies)
# A bank account number as a list: it crashed the plan once (found by this test in CI).
@example(reply=(200, "application/json", b'{"E":[{"EmployeeId":"0","ClearingNo":[null]}],"MetaInformation":null}'))
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
