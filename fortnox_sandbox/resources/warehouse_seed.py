"""Demo data for the warehouse families: stock points (with Lager), suppliers, articles (stock
goods with EANs and services), customers of both types, orders in every state and purchase
orders in every state (with Lager+). Everything goes through the families' own rule functions,
so seeded data obeys the same rules as data made over the API."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from ..models import Company
from ..seeding import seeder
from ..store import Store
from . import articles, incominggoods, orders, purchaseorders
from .customers import DEFAULTS as CUSTOMER_DEFAULTS, customers
from .invoices import today
from .suppliers import DEFAULTS as SUPPLIER_DEFAULTS, suppliers

FIRST_NAMES = ["Åsa", "Örjan", "Märta", "Björn", "Linnéa", "Göran", "Kajsa", "Håkan", "Ingrid", "Sören", "Elin", "Måns"]
LAST_NAMES = ["Öberg", "Åkesson", "Ström", "Lindqvist", "Sjögren", "Bäckström", "Nyström", "Hägg", "Ekdahl", "Löfgren"]
TOWNS = [("Göteborg", "41117"), ("Malmö", "21120"), ("Västerås", "72211"), ("Umeå", "90326"), ("Örebro", "70210"),
         ("Jönköping", "55318"), ("Linköping", "58222"), ("Norrköping", "60224"), ("Luleå", "97231"), ("Gävle", "80311")]
COMPANY_WORDS = ["Bygg", "Trä", "Järn", "Måleri", "El", "Rör", "Kök", "Snickeri", "Plåt", "Trädgård"]
SUPPLIERS = ["Ahlsell Sverige AB", "Beijer Byggmaterial AB", "Bröderna Ströms Järn AB", "Granngården Grossist AB",
             "Würth Svenska AB", "Jula Företag AB", "Söderbergs Skruv AB", "Norrlands Träförädling AB"]
GOODS = ["Skruv", "Spik", "Plugg", "Bult", "Mutter", "Bricka", "Gångjärn", "Handtag", "List", "Tätningslist", "Lim",
         "Spackel", "Färg", "Pensel", "Tejp", "Sågblad", "Borr", "Slippapper", "Handske", "Skyddsglasögon"]
SERVICES = ["Montering", "Hemleverans", "Kapning", "Konsulttimme"]
STOCK_POINTS = [("LAGER", "Huvudlager"), ("BUTIK", "Butikslager")]


@dataclass
class SeedCall:
    """What the families' rule functions need of an API call, for data made without one."""

    company: Company

    def store(self, resource: str) -> Store:
        return Store(self.company, resource)


def ean13(rng) -> str:
    digits = [7, 3, 1] + [rng.randrange(10) for _ in range(9)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits + [check]))


@seeder(30)
def seed_registers(company, rng, size):
    call = SeedCall(company)
    if company.warehouse_licence:
        for code, name in STOCK_POINTS:
            point_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            call.store("stockpoints").create(point_id, {"id": point_id, "code": code, "name": name, "active": True,
                                                        "usingCompanyAddress": True, "stockLocations": []})
    for name in SUPPLIERS:
        number = suppliers.next_key(call)
        call.store("suppliers").create(number, {**SUPPLIER_DEFAULTS, "SupplierNumber": number, "Name": name,
                                                "City": rng.choice(TOWNS)[0], "Email": f"order@{number}.example.se"})
    for index, name in enumerate(GOODS * max(1, size // 100)):
        number = f"{100 + index}"
        document = articles.checked(call, {**articles.DEFAULTS, "ArticleNumber": number}, {
            "Description": f"{name} {rng.choice(['M4', 'M6', 'M8', '50 mm', '1 l', 'vit', 'svart'])}",
            "StockGoods": True, "EAN": ean13(rng), "PurchasePrice": rng.randrange(5, 400),
            "SupplierNumber": str(rng.randrange(1, len(SUPPLIERS) + 1)), "Unit": "st",
        })
        document.update(QuantityInStock=rng.randrange(0, 200), SalesPrice=round(document["PurchasePrice"] * 1.6))
        call.store("articles").create(number, document)
    for index, name in enumerate(SERVICES):
        number = f"T{index + 1}"
        call.store("articles").create(number, {**articles.DEFAULTS, "ArticleNumber": number, "Description": name,
                                               "Type": "SERVICE", "SalesPrice": 650})
    for index in range(max(10, size // 10)):
        town, zip_code = rng.choice(TOWNS)
        private = index % 3 == 0
        name = (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if private
                else f"{rng.choice(LAST_NAMES)}s {rng.choice(COMPANY_WORDS)} AB")
        number = customers.next_key(call)
        call.store("customers").create(number, {
            **CUSTOMER_DEFAULTS, "CustomerNumber": number, "Name": name, "Type": "PRIVATE" if private else "COMPANY",
            "Address1": f"{rng.choice(['Storgatan', 'Kungsgatan', 'Ågatan', 'Järnvägsgatan'])} {rng.randrange(1, 60)}",
            "ZipCode": zip_code, "City": town, "Email": f"kund{number}@example.se",
        })


@seeder(40)
def seed_orders(company, rng, size):
    """Orders in every state: open (each delivery state with Lager), not completed, sent,
    expired, cancelled, invoiced (leaving back orders) and warehouse-ready."""
    call = SeedCall(company)
    customer_numbers = list(call.store("customers").records().values_list("key", flat=True))
    stock_goods = [record.document for record in call.store("articles").records() if record.document.get("StockGoods")]
    states = ["delivery", "reservation", "registration"] if company.warehouse_licence else ["delivery"]
    # By index, not drawn: the other orders' random data stays as it was before these registers.
    ways = sorted(call.store("wayofdeliveries").records().values_list("key", flat=True))
    terms = sorted(call.store("termsofdeliveries").records().values_list("key", flat=True))
    for index in range(max(20, size // 5)):
        rows = [{"ArticleNumber": article["ArticleNumber"], "OrderedQuantity": rng.randrange(1, 8),
                 "Price": article.get("SalesPrice") or 100} for article in rng.sample(stock_goods, rng.randrange(1, 4))]
        kind = index % 8
        fields = {"CustomerNumber": rng.choice(customer_numbers), "DeliveryState": states[index % len(states)],
                  "YourOrderNumber": f"PO-{4000 + index}", "NotCompleted": kind == 1,
                  "WayOfDelivery": ways[index % len(ways)] if ways else "",
                  "TermsOfDelivery": terms[index % len(terms)] if terms else "",
                  "DeliveryDate": (today() + timedelta(days=rng.randrange(-10, 20) if kind == 3 else 7)).isoformat()}
        number = orders.orders.next_key(call)
        document = orders.do_save_order(call, orders.new_order(number), {**fields, "OrderRows": rows},
                                        created=True)
        if kind == 2:
            orders.store_with_stock(call, {**document, "Sent": True})
        elif kind == 4:
            orders.store_with_stock(call, {**document, "Cancelled": True})
        elif kind == 5:
            for row in rows:
                row["DeliveredQuantity"] = max(0, row["OrderedQuantity"] - 1)
            orders.do_invoice(call, orders.do_save_order(call, document, {"DeliveryState": "delivery", "OrderRows": rows}))
        elif kind == 6 and company.warehouse_licence and document["DeliveryState"] == "delivery":
            orders.store_with_stock(call, {**document, "WarehouseReady": True, "OutboundDate": today().isoformat()})


@seeder(50)
def seed_purchase_orders(company, rng, size):
    """Purchase orders (Lager+): not sent, sent, partly received, received, completed by hand,
    voided, and a dropship order."""
    if not (company.warehouse_licence and company.purchase_orders_licence):
        return
    call = SeedCall(company)
    stock_goods = list(call.store("articles").records().filter(document__StockGoods=True).values_list("key", flat=True))
    plans = ["NOT_SENT", "SENT", "PARTLY", "RECEIVED", "COMPLETED", "VOIDED", "DROPSHIP"]
    for index in range(max(len(plans), size // 30)):
        plan = plans[index % len(plans)]
        number = str(company.next_number(purchaseorders.PURCHASE_ORDERS))
        body = {
            "supplierNumber": str(rng.randrange(1, len(SUPPLIERS) + 1)), "orderDate": today().isoformat(),
            "deliveryDate": (today() + timedelta(days=rng.randrange(-5, 15))).isoformat(), "currencyCode": "SEK",
            "currencyRate": 1, "paymentTermsCode": "30", "deliveryName": company.name,
            "deliveryAddress": company.address or "Hamngatan 4", "deliveryZipCode": company.zip_code or "41117",
            "deliveryCity": company.city or "Göteborg", "purchaseType": "DROPSHIP" if plan == "DROPSHIP" else "WAREHOUSE",
            "rows": [{"itemId": item, "orderedQuantity": rng.randrange(10, 100), "price": rng.randrange(5, 200),
                      "currencyCode": "SEK", "remainingOrderedQuantity": 0} for item in rng.sample(stock_goods, 2)],
        }
        state = {"SENT": "SENT", "PARTLY": "SENT", "RECEIVED": "SENT", "COMPLETED": "RECEIVED", "VOIDED": "VOIDED"}
        document = purchaseorders.checked(call, body, number, {
            "purchaseOrderState": state.get(plan, "NOT_SENT"), "responseState": "NOT_SENT", "voided": plan == "VOIDED",
            "manuallyCompleted": plan == "COMPLETED",
        })
        call.store(purchaseorders.PURCHASE_ORDERS).create(number, document)
        if plan in ("PARTLY", "RECEIVED"):
            share = 0.5 if plan == "PARTLY" else 1
            receive(call, document, share)


def receive(call, purchase_order: dict, share: float):
    number = str(call.company.next_number(incominggoods.INCOMING_GOODS))
    rows = [{"itemId": row["itemId"], "receivedQuantity": int(row["orderedQuantity"] * share),
             "purchaseOrderId": purchase_order["id"], "purchaseOrderRowId": row["id"]} for row in purchase_order["rows"]]
    document = incominggoods.checked(call, {"deliveryNoteId": f"FS-{number}", "supplierNumber":
                                            purchase_order["supplierNumber"], "rows": rows}, number)
    call.store(incominggoods.INCOMING_GOODS).create(number, document)
    incominggoods.do_release(call, number)
