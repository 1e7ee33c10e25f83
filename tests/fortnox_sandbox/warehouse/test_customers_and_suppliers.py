from tests.support.sandbox_api import error_code
from tests.support.sandbox_warehouse import created, customer, supplier


def test_customers_are_companies_unless_said_otherwise(classic):
    assert customer(classic)["Type"] == "COMPANY"
    assert customer(classic, Name="Åsa Öberg", Type="PRIVATE")["Type"] == "PRIVATE"


def test_an_unknown_customer_type_is_refused(classic):
    response = classic.post("3/customers", {"Customer": {"Name": "X", "Type": "PERSON"}})
    assert response.status_code == 400 and error_code(response) == 2000359


def test_a_customer_name_is_required(classic):
    response = classic.post("3/customers", {"Customer": {"Email": "a@b.se"}})
    assert response.status_code == 400 and "Name" in response.json()["ErrorInformation"]["message"]


def test_a_customer_number_is_never_reused_even_after_deletion(classic):
    number = customer(classic)["CustomerNumber"]
    assert classic.delete(f"3/customers/{number}").status_code == 204
    assert classic.get(f"3/customers/{number}").status_code == 404
    again = classic.post("3/customers", {"Customer": {"Name": "Ny", "CustomerNumber": number}})
    assert again.status_code == 400 and error_code(again) == 2000637
    assert customer(classic)["CustomerNumber"] != number


def test_customer_list_items_carry_phone_and_search_by_city(classic):
    customer(classic, Name="Ica Kvantum", City="Göteborg", Phone1="031-123456")
    customer(classic, Name="Coop", City="Malmö")
    listed = classic.get("3/customers", {"city": "göteborg"}).json()["Customers"]
    assert [(c["Name"], c["Phone"]) for c in listed] == [("Ica Kvantum", "031-123456")]


def test_customer_put_is_partial(classic):
    number = customer(classic, Email="inkop@hemkop.se")["CustomerNumber"]
    updated = classic.put(f"3/customers/{number}", {"Customer": {"City": "Mölndal"}}).json()["Customer"]
    assert (updated["City"], updated["Email"]) == ("Mölndal", "inkop@hemkop.se")


def test_suppliers_are_numbered_and_a_taken_number_is_refused(classic):
    first = supplier(classic)
    assert first["SupplierNumber"] == "1"
    response = classic.post("3/suppliers", {"Supplier": {"Name": "Dubbel", "SupplierNumber": "1"}})
    assert response.status_code == 400


def test_suppliers_cannot_be_deleted(classic):
    supplier(classic)
    assert classic.delete("3/suppliers/1").status_code == 405
    assert classic.get("3/suppliers/1").status_code == 200


def test_an_unknown_supplier_is_a_404(classic):
    response = classic.get("3/suppliers/77")
    assert response.status_code == 404 and response.json()["ErrorInformation"]["Code"] == 2000432


def test_suppliers_sort_by_name(classic):
    for name in ("Östra Trä", "Ahlsell", "Bauhaus"):
        created(classic.post("3/suppliers", {"Supplier": {"Name": name}}))
    names = [s["Name"] for s in classic.get("3/suppliers", {"sortby": "name"}).json()["Suppliers"]]
    assert names == ["Ahlsell", "Bauhaus", "Östra Trä"]
