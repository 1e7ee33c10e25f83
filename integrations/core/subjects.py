"""How failures and notifications name the object they are about ("Order 22", "Anna Berg",
"Anna Berg: Vacation, 1–3 Dec 2026"), in the active language: call it under the reader's."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from hr.models import Absence, Employee
from organizations.permissions import Perm, user_can
from warehouse.models import Adjustment, PurchaseOrder, Receipt, Return, SalesOrder

# Where people work on each kind of object, first the page for those who keep such objects, then
# (absences) the pages of those who decide on or asked for them: (permission, url of the object).
PAGES = {
    SalesOrder: [(Perm.WORK_WAREHOUSE, lambda order: reverse("warehouse:order", args=[order.pk]))],
    Return: [(Perm.WORK_WAREHOUSE, lambda goods_return: reverse("warehouse:order", args=[goods_return.order_id]))],
    PurchaseOrder: [(Perm.WORK_WAREHOUSE, lambda purchase_order: reverse("warehouse:purchase_order", args=[purchase_order.pk]))],
    Receipt: [(Perm.WORK_WAREHOUSE, lambda receipt: reverse("warehouse:purchase_order", args=[receipt.purchase_order_id]))],
    Adjustment: [(Perm.WORK_WAREHOUSE, lambda adjustment: reverse("warehouse:article", args=[adjustment.article_id]))],
    Employee: [(Perm.MANAGE_HR, lambda employee: reverse("hr:employee_detail", args=[employee.pk]))],
    Absence: [
        (Perm.MANAGE_HR, lambda absence: reverse("hr:absence_edit", args=[absence.pk])),
        (Perm.APPROVE_ABSENCES, lambda absence: reverse("hr:approvals")),
        (Perm.REQUEST_ABSENCE, lambda absence: reverse("hr:my_absences")),
    ],
}


def describe(obj) -> str:
    if isinstance(obj, Absence):
        return _("%(employee)s: %(type)s, %(period)s") % {
            "employee": obj.employee, "type": obj.absence_type, "period": obj.period_display,
        }
    return str(obj)


def named_objects() -> GenericPrefetch:
    """Prefetch for a list of error-log entries: what `describe` reads, in one query per model."""
    return GenericPrefetch("related_object", [
        Absence.objects.select_related("employee", "absence_type"),
        Adjustment.objects.select_related("article"),
        Receipt.objects.select_related("purchase_order"),
        Return.objects.select_related("order", "order_row__article"),
    ])


def page_of(obj, user, organization) -> str:
    """The page where `user` finds `obj`, or "" when there is none they may open."""
    for perm, url in PAGES.get(type(obj), []):
        if user_can(user, organization, perm):
            return url(obj)
    return ""
