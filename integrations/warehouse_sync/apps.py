from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseSyncConfig(AppConfig):
    name = "integrations.warehouse_sync"
    label = "warehouse_sync"
    verbose_name = _("Warehouse in Fortnox")

    def ready(self):
        from integrations.core import hooks

        from . import exporters, receivers  # noqa: F401 (signal receivers and the outbox handlers)
        from .tasks import RUN_KIND

        hooks.cancellable_run_kinds.add(RUN_KIND)
