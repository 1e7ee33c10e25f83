"""Request bodies checked against Fortnox's own field definitions (`spec`): unknown fields,
types, enums, lengths and dates. Values come back normalised (numeric strings become numbers,
numbers sent for string fields become strings), so rules and storage see one form.

/3 writes follow Fortnox's "delete values" rule (API-FACTS §2.6): a field sent as `null` or
`""` is left as it is (it is dropped from the changes), and only the string `API_BLANK`
empties a text field (it becomes `""`). A typed number or boolean cannot take `API_BLANK`:
that is refused like any other value of the wrong type. The warehouse API (camelCase, no
wrapper) has no such rule: its bodies replace what they name."""

from datetime import date

from . import spec
from .errors import FortnoxError, unknown_field

NUMERIC = {"number", "integer"}
API_BLANK = "API_BLANK"


def validate(schema_name: str, document: dict, read_only: frozenset = frozenset(), *, blanks: bool = False) -> dict:
    """The document with read-only fields removed. Fortnox ignores read-only fields on writes,
    so a client may send back what it read (including `@url`). `blanks`: the /3 rule for
    `null`, `""` and `API_BLANK` (see the module docstring)."""
    return _validate_object(spec.properties(schema_name), document, read_only, blanks)


def _validate_object(fields: dict, document: dict, read_only: frozenset, blanks: bool = False) -> dict:
    clean = {}
    for name, value in document.items():
        if name not in fields:
            raise unknown_field(name)
        if name in read_only or name == "@url" or (blanks and value in (None, "")):
            continue
        clean[name] = _validate_value(name, value, fields[name], blanks)
    return clean


def _validate_value(name: str, value, definition: dict, blanks: bool = False):
    if value is None:
        return None
    kind = definition.get("type")
    if kind == "array":
        if not isinstance(value, list):
            raise FortnoxError(2001392, f"Ingen eller felaktig typ av data ({name}).")
        items = definition.get("items", {})
        if items.get("type") == "object" or "properties" in items:
            return [_validate_object(items.get("properties", {}), _as_object(name, item), frozenset(), blanks) for item in value]
        return [_validate_value(name, item, items, blanks) for item in value]
    if kind == "object" or "properties" in definition:
        return _validate_object(definition.get("properties", {}), _as_object(name, value), frozenset(), blanks)
    if blanks and value == API_BLANK and kind == "string":
        return ""
    if kind == "boolean":
        if not isinstance(value, bool):
            raise FortnoxError(2000134, f"Värdet måste vara en boolean ({name})")
        return value
    if kind in NUMERIC:
        return _number(name, value, kind)
    if kind == "string":
        return _string(name, value, definition)
    return value


def _as_object(name: str, value) -> dict:
    if not isinstance(value, dict):
        raise FortnoxError(2001392, f"Ingen eller felaktig typ av data ({name}).")
    return value


def _number(name: str, value, kind: str):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FortnoxError(2000108, f"Värdet måste vara numeriskt ({name})")
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else value
    except ValueError:
        raise FortnoxError(2000108, f"Värdet måste vara numeriskt ({name})") from None
    if kind == "integer":
        if number != int(number):
            raise FortnoxError(2000108, f"Värdet måste vara ett heltal ({name})")
        return int(number)
    return number


def numeric(name: str, value) -> float:
    """A number from a field the spec types as a string (schedule hours, salaries)."""
    return float(_number(name, value, "number"))


def _string(name: str, value, definition: dict) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FortnoxError(2000106, f"Värdet måste vara alfanumeriskt ({name})")
    text = value if isinstance(value, str) else format_number(value)
    if "enum" in definition and text not in definition["enum"]:
        raise FortnoxError(2000359, f"Ogiltigt värde för {name}: {text}")
    if "maxLength" in definition and len(text) > definition["maxLength"]:
        raise FortnoxError(2000359, f"Värdet för {name} är för långt (max {definition['maxLength']} tecken).")
    if definition.get("format") == "date" and text:
        parse_date(name, text)
    return text


def parse_date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text) if len(text) == 10 else _not_a_date(name, text)
    except ValueError:
        return _not_a_date(name, text)


def _not_a_date(name: str, text: str):
    raise FortnoxError(2000359, f"Ogiltigt datum för {name}: {text} (ÅÅÅÅ-MM-DD)")


def format_number(value) -> str:
    """Numbers the way the live API writes them into strings: "100", "37.5"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def as_strings(document: dict, fields) -> dict:
    return {key: format_number(value) if key in fields and isinstance(value, (int, float)) and not isinstance(value, bool)
            else value for key, value in document.items()}
