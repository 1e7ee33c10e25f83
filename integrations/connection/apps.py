from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionConfig(AppConfig):
    name = "integrations.connection"
    label = "fortnox_connection"
    verbose_name = _("Fortnox connection")

    def ready(self):
        from organizations import page_extensions

        from . import receivers  # noqa: F401 (the seam's "authorisation lost")

        page_extensions.register("organizations.dashboard", "integrations/_dashboard.html")
