from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every Fortnox feature shares. Its label stays `integrations`, so its migrations, tables
    and permissions are the ones the app had before the features moved into their own rooms."""

    name = "integrations.core"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import outbox, personal_data

        # The sweeper's and the daily purge's schedules exist exactly once (also after a test flush).
        post_migrate.connect(outbox.ensure_sweep_schedule, sender=self, dispatch_uid="integrations.outbox_schedule")
        post_migrate.connect(personal_data.ensure_purge_schedule, sender=self,
                             dispatch_uid="integrations.personal_data_purge_schedule")
