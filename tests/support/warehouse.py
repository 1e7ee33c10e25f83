"""Small builders for warehouse records: each makes the least a test needs, in one organization."""

from decimal import Decimal
from itertools import count

from stdnum import ean

from warehouse.models import Article, Customer, PurchaseOrder, SalesOrder, Supplier

_serial = count(1)


def valid_ean(n: int) -> str:
    body = f"735{n:09d}"
    return body + ean.calc_check_digit(body)


class Build:
    def __init__(self, organization):
        self.organization = organization

    def supplier(self, **fields):
        n = next(_serial)
        return Supplier.objects.create(
            organization=self.organization, **{"supplier_number": f"S{n}", "name": f"Supplier {n}", **fields}
        )

    def customer(self, **fields):
        n = next(_serial)
        return Customer.objects.create(
            organization=self.organization, **{"customer_number": f"C{n}", "name": f"Customer {n}", **fields}
        )

    def article(self, **fields):
        n = next(_serial)
        defaults = {"article_number": f"A{n}", "description": f"Article {n}", "ean": valid_ean(n)}
        return Article.objects.create(organization=self.organization, **{**defaults, **fields})

    def order(self, *rows, **fields):
        """rows: (article, ordered quantity) pairs."""
        n = next(_serial)
        customer = fields.pop("customer", None) or self.customer()
        order = SalesOrder.objects.create(
            organization=self.organization, customer=customer, **{"order_number": f"{n}", **fields}
        )
        for position, (article, quantity) in enumerate(rows):
            order.rows.create(
                position=position, article=article, description=article.description if article else "Freight",
                ordered_quantity=Decimal(quantity), unit="st",
            )
        return order

    def purchase_order(self, *rows, **fields):
        n = next(_serial)
        supplier = fields.pop("supplier", None) or self.supplier()
        purchase_order = PurchaseOrder.objects.create(
            organization=self.organization, supplier=supplier, **{"order_number": f"P{n}", **fields}
        )
        for position, (article, quantity) in enumerate(rows):
            purchase_order.rows.create(position=position, article=article, ordered_quantity=Decimal(quantity))
        return purchase_order
