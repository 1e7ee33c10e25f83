"""The field definitions of the Fortnox resources the sandbox implements — names, types, enums,
lengths, formats, minimums — which request validation and response shaping use.

They are the sandbox's own, committed in `fields.json` beside this module, so the sandbox runs
from a plain clone. `manage.py sandbox_fields` writes that file from Fortnox's published
openapi.json (FORTNOX_OPENAPI_PATH, by default `../shared/fortnox/openapi.json`; the document
itself is never copied into the project): for each schema in SCHEMAS, every field with only the
keywords in KEYWORDS, `$ref`s and `allOf`s resolved. The contract test
(tests/sandbox/test_field_definitions.py) checks the file against openapi.json when it is there.

openapi.json marks no field read-only: what Fortnox ignores on writes is the sandbox's knowledge
(API-FACTS), declared per resource (`READ_ONLY` in the resource modules)."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings

FIELDS_PATH = Path(__file__).with_name("fields.json")

# The schemas the resource modules name (registers' `schema`/`list_schema`, `payload`, `body_of`).
SCHEMAS = (
    "fortnox_AbsenceTransactionSingleItem",
    "fortnox_Article", "fortnox_ArticleListItem",
    "fortnox_Customer", "fortnox_CustomerListItem",
    "fortnox_Employee", "fortnox_EmployeeListItem",
    "fortnox_Invoice", "fortnox_InvoiceListItem",
    "fortnox_Order", "fortnox_OrderListItem",
    "fortnox_ScheduleTime",
    "fortnox_Supplier", "fortnox_SupplierListItem",
    "fortnox_TermsOfDelivery", "fortnox_WayOfDelivery",
    "warehouse_CustomDocumentType", "warehouse_CustomInboundDocument", "warehouse_CustomOutboundDocument",
    "warehouse_IncomingGoods", "warehouse_PurchaseOrder", "warehouse_StockPoint",
)
# What validation and shaping read of a field; the rest of the spec (descriptions, examples,
# patterns, required lists) the sandbox does not enforce, so it is not kept.
KEYWORDS = ("type", "format", "enum", "maxLength", "minLength", "minimum")


@cache
def definitions() -> dict[str, dict]:
    with open(FIELDS_PATH, encoding="utf-8") as handle:
        return json.load(handle)["schemas"]


def properties(name: str) -> dict[str, dict]:
    """The fields of one schema: name → definition (nested objects carry their own `properties`,
    arrays their `items`)."""
    try:
        return definitions()[name]["properties"]
    except KeyError:
        raise KeyError(f"{name} has no field definitions in {FIELDS_PATH.name}: add it to spec.SCHEMAS "
                       f"and run `manage.py sandbox_fields`") from None


# --- Fortnox's openapi.json: for writing fields.json and for the contract tests only ---------------


def openapi_path() -> Path:
    return Path(getattr(settings, "FORTNOX_OPENAPI_PATH", settings.BASE_DIR.parent / "shared/fortnox/openapi.json"))


@cache
def document() -> dict:
    with open(openapi_path(), encoding="utf-8") as handle:
        return json.load(handle)


def definitions_from(openapi: dict) -> dict[str, dict]:
    """fields.json's `schemas`, made from an openapi document."""
    components = openapi["components"]["schemas"]
    return {name: _definition(components[name], components) for name in SCHEMAS}


def _definition(node: dict, components: dict, depth: int = 0) -> dict:
    if depth > 20:
        raise ValueError("the schemas nest more than 20 levels deep (a cycle?)")
    flat = _resolve(node, components)
    kept = {key: flat[key] for key in KEYWORDS if key in flat}
    if "properties" in flat:
        kept["properties"] = {field: _definition(d, components, depth + 1) for field, d in flat["properties"].items()}
    if "items" in flat:
        kept["items"] = _definition(flat["items"], components, depth + 1)
    return kept


def _resolve(node: dict, components: dict) -> dict:
    """A `$ref` is the schema it names (OpenAPI 3.0 ignores keywords beside it); an `allOf` is an
    object with its parts' properties."""
    if "$ref" in node:
        return _resolve(components[node["$ref"].rsplit("/", 1)[1]], components)
    if "allOf" in node:
        merged = {"type": "object", "properties": {}}
        for part in node["allOf"]:
            merged["properties"].update(_resolve(part, components).get("properties", {}))
        return merged
    return node
