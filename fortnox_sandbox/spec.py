"""Fortnox's published OpenAPI document, read lazily from FORTNOX_OPENAPI_PATH (never copied
into the project). It supplies the field lists, types and enums that request validation uses."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings


def openapi_path() -> Path:
    return Path(getattr(settings, "FORTNOX_OPENAPI_PATH", settings.BASE_DIR.parent / "shared/fortnox/openapi.json"))


@cache
def document() -> dict:
    with open(openapi_path(), encoding="utf-8") as handle:
        return json.load(handle)


def schema(name: str) -> dict:
    """A component schema with its `$ref`s and `allOf`s flattened one level deep (enough for
    field lists: nested objects are validated by their own schema when a rule asks for it)."""
    found = document()["components"]["schemas"][name]
    return resolve(found)


def resolve(node: dict) -> dict:
    if "$ref" in node:
        return resolve(document()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    if "allOf" in node:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in node["allOf"]:
            flat = resolve(part)
            merged["properties"].update(flat.get("properties", {}))
            merged["required"] += flat.get("required", [])
        return merged
    return node


def properties(name: str) -> dict[str, dict]:
    return {field: resolve(definition) for field, definition in schema(name).get("properties", {}).items()}
