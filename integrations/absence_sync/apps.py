from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbsenceSyncConfig(AppConfig):
    name = "integrations.absence_sync"
    label = "absence_sync"
    verbose_name = _("Absences in Fortnox")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import push, receivers  # noqa: F401 (signal receivers and the outbox handler)
