"""Stock: per article and stock point, in-stock and reserved quantities.

Model (the sandbox's choice where Fortnox documents nothing): the article's `QuantityInStock`,
and `ReservedQuantity` are always the totals over its stock points, and
`stockbalances` records (key `{itemId}|{stockPointCode}`) hold the breakdown. An article never
touched by the warehouse has no balance records: its whole quantity is taken to lie at the
company's default stock point, and the first movement writes that down (this is how Fortnox's
activation "moves balances from the item register into the warehouse"). Only stock goods
(`StockGoods: true`) carry stock; movements of other articles are ignored, as in Fortnox."""

from .models import Company
from .store import Store

BALANCES = "stockbalances"
STOCK_POINTS = "stockpoints"
# The stock point of a company that has created none (Fortnox always has one, "Huvudlager").
FALLBACK_STOCK_POINT = "LAGER"


def default_stock_point(company: Company) -> str:
    first = Store(company, STOCK_POINTS).records().order_by("created", "pk").first()
    return first.document["code"] if first else FALLBACK_STOCK_POINT


def _article(company: Company, item_id: str):
    record = Store(company, "articles").get(item_id)
    return record if record and record.document.get("StockGoods") else None


def balances(company: Company, article: dict) -> dict[str, dict]:
    """stock point code -> {"itemId", "stockPointCode", "inStock", "reserved"} for one stock article."""
    stored = Store(company, BALANCES).records().filter(key__startswith=f"{article['ArticleNumber']}|")
    found = {record.document["stockPointCode"]: record.document for record in stored}
    return found or _implicit(article, default_stock_point(company))


def all_balances(company: Company, articles: list[dict]) -> list[dict]:
    """The balances of many articles with one query."""
    stored = {}
    for record in Store(company, BALANCES).records():
        stored.setdefault(record.document["itemId"], {})[record.document["stockPointCode"]] = record.document
    default = default_stock_point(company)
    return [balance for article in articles
            for balance in (stored.get(article["ArticleNumber"]) or _implicit(article, default)).values()]


def _implicit(article: dict, stock_point: str) -> dict[str, dict]:
    """An article the warehouse never moved: its whole quantity lies at the default stock point."""
    return {stock_point: {"itemId": article["ArticleNumber"], "stockPointCode": stock_point,
                          "inStock": article.get("QuantityInStock") or 0, "reserved": article.get("ReservedQuantity") or 0}}


def known_stock_points(company: Company) -> set[str]:
    codes = {record.document["code"] for record in Store(company, STOCK_POINTS).records()}
    return codes or {FALLBACK_STOCK_POINT}


def in_stock(company: Company, item_id: str, stock_point: str) -> float | None:
    """None for articles that carry no stock (services, unknown numbers)."""
    record = _article(company, item_id)
    if record is None:
        return None
    return balances(company, record.document).get(stock_point, {}).get("inStock", 0)


def move(company: Company, in_stock_changes: dict, reserved_changes: dict | None = None):
    """Applies in-stock and reservation changes, both keyed by (itemId, stockPointCode)."""
    reserved_changes = reserved_changes or {}
    for item_id, stock_point in set(in_stock_changes) | set(reserved_changes):
        _move_one(company, item_id, stock_point, in_stock_changes.get((item_id, stock_point), 0),
                  reserved_changes.get((item_id, stock_point), 0))


def difference(new: dict, old: dict) -> dict:
    return {key: new.get(key, 0) - old.get(key, 0) for key in set(new) | set(old)}


def _move_one(company: Company, item_id: str, stock_point: str, quantity: float, reservation: float):
    record = _article(company, item_id)
    if record is None or not (quantity or reservation):
        return
    store = Store(company, BALANCES)
    current = balances(company, record.document)
    for code, balance in current.items():
        store.put(f"{item_id}|{code}", balance)
    balance = current.get(stock_point) or {"itemId": item_id, "stockPointCode": stock_point, "inStock": 0, "reserved": 0}
    balance = {**balance, "inStock": balance["inStock"] + quantity, "reserved": balance["reserved"] + reservation}
    store.put(f"{item_id}|{stock_point}", balance)
    article = record.document
    total_in_stock = (article.get("QuantityInStock") or 0) + quantity
    total_reserved = (article.get("ReservedQuantity") or 0) + reservation
    Store(company, "articles").update(record, {**article, "QuantityInStock": total_in_stock, "ReservedQuantity": total_reserved})
