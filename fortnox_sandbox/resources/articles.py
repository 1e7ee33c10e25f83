"""Articles `/3/articles` (scope `article`), API-FACTS §5.

Stock: while the company's warehouse module (Lager) is off, `QuantityInStock` is an ordinary
writable field. With Lager on, the warehouse owns stock (it changes only through deliveries,
see `stock.py`), and a write that would change `QuantityInStock` is refused with 400 and a
Swedish message. Fortnox does not document what happens (UNCONFIRMED); an error is the
sandbox's choice because a silent ignore would hide exactly the bug an integration must not
have. Sending back the unchanged value (a client echoing what it read) is accepted."""

from ..api import Family
from ..errors import FortnoxError
from ..registers import Register, merged, no_content
from ..searches import flag

family = Family(scope="article")
articles = Register(
    resource="articles", wrapper="Article", list_key="Articles", key_field="ArticleNumber",
    schema="fortnox_Article", list_schema="fortnox_ArticleListItem",
    not_found_code=2000428, not_found_message="Kan inte hitta artikeln.",
    # As recorded live: `Manufacturer` null when unset, lists write `QuantityInStock` as "0".
    nulls=frozenset({"Manufacturer"}), as_text=frozenset({"QuantityInStock"}),
)
READ_ONLY = frozenset({"ReservedQuantity", "DisposableQuantity", "StockValue", "SalesPrice", "SupplierName"})
DEFAULTS = {
    "Active": True, "Type": "STOCK", "StockGoods": False, "QuantityInStock": 0, "ReservedQuantity": 0, "EAN": "",
    "VAT": 25, "PurchasePrice": 0, "SalesPrice": 0, "Bulky": False, "Expired": False, "Housework": False,
    "WebshopArticle": False, "Unit": "st", "CostCalculationMethod": "MANUAL",
}
ARTICLE_NUMBER_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ0123456789-–+/._")

# Sandbox codes where Fortnox's real one is unknown (documented in the sandbox README).
STOCK_OWNED_BY_WAREHOUSE = 2003411
UNKNOWN_SUPPLIER = 2000430
SERVICE_AS_STOCK_GOODS = 2003413


def present(call, document: dict) -> dict:
    return articles.full(call, with_derived(document))


def present_item(call, document: dict) -> dict:
    return articles.list_item(call, with_derived(document))


def with_derived(document: dict) -> dict:
    quantity, reserved = document.get("QuantityInStock") or 0, document.get("ReservedQuantity") or 0
    return {**document, "DisposableQuantity": quantity - reserved,
            "StockValue": round(quantity * (document.get("PurchasePrice") or 0), 2)}


@family.route("3/articles", "GET", "POST")
def article_list(call):
    if call.request.method == "POST":
        return create(call)
    return articles.page(
        call, present_item,
        sorts={
            "quantityinstock": lambda doc: doc.get("QuantityInStock") or 0,
            "reservedquantity": lambda doc: doc.get("ReservedQuantity") or 0,
            "stockvalue": lambda doc: with_derived(doc)["StockValue"],
        },
        search={"articlenumber": "ArticleNumber", "description": "Description", "ean": "EAN",
                "suppliernumber": "SupplierNumber", "manufacturer": "Manufacturer",
                "manufacturerarticlenumber": "ManufacturerArticleNumber", "webshop": flag("webshop", "WebshopArticle")},
    )

def create(call):
    changes = articles.changes(call, READ_ONLY)
    number = changes.get("ArticleNumber") or articles.next_key(call)
    if set(number) - ARTICLE_NUMBER_CHARACTERS:
        raise FortnoxError(2000359, "Värdet innehåller ej tillåtna tecken. (ArticleNumber)")
    if articles.store(call).get(number):
        raise FortnoxError(2000013, f'Artikelnumret "{number}" är redan taget.')
    document = checked(call, {**DEFAULTS, "ArticleNumber": number}, changes)
    articles.store(call).create(number, document)
    return call.respond(articles.wrap(call, with_derived(document)), status=201)


@family.route("3/articles/<path:ArticleNumber>", "GET", "PUT", "DELETE")
def article_detail(call, ArticleNumber):
    record = articles.find(call, ArticleNumber)
    if call.request.method == "DELETE":
        articles.store(call).delete(record)
        return no_content()
    if call.request.method == "PUT":
        changes = articles.changes(call, READ_ONLY, ArticleNumber)
        articles.store(call).update(record, checked(call, record.document, changes))
    return call.respond(articles.wrap(call, with_derived(record.document)))


def checked(call, current: dict, changes: dict) -> dict:
    """The article after a partial update, or an error naming the broken rule."""
    document = merged(current, changes, "Description")
    warehouse_owns_stock = call.company.warehouse_licence
    if warehouse_owns_stock and "QuantityInStock" in changes and changes["QuantityInStock"] != (current.get("QuantityInStock") or 0):
        raise FortnoxError(
            STOCK_OWNED_BY_WAREHOUSE,
            "Lagersaldot kan inte ändras i artikelregistret när lagermodulen är aktiverad. "
            "Registrera en inleverans eller utleverans i lagret i stället.",
        )
    if document.get("Type") == "SERVICE" and document.get("StockGoods"):
        raise FortnoxError(SERVICE_AS_STOCK_GOODS, "En tjänst kan inte vara lagervara.")
    if changes.get("SupplierNumber"):
        supplier = call.store("suppliers").get(changes["SupplierNumber"])
        if supplier is None:
            raise FortnoxError(UNKNOWN_SUPPLIER, f"Kan inte hitta leverantören ({changes['SupplierNumber']}).")
        document["SupplierName"] = supplier.document.get("Name")
    return document

