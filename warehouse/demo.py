"""Demo warehouse: suppliers, customers of both types, ~50 articles with valid EANs, stock,
sales orders in every state and purchase orders in every state. Safe to run again: master data
is matched on its numbers, and documents are only created the first time."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum import ean

from organizations.models import User
from organizations.permissions import Role

from . import actions, shipping_actions
from .models import Article, Customer, OrderType, PurchaseOrder, SalesOrder, StockLocation, Supplier
from .shipping import ShippingSettings, Transporter, TransporterRule, TransporterService

SUPPLIERS = [("1", "Nordisk Verktyg AB"), ("2", "Vänerns Trävaror AB"), ("3", "Kemtek Sverige AB")]
CUSTOMERS = [
    ("1001", "Byggmax Filial Göteborg", Customer.Type.COMPANY, "Göteborg"),
    ("1002", "Snickarbolaget i Lund AB", Customer.Type.COMPANY, "Lund"),
    ("1003", "Fastighets AB Ekbacken", Customer.Type.COMPANY, "Uppsala"),
    ("1004", "Karin Holm", Customer.Type.PRIVATE, "Västerås"),
    ("1005", "Johan Nyström", Customer.Type.PRIVATE, "Umeå"),
    ("1006", "Sara Lind", Customer.Type.PRIVATE, "Malmö"),
]
PRODUCTS = ["Skruv", "Spik", "Bult", "Mutter", "Bricka", "Plugg", "Vinkel", "Gångjärn", "Handtag", "Krok"]
SIZES = ["4×30", "4×40", "5×50", "5×60", "6×80"]
LOCATIONS = [("A-01", "Hylla A1"), ("A-02", "Hylla A2"), ("B-01", "Pall B1")]


def _ean(n: int) -> str:
    body = f"7350{n:08d}"
    return body + ean.calc_check_digit(body)


def _master_data(organization):
    suppliers = [
        Supplier.objects.get_or_create(organization=organization, supplier_number=number, defaults={"name": name})[0]
        for number, name in SUPPLIERS
    ]
    customers = [
        Customer.objects.get_or_create(
            organization=organization, customer_number=number,
            defaults={"name": name, "customer_type": kind, "city": city, "country": "Sverige"},
        )[0]
        for number, name, kind, city in CUSTOMERS
    ]
    articles = []
    for i, (product, size) in enumerate((p, s) for p in PRODUCTS for s in SIZES):
        articles.append(Article.objects.get_or_create(
            organization=organization, article_number=f"{100 + i}",
            defaults={
                "description": f"{product} {size}", "ean": _ean(100 + i), "unit": "st", "weight": 5 + i,
                "width": 10, "height": 10, "depth": 30 + i, "supplier": suppliers[i % len(suppliers)],
            },
        )[0])
    freight, _ = Article.objects.get_or_create(
        organization=organization, article_number="FRAKT",
        defaults={"description": "Frakt", "unit": "st", "is_stock_article": False},
    )
    for code, name in LOCATIONS:
        StockLocation.objects.get_or_create(organization=organization, code=code, defaults={"name": name})
    return suppliers, customers, articles, freight


def _sales_order(organization, number, customer, lines, days_ahead):
    order = SalesOrder.objects.create(
        organization=organization, order_number=number, customer=customer,
        order_type=OrderType.for_customer(customer), delivery_date=timezone.localdate() + timedelta(days=days_ahead),
        way_of_delivery="Postnord", terms_of_delivery="Fritt vårt lager", your_reference="Inköp",
        delivery_name=customer.name, delivery_address1="Storgatan 1", delivery_zip_code="111 22",
        delivery_city=customer.city, delivery_country="Sverige",
    )
    for position, (article, quantity) in enumerate(lines):
        order.rows.create(
            position=position, article=article, description=article.description, ordered_quantity=Decimal(quantity),
            unit=article.unit,
        )
    return order


def _pick_all(order, by, short_by=0):
    for row in order.rows.select_related("article"):
        if row.is_pickable and row.ordered_quantity - short_by > 0:
            actions.do_pick_row(row, row.ordered_quantity - short_by, by)


def _shipping(organization):
    """Two PostNord services and the rules that choose between them by order type (issue 23)."""
    postnord = Transporter.objects.create(organization=organization, name="PostNord")
    for kind, name in (("b2c", "MyPack Collect"), ("b2b", "Företagspaket")):
        service = TransporterService.objects.create(organization=organization, transporter=postnord, name=name)
        shipping_actions.do_add_rule(TransporterRule(organization=organization, service=service,
                                                     way_of_delivery="Postnord", order_kind=kind))
    pickup = Transporter.objects.create(organization=organization, name="Egen hämtning")
    TransporterService.objects.create(organization=organization, transporter=pickup, name="Hämtas på lagret")
    settings = ShippingSettings.get_or_create_for(organization)
    settings.sender = f"{organization.name}\nLagervägen 1\n123 45 Lagerstad"
    settings.save()


def _documents(organization, customers, articles, freight, suppliers, by):
    first, second = StockLocation.objects.for_organization(organization).order_by("code")[:2]
    for i, article in enumerate(articles):
        actions.do_adjust_stock(article, Decimal(20 + i), "Inventering vid start", by, location=first if i % 2 else second)
    orders = [
        _sales_order(organization, f"{5001 + i}", customers[i % len(customers)],
                     [(articles[(3 * i + k) % len(articles)], k + 2) for k in range(3)] + [(freight, 1)], i % 5)
        for i in range(12)
    ]
    _shipping(organization)
    orders[3].way_of_delivery = "Budbil"  # no rule matches: flagged in the pick queue
    orders[3].save(update_fields=["way_of_delivery"])
    shipping_actions.do_apply_rules(organization)
    # Left as they are: orders 0–3 open. Then one or more per later state.
    actions.do_start_picking(orders[4], by)
    actions.do_pick_row(orders[5].rows.first(), Decimal(1), by)
    for order in orders[6:11]:
        _pick_all(order, by, short_by=1 if order is orders[8] else 0)
        actions.do_pack(order, by, parcels=1, weight_kg=Decimal("2.4"))
    for order in orders[8:10]:
        actions.do_report_fulfilled(order, by, allow_short=True)
    actions.do_register_return(orders[9].rows.first(), Decimal(1), "Fel storlek", by, location=first)
    actions.do_cancel_order(orders[11])

    purchase_orders = []
    for i in range(4):
        purchase_order = PurchaseOrder.objects.create(
            organization=organization, order_number=f"PO-{701 + i}", supplier=suppliers[i % len(suppliers)],
            expected_date=timezone.localdate() + timedelta(days=i * 3),
        )
        for position, article in enumerate(articles[i * 5:i * 5 + 3]):
            purchase_order.rows.create(position=position, article=article, ordered_quantity=Decimal(10), unit="st")
        purchase_orders.append(purchase_order)
    # One expected, one partly received, one received in two parts, one closed short.
    halves = [{row.pk: Decimal(5) for row in po.rows.all()} for po in purchase_orders]
    actions.do_receive_purchase_order(purchase_orders[1], halves[1], by, location=first, note="Följesedel 4411")
    actions.do_receive_purchase_order(purchase_orders[2], halves[2], by, received_at=timezone.now() - timedelta(days=2))
    actions.do_receive_purchase_order(purchase_orders[2], halves[2], by, note="Restleverans")
    actions.do_receive_purchase_order(purchase_orders[3], halves[3], by)
    actions.do_close_purchase_order_short(purchase_orders[3], by)


@transaction.atomic
def load(organization, stdout=None):
    suppliers, customers, articles, freight = _master_data(organization)
    if SalesOrder.objects.for_organization(organization).exists():
        return  # documents came earlier (or from a real sync): never pile up duplicates
    by = User.objects.filter(memberships__organization=organization, memberships__role=Role.WAREHOUSE).first()
    _documents(organization, customers, articles, freight, suppliers, by)
    if stdout is not None:
        stdout.write(f"Warehouse: {len(articles) + 1} articles, 12 sales orders, 4 purchase orders.")
