"""The writes of shipping (issue 23): an order's transporter service from the rules, staff's own
choice with a reason, and keeping orders right when services and rules change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import SalesOrder
from .shipping import Shipment, TransporterRule, TransporterService, choose_service, problem


def ruled(order: SalesOrder) -> bool:
    """Do the rules still decide this order's service? Not once staff chose one or picking began."""
    return not order.service_override_reason and not order.warehouse_work_started and order.state == order.State.OPEN


def do_assign_service(order: SalesOrder, rules: list[TransporterRule], rows=None) -> bool:
    """The first matching rule's service, or the flag saying why there is none. `rows`: the
    order's rows with their articles when already at hand. Returns whether the order changed."""
    if not ruled(order):
        return False
    rows = order.rows.select_related("article") if rows is None else rows
    service, problem = choose_service(rules, Shipment.of(order, rows))
    changed = [name for name, value in (("transporter_service", service), ("service_problem", problem))
               if getattr(order, name) != value]
    for name in changed:
        setattr(order, name, service if name == "transporter_service" else problem)
    if changed:
        order.save(update_fields=changed)
    return bool(changed)


def open_ruled_orders(organization):
    return SalesOrder.objects.for_organization(organization).filter(
        state=SalesOrder.State.OPEN, picking_started_at__isnull=True, service_override_reason="",
    ).select_related("order_type").prefetch_related("rows__article")


@transaction.atomic
def do_apply_rules(organization) -> int:
    """The rules as they are now on every order they still decide; how many orders changed."""
    rules = TransporterRule.in_order(organization)
    return sum(do_assign_service(order, rules, list(order.rows.all())) for order in open_ruled_orders(organization))


@transaction.atomic
def do_override_service(order: SalesOrder, service: TransporterService, reason: str, by) -> SalesOrder:
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.state in (SalesOrder.State.SENT, SalesOrder.State.CANCELLED):
        raise ValidationError(_("The order has left the warehouse; its service can no longer change."))
    if service.organization_id != order.organization_id or not service.active:
        raise ValidationError(_("Choose an active service of this organization."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason; it stays on the order."))
    order.transporter_service, order.service_override_reason, order.service_overridden_by = service, reason, by
    order.service_problem = ""
    order.save(update_fields=["transporter_service", "service_override_reason", "service_overridden_by",
                              "service_problem"])
    return order


@transaction.atomic
def do_use_rules_again(order: SalesOrder) -> SalesOrder:
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.warehouse_work_started or order.state != SalesOrder.State.OPEN:
        raise ValidationError(_("Picking has begun: choose the service yourself."))
    order.service_override_reason, order.service_overridden_by = "", None
    order.save(update_fields=["service_override_reason", "service_overridden_by"])
    do_assign_service(order, TransporterRule.in_order(order.organization))
    return order


@transaction.atomic
def do_delete_service(service: TransporterService) -> None:
    """Rules that pointed at it stay, without a service, until the admin chooses another; orders
    staff had given it are flagged; the others get their service from the rules again."""
    chosen = SalesOrder.objects.for_organization(service.organization).filter(
        transporter_service=service).exclude(service_override_reason="").exclude(state__in=[
            SalesOrder.State.SENT, SalesOrder.State.CANCELLED])
    chosen.update(service_problem=problem("chosen_service_deleted", service=str(service)))
    organization = service.organization
    service.delete()
    do_apply_rules(organization)


@transaction.atomic
def do_add_rule(rule: TransporterRule) -> TransporterRule:
    last = TransporterRule.objects.for_organization(rule.organization).aggregate(last=Max("position"))["last"]
    rule.position = (last or 0) + 1
    rule.save()
    do_apply_rules(rule.organization)
    return rule


@transaction.atomic
def do_move_rule(rule: TransporterRule, up: bool) -> None:
    """Swap with the neighbour above or below (positions are renumbered 1, 2, 3 first)."""
    rules = TransporterRule.in_order(rule.organization)
    for position, each in enumerate(rules, start=1):
        each.position = position
    index = next(i for i, each in enumerate(rules) if each.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index].position, rules[other].position = rules[other].position, rules[index].position
    TransporterRule.objects.bulk_update(rules, ["position"])
    do_apply_rules(rule.organization)


@transaction.atomic
def do_delete_rule(rule: TransporterRule) -> None:
    organization = rule.organization
    rule.delete()
    do_apply_rules(organization)


@transaction.atomic
def do_save_rule(rule: TransporterRule) -> TransporterRule:
    """An edited rule (say, given a service again after its own was deleted) decides at once."""
    rule.save()
    do_apply_rules(rule.organization)
    return rule


@transaction.atomic
def do_choose_notices(order: SalesOrder, notify_by_email: bool | None, notify_by_sms: bool | None) -> SalesOrder:
    """This order's own choice of customer notices (None: as the settings say), until it is sent."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.state in (SalesOrder.State.SENT, SalesOrder.State.CANCELLED):
        raise ValidationError(_("The order has left the warehouse; whether the customer is told was decided then."))
    order.notify_by_email, order.notify_by_sms = notify_by_email, notify_by_sms
    order.save(update_fields=["notify_by_email", "notify_by_sms"])
    return order
