from datetime import timedelta

from django.utils import timezone

from fortnox_sandbox.models import Record
from tests.support.sandbox_api import error_code
from tests.support.sandbox_warehouse import article, created, supplier


def test_article_numbers_are_generated_after_the_highest_numeric_one(classic):
    article(classic, "100")
    generated = created(classic.post("3/articles", {"Article": {"Description": "Skruv M6"}}), "Article")
    assert generated["ArticleNumber"] == "101"
    assert generated["Type"] == "STOCK" and generated["StockGoods"] is False and generated["QuantityInStock"] == 0


def test_a_taken_article_number_is_refused_with_2000013(classic):
    article(classic, "A-1")
    response = classic.post("3/articles", {"Article": {"ArticleNumber": "A-1", "Description": "Igen"}})
    assert response.status_code == 400 and error_code(response) == 2000013
    assert response.json()["ErrorInformation"]["message"] == 'Artikelnumret "A-1" är redan taget.'


def test_an_unknown_article_is_a_404_with_capitalised_keys(classic):
    response = classic.get("3/articles/123456789")
    assert response.status_code == 404
    assert response.json() == {"ErrorInformation": {"Error": 1, "Message": "Kan inte hitta artikeln.", "Code": 2000428}}


def test_article_numbers_may_contain_slashes(classic):
    article(classic, "SKR/M6")
    assert classic.get("3/articles/SKR/M6").json()["Article"]["ArticleNumber"] == "SKR/M6"


def test_a_description_is_required(classic):
    response = classic.post("3/articles", {"Article": {"ArticleNumber": "X1"}})
    assert response.status_code == 400 and "Description" in response.json()["ErrorInformation"]["message"]


def test_the_article_number_cannot_be_changed(classic):
    article(classic, "A1")
    response = classic.put("3/articles/A1", {"Article": {"ArticleNumber": "A2"}})
    assert response.status_code == 400
    assert classic.get("3/articles/A2").status_code == 404


def test_put_is_a_partial_update(classic):
    article(classic, "A1", EAN="7310865004703", Manufacturer="Bahco")
    updated = classic.put("3/articles/A1", {"Article": {"Description": "Ny text"}}).json()["Article"]
    assert (updated["Description"], updated["EAN"], updated["Manufacturer"]) == ("Ny text", "7310865004703", "Bahco")


def test_quantity_in_stock_is_writable_while_the_warehouse_module_is_off(classic):
    article(classic, "A1", QuantityInStock=12)
    assert classic.put("3/articles/A1", {"Article": {"QuantityInStock": 7}}).json()["Article"]["QuantityInStock"] == 7


def test_with_the_warehouse_module_on_a_stock_write_is_refused_in_swedish(lager):
    article(lager, "A1")
    response = lager.put("3/articles/A1", {"Article": {"QuantityInStock": 5}})
    assert response.status_code == 400
    assert "lagermodulen är aktiverad" in response.json()["ErrorInformation"]["message"]
    assert lager.get("3/articles/A1").json()["Article"]["QuantityInStock"] == 0
    creating = lager.post("3/articles", {"Article": {"Description": "Med saldo", "QuantityInStock": 3}})
    assert creating.status_code == 400


def test_with_the_warehouse_module_on_echoing_the_unchanged_quantity_is_accepted(lager):
    current = article(lager, "A1")
    response = lager.put("3/articles/A1", {"Article": {**current, "Description": "Ändrad"}})
    assert response.status_code == 200, response.content


def test_a_service_cannot_be_stock_goods(classic):
    response = classic.post("3/articles", {"Article": {"Description": "Montering", "Type": "SERVICE", "StockGoods": True}})
    assert response.status_code == 400


def test_a_supplier_number_must_exist_and_brings_the_supplier_name(classic):
    assert classic.post("3/articles", {"Article": {"Description": "X", "SupplierNumber": "99"}}).status_code == 400
    number = supplier(classic, Name="Beijer Bygg")["SupplierNumber"]
    assert article(classic, "A1", SupplierNumber=number)["SupplierName"] == "Beijer Bygg"


def test_delete_answers_204_and_the_article_is_gone(classic):
    article(classic, "A1")
    response = classic.delete("3/articles/A1")
    assert response.status_code == 204 and response.content == b""
    assert classic.get("3/articles/A1").status_code == 404


def test_the_list_filters_searches_and_sorts(classic):
    article(classic, "2", Description="Hammare", QuantityInStock=5, EAN="111")
    article(classic, "10", Description="Skruvdragare", QuantityInStock=1, Active=False)
    article(classic, "3", Description="Skruvmejsel", QuantityInStock=9)

    def numbers(**params):
        return [item["ArticleNumber"] for item in classic.get("3/articles", params).json()["Articles"]]

    assert numbers() == ["2", "3", "10"]
    assert numbers(filter="inactive") == ["10"]
    assert numbers(description="skruv") == ["3", "10"]
    assert numbers(ean="111") == ["2"]
    assert numbers(sortby="quantityinstock", sortorder="descending") == ["3", "2", "10"]
    assert error_code(classic.get("3/articles", {"filter": "doesntexist"})) == 2000587


def test_list_items_write_quantities_as_the_live_api_does(classic):
    article(classic, "A1", QuantityInStock=4, PurchasePrice=25)
    item = classic.get("3/articles").json()["Articles"][0]
    assert item["QuantityInStock"] == "4" and item["StockValue"] == "100" and item["DisposableQuantity"] == "4"


def test_lastmodified_returns_only_articles_changed_since(classic, company):
    article(classic, "OLD")
    Record.objects.filter(company=company, key="OLD").update(modified=timezone.now() - timedelta(days=2))
    article(classic, "NEW")
    since = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    assert [a["ArticleNumber"] for a in classic.get("3/articles", {"lastmodified": since}).json()["Articles"]] == ["NEW"]
