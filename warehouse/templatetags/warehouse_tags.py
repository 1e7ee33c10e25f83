from decimal import Decimal

from django import template
from django.db.models import Count, Q

from warehouse.models import PurchaseOrder, SalesOrder

register = template.Library()


@register.simple_tag
def warehouse_overview(organization):
    """Counts for the overview card, one query per document kind."""
    counts = SalesOrder.objects.for_organization(organization).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in SalesOrder.TO_DO}
    )
    counts["purchase_orders"] = PurchaseOrder.objects.for_organization(organization).filter(
        state__in=PurchaseOrder.RECEIVABLE
    ).count()
    return counts


@register.filter
def qty(value):
    """A quantity without trailing zeros: 3, 2.5 (never 3.000)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
