"""Stock points `/api/warehouse/stockpoints-v1` and stock balance
`/api/warehouse/status-v1/stockbalance` (scope `warehouse`, Lager), API-FACTS §9."""

import uuid

from ..api import Family
from ..errors import WAREHOUSE, WarehouseError
from ..stock import BALANCES, STOCK_POINTS, all_balances
from ..warehouse_documents import body_of, not_found, required

family = Family(scope="warehouse", style=WAREHOUSE)
STATES = {"ACTIVE": lambda doc: doc["active"], "INACTIVE": lambda doc: not doc["active"], "ALL": lambda doc: True}


def listed(document: dict) -> dict:
    """Lists leave out the stock locations (Fortnox answers them on the single point)."""
    return {key: value for key, value in document.items() if key != "stockLocations"}


@family.route("api/warehouse/stockpoints-v1", "GET", "POST")
def stock_point_list(call):
    store = call.store(STOCK_POINTS)
    if call.request.method == "POST":
        document = checked(call, body_of(call, "warehouse_StockPoint"), str(uuid.uuid4()))
        store.create(document["id"], document)
        return call.respond(document, status=201)
    state = call.request.GET.get("state", "ACTIVE").upper()
    if state not in STATES:
        raise WarehouseError("invalid.state", f"Okänt värde för state: {state} (ACTIVE, INACTIVE eller ALL).")
    needle = call.request.GET.get("q", "").casefold()
    documents = [record.document for record in store.records().order_by("created", "pk")]
    return call.respond([
        listed(doc) for doc in documents
        if STATES[state](doc) and (needle in doc["code"].casefold() or needle in doc["name"].casefold())
    ])


def checked(call, body: dict, point_id: str) -> dict:
    required(body, "code", "name")
    taken = [record for record in call.store(STOCK_POINTS).records()
             if record.document["code"].casefold() == body["code"].casefold() and record.key != point_id]
    if taken:
        raise WarehouseError("alreadyexists", f"Det finns redan ett lagerställe med koden {body['code']}.")
    locations = [{**location, "id": location.get("id") or str(uuid.uuid4()), "stockPointId": point_id}
                 for location in body.get("stockLocations") or []]
    codes = [location["code"] for location in locations]
    if len(codes) != len(set(codes)):
        raise WarehouseError("duplicatestocklocations", "Lagerplatsernas koder måste vara unika inom lagerstället.")
    return {"active": True, "usingCompanyAddress": True, **body, "id": point_id, "stockLocations": locations}


def find(call, id_or_code: str):
    store = call.store(STOCK_POINTS)
    record = store.get(id_or_code) or next(
        (record for record in store.records() if record.document["code"] == id_or_code), None)
    if record is None:
        raise not_found("Lagerstället")
    return record


@family.route("api/warehouse/stockpoints-v1/<str:id_or_code>", "GET", "PUT", "DELETE")
def stock_point_detail(call, id_or_code):
    record = find(call, id_or_code)
    store = call.store(STOCK_POINTS)
    if call.request.method == "PUT":
        store.update(record, checked(call, body_of(call, "warehouse_StockPoint"), record.key))
    elif call.request.method == "DELETE":
        in_use = call.store(BALANCES).records().filter(document__stockPointCode=record.document["code"])
        if any(balance.document["inStock"] or balance.document["reserved"] for balance in in_use):
            raise WarehouseError("stockpointinuse", "Lagerstället har saldo och kan inte tas bort.")
        store.delete(record)
    return call.respond(record.document)


@family.route("api/warehouse/stockpoints-v1/<str:id_or_code>/stocklocations", "GET")
def stock_locations(call, id_or_code):
    needle = call.request.GET.get("q", "").casefold()
    return call.respond([location for location in find(call, id_or_code).document["stockLocations"]
                         if needle in location["code"].casefold() or needle in (location.get("name") or "").casefold()])


@family.route("api/warehouse/status-v1/stockbalance", "GET")
def stock_balance(call):
    """`availableStock` is in stock minus reserved, per article and stock point."""
    item_ids = [item for item in call.request.GET.get("itemIds", "").split(",") if item]
    codes = {code for code in call.request.GET.get("stockPointCodes", "").split(",") if code}
    articles = call.store("articles").records().filter(document__StockGoods=True).order_by("key")
    if item_ids:
        articles = articles.filter(key__in=item_ids)
    return call.respond([
        {"itemId": balance["itemId"], "stockPointCode": balance["stockPointCode"], "inStock": balance["inStock"],
         "availableStock": balance["inStock"] - balance["reserved"]}
        for balance in all_balances(call.company, [article.document for article in articles])
        if not codes or balance["stockPointCode"] in codes
    ])
