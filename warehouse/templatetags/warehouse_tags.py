from django import template
from django.db.models import Count, Q

from warehouse.models import PurchaseOrder, SalesOrder
from warehouse.quantities import as_input, readable

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
def qty_input(value):
    """A quantity as an <input type="number"> needs it: without trailing zeros, always a point."""
    return as_input(value)


@register.filter
def qty(value):
    """A quantity as people read it in their language: 3, 2,5 in Swedish, 2.5 in English (never 3.000)."""
    return readable(value)
