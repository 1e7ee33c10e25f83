"""Ways and terms of delivery, the code registers an order's WayOfDelivery and TermsOfDelivery name."""

import pytest

from fortnox_sandbox.actions import do_seed_company
from fortnox_sandbox.models import Record
from tests.support.sandbox_api import error_code
from tests.support.sandbox_warehouse import created

SCOPES = "settings order companyinformation"


@pytest.fixture
def api(unlimited, connect):
    return connect(SCOPES)


def test_a_way_of_delivery_is_created_read_and_listed_in_fortnox_shapes(api):
    way = created(api.post("3/wayofdeliveries", {"WayOfDelivery": {"Code": "P", "Description": "Posten"}}),
                  "WayOfDelivery")
    assert way == {"@url": way["@url"], "Code": "P", "Description": "Posten", "DescriptionEnglish": ""}
    assert way["@url"].endswith("3/wayofdeliveries/P")
    assert api.get("3/wayofdeliveries/P").json() == {"WayOfDelivery": way}
    listed = api.get("3/wayofdeliveries").json()
    assert listed["WayOfDeliveries"] == [way] and listed["MetaInformation"]["@TotalResources"] == 1


def test_a_code_with_swedish_letters_is_its_own_key(api):
    created(api.post("3/wayofdeliveries", {"WayOfDelivery": {"Code": "HÄM", "Description": "Hämtas"}}))
    assert api.get("3/wayofdeliveries/HÄM").json()["WayOfDelivery"]["Description"] == "Hämtas"


def test_a_taken_or_missing_code_is_refused(api):
    created(api.post("3/termsofdeliveries", {"TermsOfDelivery": {"Code": "FRITT", "Description": "Fritt"}}))
    taken = api.post("3/termsofdeliveries", {"TermsOfDelivery": {"Code": "FRITT", "Description": "Igen"}})
    assert taken.status_code == 400 and error_code(taken) == 2003430
    missing = api.post("3/wayofdeliveries", {"WayOfDelivery": {"Description": "Utan kod"}})
    assert missing.status_code == 400


def test_terms_of_delivery_need_a_description_as_the_spec_says(api):
    response = api.post("3/termsofdeliveries", {"TermsOfDelivery": {"Code": "EXW"}})
    assert response.status_code == 400 and "Description" in response.json()["ErrorInformation"]["message"]


def test_an_update_is_partial_and_cannot_change_the_code(api):
    created(api.post("3/termsofdeliveries", {"TermsOfDelivery": {"Code": "FVL", "Description": "Fritt vårt lager"}}))
    updated = api.put("3/termsofdeliveries/FVL", {"TermsOfDelivery": {"DescriptionEnglish": "Ex warehouse"}})
    assert updated.json()["TermsOfDelivery"]["Description"] == "Fritt vårt lager"
    assert updated.json()["TermsOfDelivery"]["DescriptionEnglish"] == "Ex warehouse"
    renamed = api.put("3/termsofdeliveries/FVL", {"TermsOfDelivery": {"Code": "ANNAN"}})
    assert renamed.status_code == 400


def test_an_unknown_code_is_a_404_with_fortnox_error_information(api):
    for path, code in (("3/wayofdeliveries/NEJ", 2003431), ("3/termsofdeliveries/NEJ", 2003432)):
        response = api.get(path)
        assert response.status_code == 404 and error_code(response) == code


def test_ways_of_delivery_can_be_deleted_but_terms_cannot(api):
    created(api.post("3/wayofdeliveries", {"WayOfDelivery": {"Code": "BUD"}}))
    created(api.post("3/termsofdeliveries", {"TermsOfDelivery": {"Code": "FK", "Description": "Fraktfritt"}}))
    assert api.delete("3/wayofdeliveries/BUD").status_code == 204
    assert api.get("3/wayofdeliveries/BUD").status_code == 404
    assert api.delete("3/termsofdeliveries/FK").status_code == 405


def test_the_registers_need_the_settings_scope(unlimited, connect):
    response = connect("order companyinformation").get("3/wayofdeliveries")
    assert error_code(response) == 2000663


def test_a_list_since_lastmodified_holds_only_what_changed(api):
    created(api.post("3/wayofdeliveries", {"WayOfDelivery": {"Code": "P", "Description": "Posten"}}))
    assert api.get("3/wayofdeliveries", {"lastmodified": "2999-01-01 00:00"}).json()["WayOfDeliveries"] == []


def test_the_seed_gives_swedish_registers_and_orders_that_use_them(company):
    do_seed_company(company, size=100)
    ways = {r.key for r in Record.objects.filter(company=company, resource="wayofdeliveries")}
    terms = {r.key for r in Record.objects.filter(company=company, resource="termsofdeliveries")}
    assert {"P", "HÄM", "DHL"} <= ways and "FRITT" in terms
    orders = [r.document for r in Record.objects.filter(company=company, resource="orders")]
    assert {o["WayOfDelivery"] for o in orders} <= ways and len({o["WayOfDelivery"] for o in orders}) > 1
    assert {o["TermsOfDelivery"] for o in orders} <= terms
