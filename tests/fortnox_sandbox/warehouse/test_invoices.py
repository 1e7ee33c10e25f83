from tests.support.sandbox_warehouse import article, order


def test_invoices_are_read_only_and_listed_with_filters(classic):
    article(classic, "A1")
    number = order(classic, [{"ArticleNumber": "A1", "OrderedQuantity": 2, "DeliveredQuantity": 2, "Price": 50}])["DocumentNumber"]
    invoice = classic.put(f"3/orders/{number}/createinvoice").json()["Invoice"]
    assert (invoice["Total"], invoice["Balance"], invoice["Booked"]) == (125.0, 125.0, False)
    listed = classic.get("3/invoices", {"filter": "unbooked"}).json()["Invoices"]
    assert [i["DocumentNumber"] for i in listed] == [invoice["DocumentNumber"]]
    assert classic.get("3/invoices", {"filter": "fullypaid"}).json()["Invoices"] == []
    assert classic.post("3/invoices", {"Invoice": {"CustomerNumber": "1"}}).status_code == 405
    missing = classic.get("3/invoices/999")
    assert missing.status_code == 404 and missing.json()["ErrorInformation"]["Code"] == 2000434
