from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = _("Warehouse")

    def ready(self):
        from . import notices, signals
        from .models import SalesOrder

        # The warehouse's own listener: the customer hears of a sent order (issue 23).
        signals.order_fulfilled.connect(notify_customer, sender=SalesOrder, dispatch_uid="warehouse.notify_customer")
        post_migrate.connect(notices.ensure_sweep_schedule, sender=self)


def notify_customer(sender, order, **kwargs):
    from .notices import queue_notices

    queue_notices(order)
