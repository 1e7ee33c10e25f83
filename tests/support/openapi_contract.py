"""Checks sandbox responses against the schemas Fortnox publishes in openapi.json.

The spec has known defects (API-FACTS §0); each is handled here, explicitly, and nowhere else:

1. /3 list wrappers lack `MetaInformation` although the live API sends it: the harness
   validates `MetaInformation` on its own (all three keys required) and then the rest.
2. No property is marked `nullable`, but the live API writes null for empty values: optional
   properties also accept null (required ones do not).
3. Live /3 responses send some numbers as strings (API-FACTS §2.1); the fields where the
   sandbox does so are listed in STRING_NUMBERS and accept numeric strings. Nothing else does.
4. `ErrorInformation` is declared with capitalised keys, but most live 400s use lower case:
   both casings are accepted, each complete.
5. Some warehouse list endpoints declare one object although they return arrays: those
   (method, path) pairs are listed in ARRAYS_DECLARED_AS_OBJECTS.
6. Single-record schemas omit `@url`, which every live record carries: `@url` is allowed.
7. Live records carry fields the spec leaves out or types otherwise (API-FACTS §11.1): those
   are listed in LIVE_FIELDS (an invoice's `InvoiceReference`, a list's `QuantityInStock` as
   "0", a customer's `SalesAccount` as a number) and accept the live form as well.

In return the harness is stricter than the spec in two places: wrapper schemas (`*_Wrap`)
require their wrapper key, and objects may not carry properties the spec does not declare.
"""

import copy
import json
from functools import cache

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from fortnox_sandbox import spec

ROOT = "urn:fortnox-openapi"
NUMERIC_STRING = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
STRING_NUMBERS = {
    "fortnox_AbsenceTransactionSingleItem": {"Extent", "Hours"},
    "fortnox_AbsenceTransactionListItem": {"Extent", "Hours"},
    "fortnox_ArticleListItem": {"QuantityInStock"},
}
LIVE_FIELDS = {
    "fortnox_Invoice": {"InvoiceReference": {"type": "string"}},
    "fortnox_Customer": {"SalesAccount": {"type": "integer"}},
}
ARRAYS_DECLARED_AS_OBJECTS: set[tuple[str, str]] = {
    ("GET", "/api/warehouse/stockpoints-v1"),
    ("GET", "/api/warehouse/stockpoints-v1/{id}/stocklocations"),
    ("GET", "/api/warehouse/status-v1/stockbalance"),
    ("GET", "/api/warehouse/purchaseorders-v1"),
    ("GET", "/api/warehouse/documentdeliveries/custom/documenttypes-v1"),
}
META = {
    "type": "object",
    "properties": {name: {"type": "integer", "minimum": 0} for name in ("@TotalResources", "@TotalPages", "@CurrentPage")},
    "required": ["@TotalResources", "@TotalPages", "@CurrentPage"],
    "additionalProperties": False,
}
ERROR_KEYS = ("error", "message", "code")


def _error_information() -> dict:
    def variant(keys):
        error, message, code = keys
        return {"type": "object", "additionalProperties": False, "required": list(keys),
                "properties": {error: {"type": "integer"}, message: {"type": "string"}, code: {"type": "integer"}}}

    return {"anyOf": [variant(ERROR_KEYS), variant(tuple(k.capitalize() for k in ERROR_KEYS))]}


def _tighten(name: str, node):
    if isinstance(node, list):
        return [_tighten(name, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _tighten(name, value) for key, value in node.items()}
    if "properties" in node:
        required = set(node.get("required", []))
        properties = node["properties"]
        for field, definition in list(properties.items()):
            if field in STRING_NUMBERS.get(name, ()):
                definition = {"anyOf": [definition, NUMERIC_STRING]}
            if field in LIVE_FIELDS.get(name, {}):
                definition = {"anyOf": [definition, LIVE_FIELDS[name][field]]}
            properties[field] = definition if field in required else {"anyOf": [definition, {"type": "null"}]}
        properties.setdefault("@url", {"type": "string"})
        for field, definition in LIVE_FIELDS.get(name, {}).items():
            properties.setdefault(field, {"anyOf": [definition, {"type": "null"}]})
        node.setdefault("additionalProperties", False)
    return node


@cache
def _document() -> dict:
    document = copy.deepcopy(spec.document())
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        schemas[name] = _tighten(name, schema)
        if name.endswith("_Wrap") or name.endswith("Wrap"):
            schemas[name]["required"] = sorted(set(schemas[name].get("properties", {})) - {"@url"})
    schemas["fortnox_ErrorInformationWrap_ErrorInformation"] = _error_information()
    return document


@cache
def _registry() -> Registry:
    return Registry().with_resource(ROOT, Resource(contents=_document(), specification=DRAFT7))


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_schema(method: str, path: str, status: int) -> dict:
    """A `$ref` into the document, so that inline schemas resolve their own `$ref`s too."""
    responses = _document()["paths"][path][method.lower()]["responses"]
    code = str(status) if str(status) in responses else "default"
    schema = {"$ref": ROOT + "#" + _pointer("paths", path, method.lower(), "responses", code, "content",
                                            "application/json", "schema")}
    listed = (method.upper(), path) in ARRAYS_DECLARED_AS_OBJECTS and status < 300
    return {"type": "array", "items": schema} if listed else schema


def skip_without_openapi():
    """A plain clone has no openapi.json (it sits in ../shared beside a full checkout): the
    schema checks cannot run there, and the tests that make them say so instead of failing."""
    if not spec.openapi_path().exists():
        pytest.skip(f"Fortnox's openapi.json is not at {spec.openapi_path()} (FORTNOX_OPENAPI_PATH): "
                    "the responses were not checked against Fortnox's schemas")


def errors_in(body, method: str, path: str, status: int) -> list[str]:
    skip_without_openapi()
    if isinstance(body, dict) and "MetaInformation" in body:
        problems = [f"MetaInformation: {e.message}" for e in Draft7Validator(META).iter_errors(body["MetaInformation"])]
        body = {key: value for key, value in body.items() if key != "MetaInformation"}
    else:
        problems = []
    validator = Draft7Validator(response_schema(method, path, status), registry=_registry(),
                                format_checker=Draft7Validator.FORMAT_CHECKER)
    return problems + [_deepest(error) for error in validator.iter_errors(body)]


def _deepest(error) -> str:
    """The innermost reason: an `anyOf` (every optional field may also be null) otherwise
    reports only that the whole record matched neither branch."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


def assert_matches(response, method: str, path: str):
    """`path` is the spec's path template, e.g. "/3/employees/{EmployeeId}"."""
    body = json.loads(response.content)
    problems = errors_in(body, method, path, response.status_code)
    assert not problems, f"{method} {path} ({response.status_code}) breaks the spec:\n" + "\n".join(problems[:20])


def assert_list_has_meta(response):
    assert "MetaInformation" in json.loads(response.content), "live /3 lists carry MetaInformation"
