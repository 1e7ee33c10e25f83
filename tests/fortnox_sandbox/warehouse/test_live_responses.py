"""Every response recorded from the live Fortnox API (API-FACTS §11 and §11.1), reproduced by the
sandbox: status, content type, body keys and the values listed there. The search filters and
the rate limit of §11.1 have their own tests (test_search_parameters.py, and the rate-limit
tests in tests/fortnox_sandbox/test_api_rules.py)."""

import json

from django.test import Client

from fortnox_sandbox.models import Token
from tests.support.sandbox_api import API, basic, refresh
from tests.support.sandbox_warehouse import article, customer, order


def test_a_call_with_an_invalid_access_token_is_401_unauthorized(classic):
    response = Client().get(API + "3/orders", headers={"Authorization": "Bearer not-a-token"})
    assert (response.status_code, response["Content-Type"]) == (401, "application/json")
    assert response.json() == {"message": "unauthorized"}


def test_a_reused_refresh_token_is_invalid_grant_labelled_text_html(company, sandbox_user, oauth_client):
    _, _, refresh_token = Token.issue(oauth_client, company, sandbox_user, "companyinformation", [], False)
    assert refresh(refresh_token).status_code == 200
    response = refresh(refresh_token)
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (400, "text/html")
    assert json.loads(response.content) == {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def test_wrong_client_credentials_are_invalid_client_labelled_text_plain(oauth_client):
    response = Client().post(API + "oauth-v1/token", {"grant_type": "refresh_token", "refresh_token": "x"},
                             headers={"Authorization": basic(secret="wrong")})
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (401, "text/plain")
    assert json.loads(response.content) == {"error": "invalid_client", "error_description": "The client credentials are invalid"}


def test_an_unknown_order_filter_is_400_with_lower_case_keys(classic):
    response = classic.get("3/orders/", {"filter": "doesntexist"})
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {"ErrorInformation": {"error": 1, "message": "Ett ogiltigt filter har använts.", "code": 2000587}}


def test_an_unknown_order_or_article_is_404_with_capitalised_keys(classic):
    for path, message, code in (("3/orders/123456789", "Kan inte hitta ordern.", 2000439),
                                ("3/articles/123456789", "Kan inte hitta artikeln.", 2000428)):
        response = classic.get(path)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json")
        assert response.json() == {"ErrorInformation": {"Error": 1, "Message": message, "Code": code}}


def test_a_new_article_is_auto_numbered_with_live_defaults_and_an_escaped_url(classic):
    article(classic, "101")
    response = classic.post("3/articles/", {"Article": {"Description": "A value", "SalesAccount": 1250}})
    assert (response.status_code, response["Content-Type"]) == (201, "application/json")
    created_article = response.json()["Article"]
    assert created_article["ArticleNumber"] == "102"
    assert (created_article["Type"], created_article["StockGoods"], created_article["QuantityInStock"]) == ("STOCK", False, 0)
    assert (created_article["EAN"], created_article["Manufacturer"], created_article["SalesAccount"]) == ("", None, 1250)
    assert created_article["@url"].endswith("/3/articles/102") and '\\/3\\/articles\\/102"' in response.content.decode()


def test_a_new_order_copies_the_customer_and_starts_in_delivery(classic):
    number = customer(classic, Name="Hemköp Mölndal", Address1="Gamla vägen 1", City="Mölndal", ZipCode="43130",
                      TermsOfPayment="10")["CustomerNumber"]
    response = classic.post("3/orders/", {"Order": {"Comments": "A value", "CustomerNumber": number}})
    assert (response.status_code, response["Content-Type"]) == (201, "application/json")
    new = response.json()["Order"]
    assert (new["DeliveryState"], new["Cancelled"], new["Currency"], new["Comments"]) == ("delivery", False, "SEK", "A value")
    assert (new["CustomerName"], new["Address1"], new["City"], new["ZipCode"], new["TermsOfPayment"]) == (
        "Hemköp Mölndal", "Gamla vägen 1", "Mölndal", "43130", "10")


def test_a_new_order_with_rows_delivers_nothing_totals_zero_and_is_warehouse_ready_without_lager(classic):
    article(classic, "A1")
    new = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 4, "Price": 250}])
    assert [(row["DeliveredQuantity"], row["Total"]) for row in new["OrderRows"]] == [("0", 0)]
    assert new["Total"] == 0
    assert new["WarehouseReady"] is True and new["OutboundDate"] == new["OrderDate"]


def test_unset_fields_come_back_as_live_writes_them(classic):
    article(classic, "A1")
    new = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 1}])
    assert new["EmailInformation"] == dict.fromkeys(
        ("EmailAddressBCC", "EmailAddressCC", "EmailAddressFrom", "EmailAddressTo", "EmailBody", "EmailSubject"), "")
    assert (new["Labels"], new["CurrencyRate"], new["Language"], new["TermsOfPayment"], new["PriceList"]) == (
        [], 1, "SV", "30", "A")
    assert (new["YourOrderNumber"], new["Freight"], new["Remarks"]) == ("", 0, "")
    assert "@urlTaxReductionList" in new

    fresh = customer(classic)
    assert fresh["DefaultDeliveryTypes"] == {"Invoice": "PRINT", "Offer": "PRINT", "Order": "PRINT"}
    assert set(fresh["DefaultTemplates"]) == {"CashInvoice", "Invoice", "Offer", "Order"}
    assert (fresh["Email"], fresh["PriceList"], fresh["TermsOfPayment"], fresh["SalesAccount"]) == ("", "A", "30", 0)
    assert customer(classic, SalesAccount="3001")["SalesAccount"] == 3001


def test_lists_send_quantities_in_stock_as_strings(classic):
    article(classic, "A1")
    (item,) = classic.get("3/articles").json()["Articles"]
    assert item["QuantityInStock"] == "0"
    assert classic.get("3/articles/A1").json()["Article"]["QuantityInStock"] == 0


def test_orders_and_invoices_link_their_tax_reductions_and_an_invoice_names_its_order(classic):
    article(classic, "A1")
    number = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 1, "DeliveredQuantity": 1}])["DocumentNumber"]
    shown = classic.get(f"3/orders/{number}").json()["Order"]
    assert shown["@urlTaxReductionList"].endswith(f"/3/taxreductions?filter=orders&referencenumber={number}")
    invoice = classic.put(f"3/orders/{number}/createinvoice").json()["Invoice"]
    assert invoice["InvoiceReference"] == number
    assert invoice["@urlTaxReductionList"].endswith(
        f"/3/taxreductions?filter=invoices&referencenumber={invoice['DocumentNumber']}")
    assert classic.get(f"3/invoices/{invoice['DocumentNumber']}").json()["Invoice"]["InvoiceReference"] == number
