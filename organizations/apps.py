from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from config import sqlite_like  # noqa: F401  (connects the SQLite LIKE for every connection)

        from .admin_tenancy import close_global_admins
        from .language import adopt_language_chosen_at_login

        user_logged_in.connect(adopt_language_chosen_at_login, dispatch_uid="organizations.language_chosen_at_login")

        # The admin app comes first in INSTALLED_APPS, so every admin is registered by now.
        close_global_admins(admin.site)
