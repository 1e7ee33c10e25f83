from django import template
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import EmployeeConflict, HrIntegrationSettings

register = template.Library()


@register.simple_tag(takes_context=True)
def open_fortnox_conflicts(context) -> int | None:
    """How many fields wait in the conflicts inbox, for the menu of those who resolve them; None
    when the organization has no HR integration and nothing waits (one query on every page)."""
    organization = context.get("current_organization")
    if organization is None or not context.get("can", {}).get("manage_hr"):
        return None
    waiting = (EmployeeConflict.objects.filter(organization=OuterRef("organization")).open()
               .order_by().values("organization").annotate(count=Count("pk")).values("count"))
    row = (HrIntegrationSettings.objects.filter(organization=organization)
           .annotate(waiting=Coalesce(Subquery(waiting), 0)).values_list("activated_at", "waiting").first())
    if row is None or (row[0] is None and not row[1]):
        return None
    return row[1]
