"""What the warehouse API's document families share: camelCase bodies checked against the
spec, `{"error","message","id"}` errors, boolean query filters and booking documents' stock
movements (kept in the document as `_stock` so `void` can undo exactly what `release` did)."""

from .errors import WarehouseError
from .stock import STOCK_POINTS, default_stock_point, known_stock_points, move
from .validation import validate


def body_of(call, schema_name: str, read_only: frozenset = frozenset()) -> dict:
    body = call.json()
    if not isinstance(body, dict):
        raise WarehouseError("invalid.body", "Anropet måste innehålla ett JSON-objekt.")
    return validate(schema_name, body, read_only)


def required(body: dict, *names: str):
    missing = [name for name in names if body.get(name) in (None, "", [])]
    if missing:
        raise WarehouseError("validation", f"Obligatoriska fält saknas: {', '.join(missing)}.")


def not_found(what: str) -> WarehouseError:
    return WarehouseError("notfound", f"{what} hittades inte.", status=404)


def flag_filters(call, names: tuple[str, ...]) -> dict[str, bool]:
    """`?released=true&voided=false` -> {"released": True, "voided": False}; anything else is refused."""
    flags = {}
    for name in names:
        raw = call.request.GET.get(name)
        if raw is None:
            continue
        if raw not in ("true", "false"):
            raise WarehouseError("invalid.parameter", f"{name} måste vara true eller false.")
        flags[name] = raw == "true"
    return flags


def stock_point_code(call, row: dict, document: dict) -> str:
    """A row's stock point: its code, else its id looked up, else the document's, else the default."""
    code = row.get("stockPointCode") or document.get("stockPointCode")
    if code:
        if code not in known_stock_points(call.company):
            raise WarehouseError("validation", f"Lagerstället {code} finns inte.")
        return code
    point_id = row.get("stockPointId") or document.get("stockPointId")
    point = call.store(STOCK_POINTS).get(point_id) if point_id else None
    if point_id and point is None:
        raise WarehouseError("notfound", f"Lagerstället {point_id} hittades inte.", status=404)
    return point.document["code"] if point else default_stock_point(call.company)


def book(call, document: dict, movements: dict) -> dict:
    """Applies stock movements ((itemId, stockPointCode) -> quantity) and remembers them."""
    move(call.company, movements)
    return {**document, "_stock": [[list(key), quantity] for key, quantity in movements.items() if quantity]}


def unbook(call, document: dict) -> dict:
    move(call.company, {tuple(key): -quantity for key, quantity in document.get("_stock", [])})
    return {**document, "_stock": []}


def shown(document: dict) -> dict:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def refuse_changes(document: dict, released_field: str):
    if document.get("voided"):
        raise WarehouseError("document_is_voided", "Dokumentet är makulerat.")
    if document.get(released_field):
        raise WarehouseError("cannot_modify_released_document", "Ett släppt dokument kan inte ändras.")
