from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every Fortnox feature shares. Its label stays `integrations`, so its migrations, tables
    and permissions are the ones the app had before the features moved into their own rooms."""

    name = "integrations.core"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from . import personal_data  # noqa: F401 (the daily purge's schedule, made after migrate)
