from tests.support import openapi_contract as contract


def test_company_information_matches_the_spec(connect):
    response = connect("companyinformation").get("3/companyinformation")
    assert response.json()["CompanyInformation"]["DatabaseNumber"] == 1234567
    contract.assert_matches(response, "GET", "/3/companyinformation")


def test_the_warehouse_tenant_matches_the_spec_and_tells_whether_lager_is_active(connect, company):
    response = connect("warehouse").get("api/warehouse/tenants-v4")
    assert response.json() == {"tenantId": 1234567, "activated": False}
    contract.assert_matches(response, "GET", "/api/warehouse/tenants-v4")


def test_an_error_body_matches_the_spec_in_either_casing(connect):
    response = connect("salary").get("3/companyinformation")
    assert response.json()["ErrorInformation"]["code"] == 2000663
    contract.assert_matches(response, "GET", "/3/companyinformation")


def test_the_harness_rejects_a_body_that_breaks_the_spec():
    def problems(info):
        return contract.errors_in({"CompanyInformation": info}, "GET", "/3/companyinformation", 200)

    assert not problems({"DatabaseNumber": 1, "CompanyName": None})
    assert problems({"DatabaseNumber": "1"})
    assert problems({"Invented": 1})
    assert contract.errors_in({}, "GET", "/3/companyinformation", 200)
