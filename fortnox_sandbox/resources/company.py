"""Company information (/3) and the warehouse tenant (/api/warehouse), both from `Company`."""

from ..api import Family
from ..errors import WAREHOUSE

company_information = Family(scope="companyinformation")
tenant = Family(scope="warehouse", style=WAREHOUSE)


@company_information.route("3/companyinformation", "GET")
def show_company_information(call):
    company = call.company
    return call.respond({"CompanyInformation": {
        "Address": company.address, "City": company.city, "CountryCode": "SE",
        "DatabaseNumber": company.database_number, "CompanyName": company.name,
        "OrganizationNumber": company.organisation_number, "VisitAddress": company.address,
        "VisitCity": company.city, "VisitCountryCode": "SE", "VisitZipCode": company.zip_code,
        "ZipCode": company.zip_code,
    }})


# Answers without the Lager licence too: telling whether the warehouse is activated is its job.
@tenant.route("api/warehouse/tenants-v4", "GET", licensed=False)
def show_tenant(call):
    return call.respond({"tenantId": call.company.database_number, "activated": call.company.warehouse_licence})
