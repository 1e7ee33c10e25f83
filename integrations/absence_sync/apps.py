from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbsenceSyncConfig(AppConfig):
    name = "integrations.absence_sync"
    label = "absence_sync"
    verbose_name = _("Absences in Fortnox")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from hr import working_time
        from integrations.hr_sync import absences
        from organizations import page_extensions

        from . import push, receivers  # noqa: F401 (signal receivers and the outbox handler)
        from .for_hr import AbsenceTransfers, FortnoxSchedules

        absences.register(AbsenceTransfers())
        working_time.register(FortnoxSchedules())
        page_extensions.register("hr.absence", "integrations/_absence_state.html")
