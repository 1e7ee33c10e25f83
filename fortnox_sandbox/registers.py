"""What the numbered /3 registers (articles, customers, suppliers, orders, invoices) share:
a key field with Fortnox's auto-numbering, a not-found error, and documents shaped by the
OpenAPI schema on the way out, as the live API writes them (API-FACTS §11.1):

- every field of the schema is present; an unset one is the company's default where Fortnox
  has one (`COMPANY_DEFAULTS`, a register's own `unset`), else the empty value of its type:
  `""`, `0`, `false`, `[]`, or an object of such values (`EmailInformation`);
- an unset date, enumerated text, or field whose minimum or minimum length the spec sets above
  0, stays `null` ("" or 0 would break the schema; what live writes there is UNCONFIRMED), as
  does a field a register lists in `nulls` because it was recorded null live (an article's
  `Manufacturer`);
- numbers are strings where the schema says string, and where a register's `as_text` says so
  although the schema says number (live lists send `QuantityInStock` as "0"); `as_number`
  is the other way round (a customer's `SalesAccount` comes back as 3001)."""

from dataclasses import dataclass, field

from django.http import HttpResponse

from . import spec
from .errors import FortnoxError, NotFound
from .store import Store
from .validation import format_number

# Fortnox does not document these codes; they are the sandbox's.
REQUIRED_FIELD = 2003400
KEY_FIXED = 2003401
ACTIVE_FILTERS = {"active": lambda doc: doc.get("Active"), "inactive": lambda doc: not doc.get("Active")}
# The company settings a new Fortnox company starts with, written where a record has no value.
COMPANY_DEFAULTS = {"CurrencyRate": 1, "CurrencyUnit": 1, "Language": "SV", "TermsOfPayment": "30", "PriceList": "A"}


@dataclass(frozen=True)
class Register:
    resource: str  # record store resource and URL segment, e.g. "articles"
    wrapper: str  # "Article"
    list_key: str  # "Articles"
    key_field: str  # "ArticleNumber"
    schema: str  # "fortnox_Article"
    list_schema: str  # "fortnox_ArticleListItem"
    not_found_code: int
    not_found_message: str
    unset: dict = field(default_factory=dict)  # this register's defaults beyond COMPANY_DEFAULTS
    nulls: frozenset = frozenset()
    as_text: frozenset = frozenset()  # in list items
    as_number: frozenset = frozenset()

    def store(self, call) -> Store:
        return call.store(self.resource)

    def find(self, call, key: str):
        record = self.store(call).get(str(key))
        if record is None:
            raise NotFound(self.not_found_code, self.not_found_message)
        return record

    def changes(self, call, read_only: frozenset, key: str | None = None) -> dict:
        """The body's fields; on an update (`key` given) the key may be echoed but not changed."""
        changes = call.payload(self.wrapper, self.schema, read_only)
        if key is not None and changes.get(self.key_field, key) != key:
            raise FortnoxError(KEY_FIXED, f"{self.key_field} kan inte ändras.")
        return changes

    def page(self, call, present, *, sorts: dict, search: dict, filters: dict = ACTIVE_FILTERS):
        """A list in key order (numbers numerically) unless `sortby` says otherwise."""
        by_key = lambda doc: number_order(doc[self.key_field])  # noqa: E731
        return call.page(self.store(call).records(), self.list_key, present,
                         filters=filters, sorts={self.key_field.lower(): by_key, **sorts}, default_sort=by_key,
                         search=search)

    def next_key(self, call) -> str:
        """Fortnox continues after the highest numeric key, also one that was typed in by hand,
        and never hands out a number twice (the series survives deletions)."""
        numeric = [int(key) for key in self.store(call).records().values_list("key", flat=True) if key.isdigit()]
        return str(call.company.next_number(self.resource, at_least=max(numeric, default=0) + 1))

    def url(self, call, document: dict) -> str:
        return call.url(f"3/{self.resource}/{document[self.key_field]}")

    def full(self, call, document: dict) -> dict:
        return {"@url": self.url(call, document), **self.shaped(self.schema, document)}

    def list_item(self, call, document: dict) -> dict:
        shown = self.shaped(self.list_schema, document)
        return {"@url": self.url(call, document), **{
            name: format_number(value) if name in self.as_text and _is_number(value) else value
            for name, value in shown.items()}}

    def shaped(self, schema_name: str, document: dict) -> dict:
        shown = _shape(spec.properties(schema_name), document, {**COMPANY_DEFAULTS, **self.unset}, self.nulls)
        for name in self.as_number & set(shown):
            shown[name] = _as_number(shown[name])
        return shown

    def wrap(self, call, document: dict) -> dict:
        return {self.wrapper: self.full(call, document)}


def _shape(fields: dict, document: dict, unset: dict, nulls: frozenset = frozenset()) -> dict:
    shown = {}
    for name, definition in fields.items():
        if name.startswith("@"):
            continue
        value = document.get(name)
        if value is None and name not in nulls:
            value = unset[name] if name in unset else _empty(definition)
        shown[name] = _shape_value(definition, value)
    return shown


def _empty(definition: dict):
    """What live Fortnox writes for an unset field of this type."""
    kind = definition.get("type")
    if "properties" in definition:
        return _shape(definition["properties"], {}, {})
    if definition.get("minimum", 0) > 0 or definition.get("minLength", 0) > 0:
        return None  # 0 or "" is no value of such a field (an employee's TaxColumn is 1-6)
    if kind == "string":
        return None if "enum" in definition or definition.get("format") in ("date", "date-time") else ""
    return {"number": 0, "integer": 0, "boolean": False, "array": []}.get(kind)


def _shape_value(definition: dict, value):
    kind = definition.get("type")
    if kind == "string" and _is_number(value):
        return format_number(value)
    if kind == "array" and isinstance(value, list):
        items = definition.get("items", {})
        if "properties" in items:
            return [_shape(items["properties"], item, {}) for item in value]
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_number(value):
    text = str(value or "").strip()
    try:
        number = float(text) if text else 0
    except ValueError:
        return value
    return int(number) if float(number).is_integer() else number


def number_order(key: str) -> tuple:
    """Fortnox lists numbers in numeric order (2 before 10), other keys after them by text."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def required_field(name: str) -> FortnoxError:
    return FortnoxError(REQUIRED_FIELD, f"Fältet {name} måste fyllas i.")


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def merged(current: dict, changes: dict, *required: str) -> dict:
    """A partial update (PUT leaves unsent fields alone) with its required text fields filled."""
    document = {**current, **changes}
    for name in required:
        if not str(document.get(name) or "").strip():
            raise required_field(name)
    return document
