"""Every list the sandbox serves honours each search parameter Fortnox documents for it in
openapi.json, or refuses it the way Fortnox refuses an unknown filter (400, 2000587). Live
Fortnox filters (API-FACTS §11.1); a sandbox that answered a filtered query with everything
would hide the duplicates a client makes when it trusts that answer.

The walk reads the parameters from the spec itself (never copied into the project)."""

import pytest

from fortnox_sandbox import api as sandbox_api, spec
from tests.support.sandbox_api import error_code
from tests.support.sandbox_warehouse import article, created, customer, order, receive, supplier

pytestmark = pytest.mark.skipif(
    not spec.openapi_path().exists(),
    reason=f"Fortnox's openapi.json is not at {spec.openapi_path()} (FORTNOX_OPENAPI_PATH): nothing to walk",
)
# Covered by their own tests (tests/fortnox_sandbox/test_api_rules.py and the families' filter tests).
GENERAL = {"lastmodified", "sortby", "filter"}
FLAGS = {"sent", "notcompleted", "credit", "webshop", "released", "completed", "voided"}
NO_MATCH = {
    "fromdate": "2999-01-01", "todate": "1999-01-01", "fromfinalpaydate": "2999-01-01", "tofinalpaydate": "1999-01-01",
    "accountnumberfrom": "99999", "accountnumberto": "0", "label": "999",
    ("/api/warehouse/purchaseorders-v1", "state"): "RECEIVED",
    ("/api/warehouse/purchaseorders-v1", "purchaseType"): "DROPSHIP",
    ("/api/warehouse/stockpoints-v1", "state"): "INACTIVE",
}


def listed_paths() -> list[str]:
    """The sandbox's list endpoints (GET without a path parameter) that the spec gives parameters."""
    paths = ["/" + pattern for pattern, methods in sandbox_api.ROUTES.items() if "GET" in methods and "<" not in pattern]
    return [path for path in paths if parameters(path)]


def parameters(path: str) -> list[dict]:
    operation = spec.document()["paths"].get(path, {}).get("get", {})
    return [p for p in operation.get("parameters", []) if p.get("in") == "query" and p["name"] not in GENERAL]


def no_match(path: str, parameter: dict) -> str:
    name = parameter["name"]
    if name in FLAGS:
        return "true"  # every record below is not sent, completed, released, voided, ...
    return NO_MATCH.get((path, name), NO_MATCH.get(name, "zz-ingen-träff"))


def items(response) -> list:
    body = response.json()
    return body if isinstance(body, list) else next(value for key, value in body.items() if key != "MetaInformation")


@pytest.fixture
def everything(lager, connect):
    """One record of each listed kind, none of which is sent, completed, released or voided."""
    customer(lager, YourReference="Karin Ek", OurReference="Per Holm")
    supplier_number = supplier(lager)["SupplierNumber"]
    article(lager, "A1")
    created(lager.post("api/warehouse/stockpoints-v1", {"code": "LAGER1", "name": "Huvudlager"}))
    receive(lager, "A1", 10)
    number = order(lager, [{"ArticleNumber": "A1", "OrderedQuantity": 2, "Price": 10}], Labels=[{"Id": 3}])["DocumentNumber"]
    assert lager.put(f"3/orders/{number}/createinvoice").status_code == 200
    order(lager, [{"ArticleNumber": "A1", "OrderedQuantity": 1}])
    created(lager.post("api/warehouse/incominggoods-v1", {
        "deliveryNoteId": "FS-1", "supplierNumber": supplier_number,
        "rows": [{"itemId": "A1", "orderedQuantity": 1, "receivedQuantity": 1, "backOrderQuantity": 0,
                  "invoicedQuantity": 0, "takenQuantity": 0}]}))
    created(lager.post("api/warehouse/purchaseorders-v1", {
        "supplierNumber": supplier_number, "orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1,
        "paymentTermsCode": "30", "deliveryName": "Lager", "deliveryAddress": "Storgatan 1", "deliveryZipCode": "11122",
        "deliveryCity": "Stockholm", "rows": [{"itemId": "A1", "orderedQuantity": 5, "currencyCode": "SEK"}]}))
    salary = connect("salary")
    created(salary.post("3/employees", {"Employee": {"EmployeeId": "7", "FirstName": "Åsa", "LastName": "Öberg",
                                                     "Email": "asa@example.se", "ScheduleId": "HEL"}}))
    created(salary.post("3/absencetransactions", {"AbsenceTransaction": {"EmployeeId": "7", "CauseCode": "SJK",
                                                                         "Date": "2026-03-02"}}))
    return {"lager": lager, "salary": salary}


def test_the_walk_covers_the_lists_brygga_reads():
    assert {"/3/orders", "/3/invoices", "/3/articles", "/3/customers", "/3/absencetransactions",
            "/api/warehouse/purchaseorders-v1", "/api/warehouse/incominggoods-v1"} <= set(listed_paths())


def test_every_documented_search_parameter_filters_or_is_refused_as_an_unknown_filter(everything):
    unhonoured = []
    for path in listed_paths():
        api = everything["salary" if path == "/3/absencetransactions" else "lager"]
        assert items(api.get(path[1:])), f"{path} lists nothing, so no filter could be seen at work"
        for parameter in parameters(path):
            value = no_match(path, parameter)
            response = api.get(path[1:], {parameter["name"]: value})
            refused = response.status_code == 400 and error_code(response) == 2000587
            if not refused and (response.status_code != 200 or items(response)):
                unhonoured.append(f"{path}?{parameter['name']}={value} -> {response.status_code}, "
                                  f"{len(items(response)) if response.status_code == 200 else response.content[:80]}")
    assert not unhonoured, "ignored search parameters:\n" + "\n".join(unhonoured)


def test_a_parameter_no_list_knows_is_refused_like_an_unknown_filter(classic):
    for path in ("3/orders", "3/invoices", "3/articles", "3/customers", "3/suppliers"):
        response = classic.get(path, {"yourref": "x"})
        assert response.status_code == 400 and error_code(response) == 2000587, path


def test_invoices_filter_by_their_references_and_dates_as_recorded_live(classic):
    article(classic, "A1")
    number = customer(classic)["CustomerNumber"]
    sold = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 1, "DeliveredQuantity": 1}], CustomerNumber=number,
                 YourReference="Karin Ek", OurReference="Per Holm")
    invoice = classic.put(f"3/orders/{sold['DocumentNumber']}/createinvoice").json()["Invoice"]

    def numbers(**params):
        return [i["DocumentNumber"] for i in classic.get("3/invoices", params).json()["Invoices"]]

    not_found = classic.get("3/invoices", {"yourreference": "Not found"}).json()
    assert not_found["Invoices"] == [] and not_found["MetaInformation"]["@TotalResources"] == 0
    assert numbers(yourreference="karin") == numbers(ourreference="Per Holm") == [invoice["DocumentNumber"]]
    assert numbers(ourreference="Karin") == []
    day = invoice["InvoiceDate"]
    assert numbers(fromdate=day, todate=day) == [invoice["DocumentNumber"]]
    assert numbers(todate="2000-01-01") == [] and numbers(fromdate="2999-01-01") == []
    assert error_code(classic.get("3/invoices", {"fromdate": "igår"})) == 2000588


def test_orders_filter_by_label(classic):
    article(classic, "A1")
    labelled = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 1}], Labels=[{"Id": 3}])["DocumentNumber"]
    order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 1}])
    listed = classic.get("3/orders", {"label": "3"}).json()["Orders"]
    assert [o["DocumentNumber"] for o in listed] == [labelled]
