from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrSyncConfig(AppConfig):
    name = "integrations.hr_sync"
    label = "hr_sync"
    verbose_name = _("HR in Fortnox")

    def ready(self):
        from hr import outside

        from . import receivers  # noqa: F401 (signal receivers and the outbox handlers)
        from .state import FortnoxTracker

        outside.register(FortnoxTracker())
