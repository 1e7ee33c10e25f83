from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "fortnox_sandbox"
    label = "fortnox_sandbox"
    verbose_name = "Fortnox sandbox"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
