"""Suppliers `/3/suppliers` (scope `supplier`), API-FACTS §6. No DELETE (none in the spec)."""

from ..api import Family
from ..errors import FortnoxError
from ..registers import Register, merged

family = Family(scope="supplier")
suppliers = Register(
    resource="suppliers", wrapper="Supplier", list_key="Suppliers", key_field="SupplierNumber",
    schema="fortnox_Supplier", list_schema="fortnox_SupplierListItem",
    not_found_code=2000432, not_found_message="Kan inte hitta leverantören.",
)
READ_ONLY = frozenset({"Country", "VisitingCountry"})
DEFAULTS = {"Active": True, "Currency": "SEK", "CountryCode": "SE"}
# Sandbox's code: Fortnox's code for a taken supplier number is not documented.
SUPPLIER_NUMBER_TAKEN = 2003414


def present_item(call, document: dict) -> dict:
    return suppliers.list_item(call, {**document, "Phone": document.get("Phone1")})


@family.route("3/suppliers", "GET", "POST")
def supplier_list(call):
    if call.request.method == "POST":
        return create(call)
    return suppliers.page(
        call, present_item,
        sorts={"name": lambda doc: (doc.get("Name") or "").casefold()},
        search={name.lower(): name for name in (
            "City", "Email", "Name", "OrganisationNumber", "Phone1", "Phone2", "SupplierNumber", "ZipCode")},
    )


def create(call):
    changes = suppliers.changes(call, READ_ONLY)
    number = changes.get("SupplierNumber") or suppliers.next_key(call)
    if suppliers.store(call).get(number):
        raise FortnoxError(SUPPLIER_NUMBER_TAKEN, f"Leverantörsnummer {number} används redan.")
    document = merged({**DEFAULTS, "SupplierNumber": number}, changes, "Name")
    suppliers.store(call).create(number, document)
    return call.respond(suppliers.wrap(call, document), status=201)


@family.route("3/suppliers/<str:SupplierNumber>", "GET", "PUT")
def supplier_detail(call, SupplierNumber):
    record = suppliers.find(call, SupplierNumber)
    if call.request.method == "PUT":
        changes = suppliers.changes(call, READ_ONLY, SupplierNumber)
        suppliers.store(call).update(record, merged(record.document, changes, "Name"))
    return call.respond(suppliers.wrap(call, record.document))

