from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FortnoxEventsConfig(AppConfig):
    name = "integrations.fortnox_events"
    label = "fortnox_events"
    verbose_name = _("Fortnox event stream")

    def ready(self):
        from integrations.warehouse_sync import stream
        from organizations import health, page_extensions

        from . import state

        stream.live_since = state.live_since
        health.checks["fortnox_events"] = state.health
        page_extensions.register("warehouse_sync.settings", "integrations/fortnox_events/_stream_state.html")
        # Where the warehouse's new orders come from now (live, polling, off), where staff work.
        for slot in ("warehouse.pick_queue", "warehouse.dashboard"):
            page_extensions.register(slot, "integrations/fortnox_events/_orders_feed.html")
