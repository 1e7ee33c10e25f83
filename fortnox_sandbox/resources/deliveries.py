"""Ways of delivery `/3/wayofdeliveries` and terms of delivery `/3/termsofdeliveries`, the two
code registers an order's `WayOfDelivery` and `TermsOfDelivery` name. Scope `settings` (Fortnox's
scope page lists them with the company settings; not yet in API-FACTS). The spec has DELETE for
ways of delivery only, so only they can be deleted. Codes are typed in, never numbered."""

from dataclasses import dataclass

from ..api import Family
from ..errors import FortnoxError
from ..registers import Register, merged, no_content, required_field
from ..seeding import seeder
from .warehouse_seed import SeedCall

family = Family(scope="settings")
# Sandbox's codes: Fortnox does not document these registers' errors.
CODE_TAKEN = 2003430


@dataclass(frozen=True)
class CodeRegister:
    register: Register
    required: tuple  # text fields a document must have besides Code
    seed: tuple  # (Code, Description, DescriptionEnglish)

    def create(self, call):
        changes = self.register.changes(call, frozenset())
        code = str(changes.get("Code") or "").strip()
        if not code:
            raise required_field("Code")
        if self.register.store(call).get(code):
            raise FortnoxError(CODE_TAKEN, f"Koden {code} används redan.")
        document = merged({}, {**changes, "Code": code}, *self.required)
        self.register.store(call).create(code, document)
        return call.respond(self.register.wrap(call, document), status=201)

    def update(self, call, record):
        changes = self.register.changes(call, frozenset(), record.key)
        self.register.store(call).update(record, merged(record.document, changes, *self.required))
        return call.respond(self.register.wrap(call, record.document))

    def listed(self, call):
        return self.register.page(call, self.register.list_item, sorts={}, search={}, filters={})


def code_register(resource, wrapper, list_key, schema, not_found_code, not_found_message, required, seed):
    return CodeRegister(Register(
        resource=resource, wrapper=wrapper, list_key=list_key, key_field="Code", schema=schema, list_schema=schema,
        not_found_code=not_found_code, not_found_message=not_found_message,
    ), required, seed)


WAYS = code_register(
    "wayofdeliveries", "WayOfDelivery", "WayOfDeliveries", "fortnox_WayOfDelivery", 2003431,
    "Kan inte hitta leveranssättet.", (), (
        ("P", "Posten", "Swedish Post"), ("MYPACK", "PostNord MyPack Collect", "PostNord MyPack Collect"),
        ("DHL", "DHL Paket", "DHL Parcel"), ("SCH", "DB Schenker", "DB Schenker"),
        ("HÄM", "Hämtas", "Collected by the customer"), ("BUD", "Bud", "Courier"),
    ),
)
TERMS = code_register(
    "termsofdeliveries", "TermsOfDelivery", "TermsOfDeliveries", "fortnox_TermsOfDelivery", 2003432,
    "Kan inte hitta leveransvillkoret.", ("Description",), (
        ("FRITT", "Fritt levererat", "Free delivery"), ("FVL", "Fritt vårt lager", "Ex works our warehouse"),
        ("FK", "Fraktfritt", "Carriage paid"), ("EXW", "Ex Works", "Ex Works"),
    ),
)


@family.route("3/wayofdeliveries", "GET", "POST")
def way_list(call):
    return WAYS.create(call) if call.request.method == "POST" else WAYS.listed(call)


@family.route("3/wayofdeliveries/<str:Code>", "GET", "PUT", "DELETE")
def way_detail(call, Code):
    record = WAYS.register.find(call, Code)
    if call.request.method == "PUT":
        return WAYS.update(call, record)
    if call.request.method == "DELETE":
        WAYS.register.store(call).delete(record)
        return no_content()
    return call.respond(WAYS.register.wrap(call, record.document))


@family.route("3/termsofdeliveries", "GET", "POST")
def terms_list(call):
    return TERMS.create(call) if call.request.method == "POST" else TERMS.listed(call)


@family.route("3/termsofdeliveries/<str:Code>", "GET", "PUT")
def terms_detail(call, Code):
    record = TERMS.register.find(call, Code)
    if call.request.method == "PUT":
        return TERMS.update(call, record)
    return call.respond(TERMS.register.wrap(call, record.document))


@seeder(25)
def seed_delivery_registers(company, rng, size):
    call = SeedCall(company)
    for codes in (WAYS, TERMS):
        for code, description, english in codes.seed:
            codes.register.store(call).create(code, {"Code": code, "Description": description,
                                                     "DescriptionEnglish": english})
