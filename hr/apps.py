from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("HR")

    def ready(self):
        from . import notifications  # noqa: F401 (connects its receivers)
