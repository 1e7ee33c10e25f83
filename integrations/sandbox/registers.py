"""What the numbered /3 registers (articles, customers, suppliers, orders, invoices) share:
a key field with Fortnox's auto-numbering, a not-found error, and documents shaped by the
OpenAPI schema on the way out (every field present, numbers as strings where the schema says
string, as the live API writes them)."""

from dataclasses import dataclass

from django.http import HttpResponse

from . import spec
from .errors import FortnoxError, NotFound
from .store import Store
from .validation import format_number

# Fortnox does not document these codes; they are the sandbox's.
REQUIRED_FIELD = 2003400
KEY_FIXED = 2003401
ACTIVE_FILTERS = {"active": lambda doc: doc.get("Active"), "inactive": lambda doc: not doc.get("Active")}


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

    def page(self, call, present, *, sorts: dict, search: dict, filters: dict = ACTIVE_FILTERS, records=None):
        """A list in key order (numbers numerically) unless `sortby` says otherwise."""
        by_key = lambda doc: number_order(doc[self.key_field])  # noqa: E731
        return call.page(self.store(call).records() if records is None else records, self.list_key, present,
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
        return {"@url": self.url(call, document), **shaped(self.schema, document)}

    def list_item(self, call, document: dict) -> dict:
        return {"@url": self.url(call, document), **shaped(self.list_schema, document)}

    def wrap(self, call, document: dict) -> dict:
        return {self.wrapper: self.full(call, document)}


def shaped(schema_name: str, document: dict) -> dict:
    """Every field of the schema (unset ones as null, like the live API), numbers written as
    strings where the schema types the field as a string."""
    return _shape(spec.properties(schema_name), document)


def _shape(fields: dict, document: dict) -> dict:
    return {name: _shape_value(spec.resolve(definition), document.get(name))
            for name, definition in fields.items() if not name.startswith("@")}


def _shape_value(definition: dict, value):
    kind = definition.get("type")
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    if kind == "array" and isinstance(value, list):
        items = spec.resolve(definition.get("items", {}))
        if "properties" in items:
            return [_shape(items["properties"], item) for item in value]
    return value


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
