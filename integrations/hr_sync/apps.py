from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrSyncConfig(AppConfig):
    name = "integrations.hr_sync"
    label = "hr_sync"
    verbose_name = _("HR in Fortnox")

    def ready(self):
        from django.db.models.signals import post_migrate

        from hr import outside, working_time
        from integrations.core import hooks

        from . import push, receivers  # noqa: F401 (the outbox handlers and the signal receivers)
        from .apply import requeue_stalled_user_syncs
        from .plan import RUN_KIND
        from .pull import ensure_pull_schedules
        from .schedules import FortnoxScheduleList
        from .state import FortnoxTracker

        outside.register(FortnoxTracker())
        working_time.register_schedule_list(FortnoxScheduleList())
        hooks.register_sweeper(requeue_stalled_user_syncs)
        hooks.cancellable_run_kinds.add(RUN_KIND)
        hooks.plan_run_kinds.add(RUN_KIND)
        post_migrate.connect(ensure_pull_schedules, sender=self, dispatch_uid="hr_sync.pull_schedules")
