"""Customers `/3/customers` (scope `customer`), API-FACTS §7. A customer number is never
handed out twice: not by auto-numbering and not by hand, also after the customer was deleted
(2000637); deleted numbers are remembered in `customers-deleted`."""

from ..api import Family
from ..errors import FortnoxError
from ..registers import Register, merged, no_content

family = Family(scope="customer")
customers = Register(
    resource="customers", wrapper="Customer", list_key="Customers", key_field="CustomerNumber",
    schema="fortnox_Customer", list_schema="fortnox_CustomerListItem",
    not_found_code=2000433, not_found_message="Kan inte hitta kunden.",
    # As recorded live: a new company's delivery types and templates, `SalesAccount` a number.
    unset={"DefaultDeliveryTypes": {"Invoice": "PRINT", "Offer": "PRINT", "Order": "PRINT"},
           "DefaultTemplates": dict.fromkeys(("CashInvoice", "Invoice", "Offer", "Order"), "DEFAULTTEMPLATE")},
    as_number=frozenset({"SalesAccount"}),
)
DELETED = "customers-deleted"
READ_ONLY = frozenset({"Country", "DeliveryCountry", "VisitingCountry"})
DEFAULTS = {"Active": True, "Type": "COMPANY", "Currency": "SEK", "CountryCode": "SE", "VATType": "SEVAT"}


def present_item(call, document: dict) -> dict:
    return customers.list_item(call, {**document, "Phone": document.get("Phone1")})


@family.route("3/customers", "GET", "POST")
def customer_list(call):
    if call.request.method == "POST":
        return create(call)
    return customers.page(
        call, present_item,
        sorts={"name": lambda doc: (doc.get("Name") or "").casefold()},
        search={name.lower(): name for name in (
            "CustomerNumber", "Name", "ZipCode", "City", "Email", "OrganisationNumber", "GLN", "GLNDelivery")}
        | {"phone": "Phone1"},
    )


def create(call):
    changes = customers.changes(call, READ_ONLY)
    number = changes.get("CustomerNumber") or customers.next_key(call)
    if customers.store(call).get(number) or call.store(DELETED).get(number):
        raise FortnoxError(2000637, f"Kundnummer {number} används redan. Kundnummer kan inte återanvändas.")
    document = merged({**DEFAULTS, "CustomerNumber": number}, changes, "Name")
    customers.store(call).create(number, document)
    return call.respond(customers.wrap(call, document), status=201)


@family.route("3/customers/<str:CustomerNumber>", "GET", "PUT", "DELETE")
def customer_detail(call, CustomerNumber):
    record = customers.find(call, CustomerNumber)
    if call.request.method == "DELETE":
        call.store(DELETED).put(CustomerNumber, {"CustomerNumber": CustomerNumber})
        customers.store(call).delete(record)
        return no_content()
    if call.request.method == "PUT":
        changes = customers.changes(call, READ_ONLY, CustomerNumber)
        customers.store(call).update(record, merged(record.document, changes, "Name"))
    return call.respond(customers.wrap(call, record.document))

