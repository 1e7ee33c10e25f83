from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionConfig(AppConfig):
    name = "integrations.connection"
    label = "fortnox_connection"
    verbose_name = _("Fortnox connection")
