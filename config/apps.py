from django.contrib.admin.apps import AdminConfig


class BryggaAdminConfig(AdminConfig):
    default_site = "config.admin.BryggaAdminSite"
