from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrSyncConfig(AppConfig):
    name = "integrations.hr_sync"
    label = "hr_sync"
    verbose_name = _("HR in Fortnox")

    def ready(self):
        from hr import outside
        from integrations.core import hooks

        from . import receivers  # noqa: F401 (signal receivers and the outbox handlers)
        from .state import FortnoxTracker
        from .sync import RUN_KIND, requeue_stalled_user_syncs

        outside.register(FortnoxTracker())
        hooks.register_sweeper(requeue_stalled_user_syncs)
        hooks.cancellable_run_kinds.add(RUN_KIND)
        hooks.plan_run_kinds.add(RUN_KIND)
