"""The sandbox's own field definitions (fortnox_sandbox/fields.json): it runs from them, so it
runs from a plain clone; they must say what Fortnox's openapi.json says, and cover every schema
the sandbox names."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from fortnox_sandbox import spec
from fortnox_sandbox.errors import FortnoxError
from fortnox_sandbox.validation import validate

SANDBOX = Path(spec.__file__).parent


def test_the_committed_field_definitions_say_what_fortnoxs_openapi_json_says():
    if not spec.openapi_path().exists():
        pytest.skip(f"Fortnox's openapi.json is not at {spec.openapi_path()} (FORTNOX_OPENAPI_PATH): "
                    "the committed field definitions were not compared with it")
    published = spec.definitions_from(spec.document())
    changed = sorted(name for name in spec.SCHEMAS if published[name] != spec.definitions().get(name))
    assert not changed, f"fields.json differs from openapi.json in {changed}: run `manage.py sandbox_fields`"


def test_every_schema_the_sandbox_names_has_field_definitions():
    named = {name for path in SANDBOX.rglob("*.py") for name in re.findall(
        r"""["']((?:fortnox|warehouse)_[A-Z]\w+)["']""", path.read_text(encoding="utf-8"))}
    assert named <= set(spec.SCHEMAS), f"named in the sandbox but not in spec.SCHEMAS: {sorted(named - set(spec.SCHEMAS))}"
    assert set(spec.definitions()) == set(spec.SCHEMAS)


def test_the_sandbox_validates_without_openapi_json(tmp_path):
    with override_settings(FORTNOX_OPENAPI_PATH=tmp_path / "missing.json"):
        assert validate("fortnox_Employee", {"FirstName": "Åsa", "TaxColumn": "33"})["TaxColumn"] == 33
        with pytest.raises(FortnoxError, match="PersonalIdentityNumbr"):
            validate("fortnox_Employee", {"PersonalIdentityNumbr": "x"})


def test_an_unknown_schema_names_the_command_that_adds_it():
    with pytest.raises(KeyError, match="sandbox_fields"):
        spec.properties("fortnox_Nothing")


def test_the_command_writes_definitions_with_references_resolved(tmp_path, monkeypatch):
    schemas = {name: {"type": "object", "properties": {"Name": {"type": "string"}}} for name in spec.SCHEMAS}
    schemas["fortnox_Employee"] = {"allOf": [
        {"$ref": "#/components/schemas/Base"},
        {"type": "object", "properties": {"Rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
    ]}
    schemas["Base"] = {"type": "object", "properties": {"TaxColumn": {"type": "integer", "minimum": 1, "description": "1-6"}}}
    schemas["Row"] = {"type": "object", "properties": {"Kind": {"type": "string", "enum": ["A", "B"], "maxLength": 1, "example": "A"}}}
    openapi = tmp_path / "openapi.json"
    openapi.write_text(json.dumps({"components": {"schemas": schemas}}))
    monkeypatch.setattr(spec, "FIELDS_PATH", tmp_path / "fields.json")

    call_command("sandbox_fields", openapi=str(openapi), stdout=open(tmp_path / "out.txt", "w"))

    written = json.loads((tmp_path / "fields.json").read_text())["schemas"]
    assert set(written) == set(spec.SCHEMAS)
    assert written["fortnox_Employee"] == {"type": "object", "properties": {
        "TaxColumn": {"type": "integer", "minimum": 1},
        "Rows": {"type": "array", "items": {"type": "object", "properties": {
            "Kind": {"type": "string", "enum": ["A", "B"], "maxLength": 1}}}}}}


def test_the_command_says_when_it_cannot_read_openapi_json(tmp_path):
    with pytest.raises(CommandError, match="Cannot read Fortnox's openapi.json"):
        call_command("sandbox_fields", openapi=str(tmp_path / "missing.json"))
